import Foundation
@testable import QuorumCLI
import QuorumCore
import Raft
import Testing

/// Trace files written to deceive or to crash: each must be refused with a clear error and exit
/// code 2, and none may stop `replay` from going on to the next file.
@Suite struct HostileTraceTests {
    /// A Raft trace of `count` Timeout(s1) steps, computed without the bounds; past term 250 the
    /// file repeats its last state (what a hand-made file would claim).
    func timeouts(_ count: Int, claimedMaxTerm: Int) -> TraceDocument {
        let raft = Raft(servers: 3, values: 1, maxTerm: 15, maxLogLength: 0, maxMessages: 1)
        var trace = Trace<Raft>(initial: raft.initialStates[0])
        for _ in 0..<count {
            let state = trace.last.currentTerm[0] < 250 ? raft.apply(.timeout(0), to: trace.last) : trace.last
            trace.append(.timeout(0), state)
        }
        return TraceDocument(trace, of: raft, spec: "Raft", variant: nil,
                             parameters: [("servers", 3), ("values", 1), ("maxTerm", claimedMaxTerm), ("maxLogLength", 0), ("maxMessages", 1)],
                             property: nil, kind: nil)
    }

    /// Writes `files` (name → text) to a new directory and replays them all, in order.
    func replay(_ files: [(String, String)]) throws -> CLI.Output {
        let dir = try temporaryDirectory()
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return try CLI.run(["replay"] + files.map(\.0) + ["good.itf.json"], in: dir)
    }

    func committed(_ name: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/\(name).itf.json"), encoding: .utf8)
    }

    /// Runs one hostile file followed by a good one: exit 2, the message names the problem, and the
    /// good file still replays (no trap took the process down).
    func expectRefused(_ text: String, mentioning phrase: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let good = try committed("raft-forgetVoteOnRestart-ElectionSafety")
        let output = try replay([("bad.itf.json", text), ("good.itf.json", good)])
        #expect(output.status == 2, "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(phrase), "\(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stdout.contains("ok    good.itf.json"), "the next file was not replayed: \(output.stdout)", sourceLocation: sourceLocation)
    }

    @Test func aTraceThatLeavesItsBoundsIsRefused() throws {
        try expectRefused(timeouts(20, claimedMaxTerm: 2).json, mentioning: "state 2 leaves the bounds")
    }

    @Test func valuesBeyondWhatPackedStorageHoldsAreRefusedNotTrapped() throws {
        try expectRefused(timeouts(300, claimedMaxTerm: 15).json, mentioning: "state 15 leaves the bounds")
    }

    @Test func loweredBoundsInACommittedCounterexampleAreRefused() throws {
        let text = try committed("raft-commitPreviousTerm-LeaderCommitsCurrentTerm")
            .replacingOccurrences(of: "\"maxTerm\":{\"#bigint\":\"3\"}", with: "\"maxTerm\":{\"#bigint\":\"1\"}")
        try expectRefused(text, mentioning: "leaves the bounds")
    }

    @Test func everyParameterMustBeNamed() throws {
        let text = try committed("raft-commitPreviousTerm-LeaderCommitsCurrentTerm")
            .replacingOccurrences(of: "\"maxTerm\":{\"#bigint\":\"3\"},", with: "")
        try expectRefused(text, mentioning: "does not name maxTerm")
    }

    @Test func duplicatedMessagesBeyondTheBoundAreRefused() throws {
        let raft = Raft(servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 15)
        var trace = Trace<Raft>(initial: raft.initialStates[0])
        trace.append(.timeout(0), raft.apply(.timeout(0), to: trace.last))
        trace.append(.requestVote(0, 1), raft.apply(.requestVote(0, 1), to: trace.last))
        let message = try #require(trace.last.messages.items.first?.message)
        for _ in 0..<300 {
            let next = trace.last.messages.canAdd(message) ? raft.apply(.duplicateMessage(message), to: trace.last) : trace.last
            trace.append(.duplicateMessage(message), next)
        }
        let document = TraceDocument(trace, of: raft, spec: "Raft", variant: nil,
                                     parameters: [("servers", 3), ("values", 1), ("maxTerm", 2), ("maxLogLength", 0), ("maxMessages", 15)],
                                     property: nil, kind: nil)
        try expectRefused(document.json, mentioning: "state 17 leaves the bounds")
    }

