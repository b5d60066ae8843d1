import Foundation
import QuorumCore

/// A counterexample as one self-contained HTML page: a message sequence diagram (one lifeline per
/// process, an arrow per message from the step that sent it to the step that received it), and
/// the full state of the selected step with the changed variables highlighted. Click a row or
/// use the arrow keys (also j/k, Home, End) to move between steps.
///
/// No network access: the script and styles are inline. Every string from the trace file reaches
/// the page as JSON inside a `<script type="application/json">` element, with `<`, `>` and `&`
/// escaped, and the script inserts it with `textContent`, never as markup.
public enum HTMLViewer {
    ///
    /// The diagram is drawn only for a file that replays against its spec: the drawing code then
    /// sees only states the spec computes, within the file's bounds, and no hand-made value (a
    /// missing variable, a message with 2^63 copies) reaches it. Other files get the table of
    /// states alone, with the reason in the subtitle.
    public static func page(_ document: TraceDocument) -> String {
        page(document, replayed: ReplayCommand.outcome(document))
    }

    /// The page for a file already replayed (callers that also print the explanation replay once).
    static func page(_ document: TraceDocument, replayed: Result<ReplayReport, Error>) -> String {
        var document = document
        var diagram: SequenceDiagram? = nil
        var explanation: Explanation? = nil
        switch replayed {
        case .success(let report):
            explanation = report.explanation
            diagram = Catalog.specs.first { $0.name == document.spec }?.diagram(document)
        case .failure(let error):
            document.unreplayable = "\(error)"
        }
        let drawn = diagram ?? SequenceDiagram(lifelines: [], steps: document.steps.map { _ in DiagramStep(actor: nil, labels: []) })
        return page(document, diagram: drawn, explanation: explanation)
    }

    static func page(_ document: TraceDocument, diagram: SequenceDiagram, explanation: Explanation? = nil) -> String {
        let data = JSONValue.object([
            ("title", .string(title(document))),
            ("subtitle", .string(subtitle(document))),
            // A counterexample to induction starts in a state that need not be reachable: never call it initial.
            ("first", .string(document.induction == nil ? "initial state" : "an arbitrary state satisfying \(document.assumption)")),
            ("firstLabel", .string(document.induction == nil ? "init" : "0")),
            ("lifelines", .array(diagram.lifelines.map(JSONValue.string))),
            ("rows", .array(zip(document.steps, diagram.rows).map { step, row in
                .object([("description", .string(step.description)), ("action", .string(step.action)),
                         ("actor", row.actor.map(JSONValue.int) ?? .null),
                         ("labels", .array(row.labels.map(JSONValue.string)))])
            })),
            ("arrows", .array(diagram.arrows.map { a in
                .object([("from", a.from.map(JSONValue.int) ?? .null), ("to", a.to.map(JSONValue.int) ?? .null),
                         ("sent", .int(a.sent)), ("received", a.received.map(JSONValue.int) ?? .null),
                         ("kind", .string(a.kind.rawValue)), ("label", .string(a.label)), ("duplicate", .bool(a.duplicate))])
            })),
            ("variables", .array(document.variables.map(JSONValue.string))),
            ("states", .array(document.steps.map { .array($0.values.map { JSONValue.string($0.text) }) })),
            ("changes", .array(document.steps.indices.map { k in
                k == 0 ? .array([]) : .array(TraceDocument.changes(document.variables, document.steps[k - 1].values, document.steps[k].values)
                    .map(JSONValue.string))
            })),
            ("changed", .array(document.steps.indices.map { k in
                .array(k == 0 ? [] : document.variables.indices.filter { document.steps[k - 1].values[$0] != document.steps[k].values[$0] }
                    .map { JSONValue.string(document.variables[$0]) })
            })),
            ("loop", document.loop.map(JSONValue.int) ?? .null),
            // The page opens on the step where the property fails, and says why it fails there.
            ("violation", .int(document.steps.count - 1)),
            ("why", explanation.map { e in
                .object([("property", .string(e.property)), ("summary", .string(e.summary)),
                         ("conjuncts", .array(e.failingConjuncts.map(JSONValue.string))), ("reads", .array(e.reads.map(JSONValue.string)))])
            } ?? .null),
            ("loopText", document.loopText.map { JSONValue.string("then " + $0) } ?? .null),
        ])
        return fill(template, ["DATA": escapedForScript(data.text), "TITLE": escapedForHTML(title(document))])
    }

