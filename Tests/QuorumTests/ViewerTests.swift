import Foundation
import Testing
import QuorumCore
import QuorumCLI
import Raft

/// The committed counterexample of the Raft paper's Figure 8 (the commitPreviousTerm mutant).
let figure8 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("counterexamples/raft-commitPreviousTerm-LeaderCommitsCurrentTerm.itf.json")

@Suite struct SequenceDiagramTests {
    @Test func raftMessagesBecomeArrowsFromSendToReceiptOrDrop() throws {
        let document = try TraceDocument(json: Data(contentsOf: figure8))
        let diagram = try #require(Raft.diagram(document))
        #expect(diagram.lifelines == ["s1", "s2", "s3"])
        #expect(diagram.rows.count == document.steps.count)
        // Step 11 sends AppendEntries to s2; s2 takes it in at step 12 (raft.tla keeps the message,
        // as the entry was appended), and the network drops it at step 14.
        let fromEleven = diagram.arrows.filter { $0.sent == 11 }
        #expect(fromEleven.contains { $0.received == 12 && $0.kind == .delivered && $0.from == 0 && $0.to == 1 })
        #expect(fromEleven.contains { $0.received == 14 && $0.kind == .dropped })
        // Every RequestVote request that was sent got an answer; nothing is left in flight.
        #expect(!diagram.arrows.contains { $0.kind == .inFlight })
        // The lifelines tell Figure 8's story: s2 leads term 3 with the term-2 entry alone in its
        // log, and at the last step commits it; s1 kept the same entry.
        #expect(diagram.rows[0].labels == ["Follower t1 log[] c0", "Follower t1 log[] c0", "Follower t1 log[] c0"])
        #expect(diagram.rows[26].labels == ["Follower t3 log[2] c0", "Leader t3 log[2] c1", "Follower t1 log[] c0"])
    }

    @Test func aBroadcastIsReceivedOncePerStationAndAFaultyEchoNeedsNoSend() {
        let send = DiagramStep.Message(key: "echo-1", from: 0, to: nil, label: "ECHO")
        let forged = DiagramStep.Message(key: "echo-4", from: 3, to: nil, label: "ECHO")
        var rows = [DiagramStep(actor: nil, labels: [])]
        var one = DiagramStep(actor: 0, labels: [])
        one.sent = [send]
        var two = DiagramStep(actor: 1, labels: [])
        two.received = [send, forged]
        var three = DiagramStep(actor: 2, labels: [])
        three.received = [send]
        rows += [one, two, three]
        let diagram = SequenceDiagram(lifelines: ["1", "2", "3", "4"], steps: rows)
        #expect(diagram.arrows.filter { $0.kind == .delivered }.map { [$0.sent, $0.received!, $0.to!] } == [[1, 2, 1], [1, 3, 2]])
        #expect(diagram.arrows.contains { $0.kind == .spontaneous && $0.from == 3 && $0.sent == 2 })
    }
}

@Suite struct HTMLViewerTests {
    @Test func everyStringFromTheTraceIsEscaped() throws {
        var document = try TraceDocument(json: Data(contentsOf: figure8))
        let attack = "</script><img src=x onerror=alert(1)><script>alert(2)</script>&amp;"
        document.steps[1].description = attack
        document.steps[2].values[0] = .string(attack)
        document.variant = attack
        let page = HTMLViewer.page(document)
        #expect(!page.contains("<img"))
        #expect(!page.contains("alert(2)</script>"))
        // Exactly the two script elements of the template, and nothing that loads from the network.
        #expect(page.components(separatedBy: "<script").count == 3)
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("@import"))
        #expect(page.contains("\\u003c/script\\u003e\\u003cimg"))
    }

    /// Loads the page in headless Chromium and reads the DOM after the script ran. CI installs
    /// Debian's chromium and sets CI=true, so there the test cannot skip.
    @Test func thePageRendersInHeadlessChromium() throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must have chromium: .ci/run installs it")
            return
        }
        let document = try TraceDocument(json: Data(contentsOf: figure8))
        let diagram = try #require(Raft.diagram(document))
        let directory = try temporaryDirectory()
        let file = directory.appendingPathComponent("figure8.html")
        try HTMLViewer.page(document).write(to: file, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(chromium, file)
        #expect(dom.contains("data-status=\"ready\""), "the script failed: \(dom.prefix(400))")
        #expect(dom.components(separatedBy: "class=\"lifeline\"").count - 1 == 3)
        #expect(dom.components(separatedBy: "class=\"arrow ").count - 1 == diagram.arrows.count)
        #expect(dom.contains("data-arrows=\"\(diagram.arrows.count)\""))
        #expect(diagram.arrows.count >= 10)
    }
}

