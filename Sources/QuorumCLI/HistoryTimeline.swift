import QuorumCore
import QuorumHistory

/// A history as a picture: one row per client process, each operation a bar from its call to its
/// return (an indeterminate one fades out to the right), the witness of a failed check in red and
/// the operation where every order got stuck outlined, as Jepsen's and Porcupine's pages draw them.
/// A static page: no script, no network access.
enum HistoryTimeline {
    static func page(_ history: History, _ report: LinearizabilityReport, model: String, file: String) -> String {
        let ops = history.operations
        var processes: [JSONTree] = []
        for op in ops where !processes.contains(op.process) { processes.append(op.process) }
        // Real times when every operation has them, else the history's lines.
        let timed = ops.allSatisfy { $0.callTime != nil && ($0.outcome == .info || $0.returnTime != nil) }
        let start = timed ? ops.compactMap(\.callTime).min() ?? 0 : 0
        let end = timed ? (ops.compactMap(\.returnTime) + ops.compactMap(\.callTime)).max() ?? 1 : Double(history.events + 1)
        // Room on the right for the operations that never returned.
        let span = max(end - start, 1) * (ops.contains { $0.outcome == .info } ? 1.15 : 1)
        let left = 90.0, width = 1000.0, row = 34.0
        func x(_ t: Double) -> Double { left + (t - start) / span * width }
        let witness = Set(report.witness)
        var svg = ""
        for (k, p) in processes.enumerated() {
            let y = 30 + Double(k) * row
            svg += "<text x=\"8\" y=\"\(y + 17)\">\(esc(p.string ?? "p\(p.text)"))</text>"
            svg += "<line x1=\"\(left)\" x2=\"\(left + width)\" y1=\"\(y + 24)\" y2=\"\(y + 24)\" class=\"axis\"/>"
        }
        for op in ops {
            let y = 30 + Double(processes.firstIndex(of: op.process)!) * row
            let a = x(timed ? op.callTime! : Double(op.call))
            let b = op.outcome == .info ? left + width : x(timed ? op.returnTime! : Double(op.ret!))
            var cls = witness.contains(op.id) ? "op witness" : "op"
            if op.outcome == .info { cls += " info" }
            if op.id == report.stuck { cls += " stuck" }
            svg += "<g class=\"\(cls)\"><title>\(esc(op.text)) · lines \(op.call)–\(op.ret.map(String.init) ?? "…")</title>"
            svg += "<rect x=\"\(fmt(a))\" y=\"\(y + 4)\" width=\"\(fmt(max(b - a, 3)))\" height=\"20\" rx=\"3\"/>"
            svg += "<text x=\"\(fmt(a + 4))\" y=\"\(y + 18)\">\(esc(label(op)))</text></g>"
        }
        let height = 40 + Double(processes.count) * row
        var verdict = "\(report.verdict.rawValue) (model \(model), \(ops.count) operations, \(report.objects) object\(report.objects == 1 ? "" : "s"))"
        if report.verdict == .notLinearizable {
            verdict += "; in red, a smaller history that is not linearizable either"
                + (report.object.map { " (object \($0.text))" } ?? "")
        }
        var list = ""
        if report.verdict == .notLinearizable {
            list = "<h2>Witness</h2><ol>" + ops.filter { witness.contains($0.id) }.map { "<li>\(esc($0.text)) <span class=\"lines\">lines \($0.call)–\($0.ret.map(String.init) ?? "…")</span></li>" }.joined() + "</ol>"
        }
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
        <title>\(esc(file)): \(esc(report.verdict.rawValue))</title>
        <style>
        body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #1d2330; }
        svg text { font: 12px system-ui, sans-serif; }
        .axis { stroke: #c4cad3; }
        .op rect { fill: #d5e3f5; stroke: #6b8fc7; }
        .op.info rect { fill: #eef1f5; stroke-dasharray: 4 3; }
        .op.witness rect { fill: #f7c9c9; stroke: #c0392b; }
        .op.stuck rect { stroke-width: 3; }
        .lines { color: #5b6472; }
        </style></head><body>
        <h1>\(esc(file))</h1><p>\(esc(verdict))</p>
        <svg width="\(fmt(left + width + 20))" height="\(fmt(height))" role="img">\(svg)</svg>
        \(list)
        </body></html>
        """
    }

    static func label(_ op: ClientOperation) -> String {
        let text = op.f + (op.input == .null ? "" : " \(op.input.text)") + (op.outcome == .info ? " → ?" : op.output.map { $0 == op.input && $0 != .null ? "" : " → \($0.text)" } ?? "")
        return text.count > 40 ? String(text.prefix(39)) + "…" : text
    }

    static func esc(_ s: String) -> String { HTMLViewer.escapedForHTML(TraceDocument.visible(s)) }
    static func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