    @Test func aCounterexampleToInductionOutsideTheDomainIsRefused() throws {
        let name = "raft-InductiveElectionSafety-without-countedVotesWereCast-cti"
        var text = try committed(name)
        let original = "\"nextIndex\":{\"#map\":[[\"s1\",{\"#map\":[[\"s1\",{\"#bigint\":\"1\"}]"
        #expect(text.contains(original))
        text = text.replacingOccurrences(of: original, with: original.replacingOccurrences(of: "\"1\"}]", with: "\"0\"}]"))
        try expectRefused(text, mentioning: "state 0 is not a state of the spec")
    }

    @Test func aCounterexampleToInductionReadsAsOneNotAsAViolation() throws {
        let output = try replay([("cti.itf.json", try committed("raft-InductiveElectionSafety-without-countedVotesWereCast-cti")),
                                 ("good.itf.json", try committed("raft-forgetVoteOnRestart-ElectionSafety"))])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("a counterexample to induction of InductiveElectionSafety without countedVotesWereCast"))
        #expect(!output.stdout.contains("violates InductiveElectionSafety at the end"))
    }

    @Test func aLassoMustStartInAnInitialState() throws {
        // Mark Raft's committed lasso as a counterexample to induction: its first state would then
        // be an arbitrary one, which a liveness counterexample may not have.
        let text = try committed("raft-EventuallyLeader")
            .replacingOccurrences(of: "\"source\":\"quorum\",", with: "\"source\":\"quorum\",\"induction\":{\"assumes\":[\"ElectionSafety\"],\"without\":[]},")
        try expectRefused(text, mentioning: "must start in an initial state")
    }

    @Test func aCounterexampleToInductionTakesAtMostOneStep() throws {
        let text = try committed("raft-forgetVoteOnRestart-ElectionSafety")
            .replacingOccurrences(of: "\"source\":\"quorum\",", with: "\"source\":\"quorum\",\"induction\":{\"assumes\":[\"ElectionSafety\"],\"without\":[]},")
        try expectRefused(text, mentioning: "at most one step")
    }

    @Test func aDescriptionThatIsNotTheSpecsIsRefused() throws {
        let text = try committed("raft-commitPreviousTerm-LeaderCommitsCurrentTerm")
        let replaced = text.replacingOccurrences(of: "\"action\":\"s1: Timeout\"", with: "\"action\":\"Nothing happened\"")
        #expect(replaced != text)
        try expectRefused(replaced, mentioning: "but the spec describes it as \"s1: Timeout\"")
    }
}