/// What a reader sees on the committed pages, measured in Chromium's layout.
@Suite struct ViewerLayoutTests {
    /// Figure 8 (Raft, long lifeline labels), a Paxos counterexample whose 1b messages from one
    /// acceptor once rendered on top of each other, a broadcast, and a counterexample to induction.
    static let pages = ["raft-commitPreviousTerm-LeaderCommitsCurrentTerm", "paxos-ignoreHighestVote-Agreement",
                        "resultbroadcast-doubleCountedEcho-Unforgeability", "paxos-Inv-cti"]

    /// No two texts of the diagram overlap, and every step's action is shown whole (wrapped, not
    /// cut off with "…"). The measuring script is the test's own, added to the page here.
    @Test(arguments: pages) func labelsDoNotOverlapAndActionsAreShownWhole(_ name: String) throws {
        let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let chromium else {
            #expect(ProcessInfo.processInfo.environment["CI"] == nil, "CI must have chromium: .ci/run installs it")
            return
        }
        let trace = figure8.deletingLastPathComponent().appendingPathComponent(name + ".itf.json")
        let document = try TraceDocument(json: Data(contentsOf: trace))
        let measure = #"""
            <script>
            (function () {
              const texts = [...document.querySelectorAll("#diagram text")].filter(t => !t.closest(".head") && t.textContent.trim() !== "");
              const boxes = texts.map(t => t.getBBox());
              const pairs = [];
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i], b = boxes[j];
                const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
                const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
                if (w > 1 && h > 1) pairs.push(texts[i].textContent + " / " + texts[j].textContent);
              }
              document.body.dataset.overlaps = String(pairs.length);
              const out = document.createElement("pre"); out.id = "overlaps"; out.textContent = pairs.slice(0, 5).join("\n");
              document.body.appendChild(out);
              const shown = [...document.querySelectorAll("#diagram .row")].map(g => [...g.querySelectorAll("text.desc")].map(t => t.textContent).join(" "));
              const out2 = document.createElement("pre"); out2.id = "shown"; out2.textContent = JSON.stringify(shown);
              document.body.appendChild(out2);
            })();
            </script>
            """#
        let page = HTMLViewer.page(document).replacingOccurrences(of: "</body>", with: measure + "</body>")
        let file = try temporaryDirectory().appendingPathComponent(name + ".html")
        try page.write(to: file, atomically: true, encoding: .utf8)
        let dom = try Chromium.dumpDOM(chromium, file)
        #expect(dom.contains("data-status=\"ready\""), "the script failed: \(dom.prefix(400))")
        let overlaps = dom.components(separatedBy: "id=\"overlaps\">").dropFirst().first?.components(separatedBy: "</pre>").first ?? "?"
        #expect(dom.contains("data-overlaps=\"0\""), "overlapping texts: \(overlaps)")
        let shown = dom.components(separatedBy: "id=\"shown\">").dropFirst().first?.components(separatedBy: "</pre>").first ?? ""
        for step in document.steps.dropFirst() {
            let words = step.description.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "\\\"")
            #expect(shown.contains("\"" + words + "\""), "step not shown whole: \(step.description)")
        }
    }
}

enum Chromium {
    static func dumpDOM(_ chromium: String, _ file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", file.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