    /// Replaces each `@NAME@` of `template` in one pass, so that a value that contains another
    /// placeholder's text is left as it is.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var out = "", rest = template[...]
        while let at = rest.firstIndex(of: "@") {
            out += rest[..<at]
            let after = rest[rest.index(after: at)...]
            if let end = after.firstIndex(of: "@"), let value = values[String(after[..<end])] {
                out += value
                rest = after[after.index(after: end)...]
            } else {
                out += "@"
                rest = after
            }
        }
        return out + rest
    }

    static func title(_ d: TraceDocument) -> String {
        var title = d.spec + (d.variant.map { " [\($0)]" } ?? "")
        if let property = d.property { title += ": \(property) violated" }
        return title
    }

    static func subtitle(_ d: TraceDocument) -> String {
        var out = d.parameters.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
        out += " · \(d.steps.count - 1) step\(d.steps.count == 2 ? "" : "s")"
        if d.induction != nil { out += " · counterexample to induction of \(d.assumption): state 0 need not be reachable" }
        if d.loop != nil { out += " · an infinite behaviour (lasso)" }
        if let reason = d.unreplayable { out += " · no diagram: the file does not replay against its spec (\(reason))" }
        return out
    }

    /// JSON that is safe inside a script element: no `<`, `>` or `&` that a parser could act on.
    static func escapedForScript(_ json: String) -> String {
        json.replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "\u{2028}", with: "\\u2028")
            .replacingOccurrences(of: "\u{2029}", with: "\\u2029")
    }

    static func escapedForHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static let template = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
    <title>@TITLE@</title>
    <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d2330; background: #fafbfc; }
    header { padding: 12px 20px; border-bottom: 1px solid #dde1e6; background: #fff; }
    h1 { font-size: 18px; margin: 0 0 2px; }
    #subtitle { color: #5b6472; }
    main { display: flex; align-items: flex-start; height: calc(100vh - 62px); }
    #left { overflow: auto; padding: 8px 0 20px 8px; flex: 1 1 auto; height: calc(100% - 28px); }
    #panel { flex: 0 0 440px; padding: 12px 20px; height: calc(100% - 24px); overflow: auto; border-left: 1px solid #dde1e6; background: #fff; }
    svg text { font: 12px system-ui, sans-serif; }
    .lifeline { stroke: #9aa3af; stroke-width: 1.5; stroke-dasharray: 4 3; }
    .head rect { fill: #243b6b; } .head text { fill: #fff; font-weight: 600; }
    .row rect { fill: transparent; cursor: pointer; } .row:hover rect { fill: #eef2f8; }
    .row.selected rect { fill: #dbe6fb; } .row text.num { fill: #5b6472; } .row text.desc { fill: #1d2330; }
    .actor { fill: #243b6b; } .label { fill: #7a4f00; font-size: 11px; }
    .arrow line { stroke: #2d6cdf; stroke-width: 1.6; } .arrow text { fill: #2d6cdf; font-size: 11px; }
    .arrow.dropped line { stroke: #c62828; stroke-dasharray: 5 3; } .arrow.dropped text { fill: #c62828; }
    .arrow.inflight line { stroke: #8a94a6; stroke-dasharray: 2 3; } .arrow.inflight text { fill: #8a94a6; }
    .arrow.spontaneous line { stroke: #8e24aa; stroke-dasharray: 1 3; } .arrow.spontaneous text { fill: #8e24aa; }
    .arrow.duplicate line { stroke: #ef6c00; } .arrow.duplicate text { fill: #ef6c00; }
    .loop { fill: none; stroke: #8e24aa; stroke-width: 2; } .looptext { fill: #8e24aa; font-weight: 600; }
    #step { font-weight: 600; font-size: 15px; margin: 0 0 8px; }
    table { border-collapse: collapse; width: 100%; } td { border-bottom: 1px solid #e6e9ee; padding: 4px 6px; vertical-align: top; }
    td.name { font-family: ui-monospace, monospace; white-space: nowrap; color: #243b6b; }
    td.value { font-family: ui-monospace, monospace; word-break: break-word; }
    tr.changed td { background: #fff4cc; }
    tr.read td.name { font-weight: 700; color: #c62828; }
    #why { background: #fdecea; border-left: 3px solid #c62828; padding: 6px 10px; margin: 0 0 8px; }
    ul#changes { font-family: ui-monospace, monospace; font-size: 12px; padding-left: 18px; }
    #help { color: #5b6472; font-size: 12px; margin-top: 10px; }
    </style>
    </head>
    <body data-status="loading">
    <header><h1 id="title"></h1><div id="subtitle"></div></header>
    <main>
    <div id="left"><svg id="diagram" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="message sequence diagram"></svg></div>
    <section id="panel">
    <div id="step"></div>
    <div id="why" hidden></div>
    <ul id="changes"></ul>
    <table id="state"></table>
    <div id="loop"></div>
    <div id="help">Click a row, or use ↑ ↓ (j k, Home, End) to move between steps.</div>
    </section>
    </main>
    <script type="application/json" id="trace-data">@DATA@</script>
    <script>
    (function () {
    try {
      const data = JSON.parse(document.getElementById("trace-data").textContent);
      const NS = "http://www.w3.org/2000/svg";
      const svg = document.getElementById("diagram");
      const n = data.lifelines.length, rowsCount = data.rows.length;
      function el(name, attrs, parent, text) {
        const e = document.createElementNS(NS, name);
        for (const k in attrs) e.setAttribute(k, attrs[k]);
        if (text !== undefined) e.textContent = text;
        (parent || svg).appendChild(e);
        return e;
      }
      // Texts are measured as the browser draws them, so that the layout below can keep them apart.
      function width(text, cls) {
        const t = el("text", {class: cls || "", x: 0, y: -100}, undefined, text);
        const w = t.getComputedTextLength();
        t.remove();
        return w;
      }
      // Columns as wide as the widest label a lifeline shows; each step's action wrapped to lines.
      let labelWidth = 0;
      data.rows.forEach(row => row.labels.forEach(l => { labelWidth = Math.max(labelWidth, width(l, "label")); }));
      const left = 60, top = 46, descWidth = 320, lineHeight = 15;
      const colWidth = Math.max(170, Math.ceil(labelWidth) + 24);
      function wrap(words) {
        const lines = [];
        let line = "";
        for (const word of words.split(" ")) {
          const next = line === "" ? word : line + " " + word;
          if (line !== "" && width(next, "desc") > descWidth) { lines.push(line); line = word; } else line = next;
        }
        lines.push(line);
        return lines;
      }
      const descLines = data.rows.map((row, r) => wrap(r === 0 ? data.first : row.description));
      const rowHeights = descLines.map(lines => Math.max(38, lines.length * lineHeight + 16));
      const rowTops = [];
      rowHeights.reduce((at, h, r) => { rowTops[r] = at; return at + h; }, top);
      const bottom = rowsCount === 0 ? top : rowTops[rowsCount - 1] + rowHeights[rowsCount - 1];
      // The last lifeline's labels end before the actions begin.
      const descX = Math.max(left + Math.max(1, n) * colWidth + 10, left + colWidth * (n - 0.5) + labelWidth + 24);
      const svgWidth = descX + descWidth + 20, height = bottom + 38;
      svg.setAttribute("width", svgWidth); svg.setAttribute("height", height);
      const x = i => left + colWidth * i + colWidth / 2;
      const y = r => rowTops[r] + rowHeights[r] / 2;
      const defs = el("defs", {});
      for (const [id, color] of [["head", "#2d6cdf"], ["headred", "#c62828"], ["headgrey", "#8a94a6"], ["headpurple", "#8e24aa"], ["headorange", "#ef6c00"]]) {
        const m = el("marker", {id: id, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse"}, defs);
        el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: color}, m);
      }
      const rowGroups = [];
      data.rows.forEach((row, r) => {
        const g = el("g", {class: "row", "data-row": r});
        el("rect", {x: 0, y: rowTops[r], width: svgWidth, height: rowHeights[r]}, g);
        el("text", {class: "num", x: 8, y: y(r) + 4}, g, r === 0 ? data.firstLabel : String(r));
        const lines = descLines[r];
        lines.forEach((line, k) => el("text", {class: "desc", x: descX, y: y(r) + 4 + (k - (lines.length - 1) / 2) * lineHeight}, g, line));
        g.addEventListener("click", () => select(r, false));
        rowGroups.push(g);
      });
      data.lifelines.forEach((name, i) => {
        el("line", {class: "lifeline", x1: x(i), y1: top - 4, x2: x(i), y2: height - 8});
        const head = el("g", {class: "head"});
        el("rect", {x: x(i) - 70, y: 6, width: 140, height: 26, rx: 5}, head);
        el("text", {x: x(i), y: 24, "text-anchor": "middle"}, head, name);
      });
      // Every text placed so far, as a box; an arrow's label goes where it meets none of them.
      const placed = [];
      const meets = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      data.rows.forEach((row, r) => {
        row.labels.forEach((label, i) => {
          if (r === 0 || data.rows[r - 1].labels[i] !== label) {
            const t = el("text", {class: "label", x: x(i) + 6, y: rowTops[r] + 12}, undefined, label);
            placed.push(t.getBBox());
          }
        });
        if (row.actor !== null && row.actor !== undefined) el("circle", {class: "actor", cx: x(row.actor), cy: y(r), r: 5});
      });
      const markers = {delivered: "head", dropped: "headred", "in flight": "headgrey", spontaneous: "headpurple"};
      data.arrows.forEach(a => {
        const cls = "arrow " + a.kind.replace(" ", "") + (a.duplicate ? " duplicate" : "");
        const g = el("g", {class: cls});
        const x1 = a.from === null ? left : x(a.from), y1 = y(a.sent);
        let x2, y2, text = (a.duplicate ? "copy: " : "") + a.label;
        if (a.received === null) {
          y2 = bottom - 8;
          x2 = a.to === null ? x1 + colWidth * 0.45 : x(a.to);
          text += a.to === null ? " → all, not received" : " (in flight)";
        } else {
          y2 = y(a.received); x2 = a.to === null ? x1 + colWidth * 0.45 : x(a.to);
          if (a.kind === "dropped") text += " (dropped)";
          if (a.kind === "spontaneous") text += " (no recorded send)";
        }
        if (x1 === x2 && y1 === y2) x2 += 24;
        el("line", {x1: x1, y1: y1, x2: x2, y2: y2, "marker-end": "url(#" + (a.duplicate ? "headorange" : markers[a.kind]) + ")"}, g);
        const label = el("text", {x: 0, y: 0}, g, text);
        const w = label.getComputedTextLength(), h = 13;
        // Points along the arrow, from its middle outwards, then above and below its middle.
        const candidates = [];
        for (const t of [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9]) candidates.push([x1 + (x2 - x1) * t + 4, y1 + (y2 - y1) * t - 3]);
        for (let k = 1; k <= 12; k++) for (const sign of [-1, 1]) candidates.push([(x1 + x2) / 2 + 4, (y1 + y2) / 2 - 3 + sign * k * (h + 1)]);
        let at = candidates.find(([px, py]) => { const box = {x: px, y: py - h + 2, width: w, height: h}; return !placed.some(b => meets(box, b)); });
        if (at === undefined) at = candidates[0];
        label.setAttribute("x", at[0]); label.setAttribute("y", at[1]);
        placed.push({x: at[0], y: at[1] - h + 2, width: w, height: h});
      });
      if (data.loop !== null) {
        const y1 = rowTops[data.loop] + 4, y2 = bottom - 4;
        el("path", {class: "loop", d: "M 40 " + y1 + " L 34 " + y1 + " L 34 " + y2 + " L 40 " + y2});
        el("text", {class: "looptext", x: 22, y: (y1 + y2) / 2 + 4}, undefined, "↻");
      }
      document.getElementById("title").textContent = data.title;
      document.getElementById("subtitle").textContent = data.subtitle;
      if (data.loopText) document.getElementById("loop").textContent = "↻ " + data.loopText;
      let current = 0;
      function select(r, scroll) {
        current = Math.max(0, Math.min(rowsCount - 1, r));
        rowGroups.forEach((g, i) => g.classList.toggle("selected", i === current));
        const row = data.rows[current];
        document.getElementById("step").textContent = (current === 0 ? data.first.charAt(0).toUpperCase() + data.first.slice(1) : "Step " + current + ": ") + (current === 0 ? "" : row.description);
        const changes = document.getElementById("changes"); changes.replaceChildren();
        data.changes[current].forEach(c => { const li = document.createElement("li"); li.textContent = c; changes.appendChild(li); });
        const why = document.getElementById("why");
        const atViolation = data.why !== null && current === data.violation;
        why.hidden = !atViolation;
        if (atViolation) {
          let text = data.why.property + " fails here: " + data.why.summary + ".";
          if (data.why.conjuncts.length > 0) text += " False: " + data.why.conjuncts.join(", ") + ".";
          if (data.why.reads.length > 0) text += " It reads " + data.why.reads.join(", ") + " (in bold below).";
          why.textContent = text;
        }
        const table = document.getElementById("state"); table.replaceChildren();
        data.variables.forEach((name, v) => {
          const tr = document.createElement("tr");
          const classes = [];
          if (data.changed[current].includes(name)) classes.push("changed");
          if (atViolation && data.why.reads.includes(name)) classes.push("read");
          tr.className = classes.join(" ");
          const a = document.createElement("td"); a.className = "name"; a.textContent = name;
          const b = document.createElement("td"); b.className = "value"; b.textContent = data.states[current][v];
          tr.append(a, b); table.appendChild(tr);
        });
        if (scroll) rowGroups[current].scrollIntoView({block: "nearest"});
      }
      document.addEventListener("keydown", e => {
        if (e.key === "ArrowDown" || e.key === "ArrowRight" || e.key === "j") { select(current + 1, true); e.preventDefault(); }
        else if (e.key === "ArrowUp" || e.key === "ArrowLeft" || e.key === "k") { select(current - 1, true); e.preventDefault(); }
        else if (e.key === "Home") select(0, true);
        else if (e.key === "End") select(rowsCount - 1, true);
      });
      select(data.violation);
      rowGroups[current].scrollIntoView({block: "center"});
      document.body.dataset.lifelines = String(n);
      document.body.dataset.arrows = String(data.arrows.length);
      document.body.dataset.status = "ready";
    } catch (error) {
      document.body.dataset.status = "error: " + error;
    }
    })();
    </script>
    </body>
    </html>

    """#
}