/// `show`, in the terminal and as a page, on files that are well-formed JSON but not what Quorum wrote.
@Suite struct HostileShowTests {
    func committed(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/\(name).itf.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    func write(_ object: [String: Any]) throws -> (URL, String) {
        let dir = try temporaryDirectory()
        let file = dir.appendingPathComponent("t.itf.json")
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        return (dir, file.path)
    }

    /// The page's embedded data, parsed as JSON.
    func pageData(_ html: String) throws -> [String: Any] {
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"trace-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        return try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)) as! [String: Any]
    }

    @Test func aPageForATraceWithoutAVariableHasNoDiagramButIsWritten() throws {
        // TwoPhaseCommit's diagram reads msgs in every state; this file declares no such variable.
        var object = try committed("twophasecommit-commitWithoutAllPrepared-TCConsistent")
        object["vars"] = (object["vars"] as! [String]).filter { $0 != "msgs" }
        let (dir, file) = try write(object)
        let output = try CLI.run(["show", file, "--html", "page.html"], in: dir)
        #expect(output.status == 0, "\(output.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("page.html"), encoding: .utf8)
        let data = try pageData(html)
        #expect((data["subtitle"] as? String)?.contains("no diagram: the file does not replay") == true)
    }

    @Test(arguments: ["9223372036854775807", "-9223372036854775808", "2000000000"])
    func hugeBagCountsDoNotCrashThePage(count: String) throws {
        let name = "raft-forgetVoteOnRestart-ElectionSafety"
        var text = try String(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/\(name).itf.json"), encoding: .utf8)
        // Every copy count in the bag (a map from message to count) becomes `count`.
        let before = text
        text = text.replacingOccurrences(of: "},{\"#bigint\":\"1\"}]", with: "},{\"#bigint\":\"\(count)\"}]")
        #expect(text != before)
        let dir = try temporaryDirectory()
        try text.write(to: dir.appendingPathComponent("t.itf.json"), atomically: true, encoding: .utf8)
        let page = try CLI.run(["show", "t.itf.json", "--html", "page.html"], in: dir)
        #expect(page.status == 0, "\(page.stderr)")
        let terminal = try CLI.run(["show", "t.itf.json"], in: dir)
        #expect(terminal.status == 0, "\(terminal.stderr)")
        let replay = try CLI.run(["replay", "t.itf.json"], in: dir)
        #expect(replay.status == 2, "\(replay.stdout)")
    }

    @Test func aPlaceholderInTheFilesTextStaysText() throws {
        var object = try committed("paxos-minorityQuorums-Agreement")
        var meta = object["#meta"] as! [String: Any]
        meta["variant"] = "x@TITLE@y@DATA@z"
        object["#meta"] = meta
        let (dir, file) = try write(object)
        let output = try CLI.run(["show", file, "--html", "page.html"], in: dir)
        #expect(output.status == 0, "\(output.stderr)")
        let html = try String(contentsOf: dir.appendingPathComponent("page.html"), encoding: .utf8)
        let data = try pageData(html)
        #expect((data["title"] as? String)?.contains("x@TITLE@y@DATA@z") == true)
        #expect(HTMLViewer.fill("<@A@|@B@|@C@>", ["A": "@B@", "B": "b"]) == "<@B@|b|@C@>")
    }

    @Test(arguments: [false, true])
    func showNeverPrintsControlCharactersFromAFile(plain: Bool) throws {
        var object = try committed("paxos-minorityQuorums-Agreement")
        var states = object["states"] as! [[String: Any]]
        var meta = states[1]["#meta"] as! [String: Any]
        meta["action"] = "\u{1B}[2J\u{1B}]0;owned\u{07}Phase1a"
        states[1]["#meta"] = meta
        object["states"] = states
        let (_, file) = try write(object)
        let output = try CLI.run(["show", file] + (plain ? ["--plain"] : []))
        #expect(output.status == 0, "\(output.stderr)")
        #expect(!output.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(output.stdout)")
        #expect(output.stdout.contains("\\u{1B}[2J"))
    }
}

/// A counterexample to induction starts in a state that need not be reachable: no output calls it initial.
@Suite struct InductionWordingTests {
    @Test func aCounterexampleToInductionNeverCallsItsFirstStateInitial() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/paxos-Inv-cti.itf.json"))
        let document = try TraceDocument(json: data)
        let phrase = "an arbitrary state satisfying Inv"
        #expect(document.text.contains(phrase) && !document.text.contains(" init "))
        #expect(document.markdown.contains("## An arbitrary state satisfying Inv") && !document.markdown.contains("Initial state"))
        let page = HTMLViewer.page(document)
        #expect(page.contains("\"first\": \"\(phrase)\""))
        #expect(ShowCommand.render(document).contains(phrase))
    }
}

/// The page and the terminal say why the last step violates the property, and the page opens there.
@Suite struct ExplanationTests {
    @Test func thePageOpensOnTheViolatingStepAndSaysWhy() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/raft-forgetVoteOnRestart-ElectionSafety.itf.json"))
        let document = try TraceDocument(json: data)
        let html = HTMLViewer.page(document)
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"trace-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let page = try JSONSerialization.jsonObject(with: Data(html[start.upperBound..<end.lowerBound].utf8)) as! [String: Any]
        #expect(page["violation"] as? Int == document.steps.count - 1)
        let why = try #require(page["why"] as? [String: Any])
        #expect(why["property"] as? String == "ElectionSafety")
        #expect(why["reads"] as? [String] == ["currentTerm", "state"])
        #expect(html.contains("scrollIntoView({block: \"center\"})"))
        #expect(ShowCommand.render(document).contains("why: ElectionSafety: no two servers are leaders in the same term; it reads currentTerm, state"))
    }
}
