import Foundation
import MultiPaxos
import Paxos
import QuorumCore
import Raft
import ResultBroadcast
import Testing
import TwoPhaseCommit

/// `quorum validate` confirms the runs a spec allows, whatever order the nodes' logs come in, and
/// rejects the runs of a buggy node, naming the event no interleaving explains.
@Suite struct TraceValidationTests {
    /// A seeded random behaviour of `steps` steps (fewer where it deadlocks).
    func randomRun<S: TransitionSystem>(_ system: S, steps: Int, seed: UInt64) -> Trace<S> {
        var random = SeededGenerator(seed: seed)
        var trace = Trace<S>(initial: system.initialStates[random.below(system.initialStates.count)])
        for _ in 0..<steps {
            guard system.isWithinBounds(trace.last) else { break }
            let enabled = system.enabledActions(in: trace.last)
            if enabled.isEmpty { break }
            let action = enabled[random.below(enabled.count)]
            trace.append(action, system.apply(action, to: trace.last))
        }
        return trace
    }

    /// Random runs, their steps logged per node with every variable's value for that node, are
    /// explained; the behaviour found takes every event, and logging it again gives the same logs.
    func expectRunsExplained<S: TransitionSystem>(_ system: S, steps: Int, seeds: ClosedRange<UInt64> = 1...5,
                                                  sourceLocation: SourceLocation = #_sourceLocation) {
        for seed in seeds {
            let run = randomRun(system, steps: steps, seed: seed)
            let events = system.nodeLogs(of: run, stateVariables: system.traceVariables)
            let logs = NodeLogs(events)
            let v = system.validate(logs)
            #expect(v.verdict == .explained, "seed \(seed): \(v.pending.map(\.text)) \(v.reasons)", sourceLocation: sourceLocation)
            #expect(v.taken == events.count, sourceLocation: sourceLocation)
            let again = NodeLogs(system.nodeLogs(of: v.trace, stateVariables: system.traceVariables))
            #expect(Set(again.nodes.map(\.json)) == Set(logs.nodes.map(\.json)), "seed \(seed)", sourceLocation: sourceLocation)
            for (node, mine) in zip(logs.nodes, logs.events) {
                #expect(again.events[again.nodes.firstIndex(of: node) ?? 0] == mine, "seed \(seed)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func randomRunsOfEverySpecAreExplained() {
        expectRunsExplained(Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 2), steps: 30)
        expectRunsExplained(Paxos(acceptors: 3, values: 2, maxBallot: 2), steps: 15)
        expectRunsExplained(TwoPhaseCommit(resourceManagers: 3), steps: 20)
        expectRunsExplained(ResultBroadcast(stations: 3, maxFaulty: 1), steps: 12)
        expectRunsExplained(MultiPaxos(), steps: 15, seeds: 1...2)
    }

    /// The logs a node's steps would write if it does not persist its vote (Raft's
    /// forgetVoteOnRestart mutant: the committed counterexample) are refused at the restart that
    /// loses the vote when the logs show votedFor, and at the second vote granted in a term when not.
    @Test func aNodeThatForgetsItsVoteIsCaught() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("counterexamples/raft-forgetVoteOnRestart-ElectionSafety.itf.json"))
        let document = try TraceDocument(json: data)
        let buggy = Raft(servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1, mutation: .forgetVoteOnRestart)
        let run = try buggy.trace(of: document)
        let raft = Raft(servers: 3, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1)

        let withVotes = raft.validate(NodeLogs(buggy.nodeLogs(of: run, stateVariables: ["votedFor"])))
        #expect(withVotes.verdict == .unexplained)
        #expect(withVotes.taken == 11)
        let restart = try #require(withVotes.pending.first { $0.action == "Restart" })
        #expect(restart.node == .string("s2"))
        #expect(withVotes.reasons.contains { $0.contains("votedFor = s1, the log Nil") }, "\(withVotes.reasons)")

        let actionsOnly = raft.validate(NodeLogs(buggy.nodeLogs(of: run)))
        #expect(actionsOnly.verdict == .unexplained)
        #expect(actionsOnly.taken == 13)
        #expect(actionsOnly.pending.map(\.action) == ["Receive"])
        #expect(actionsOnly.reasons == ["no enabled Receive of s3 has these parameters; enabled: s3 receives s2 → s3 RequestVoteResponse(term 2, denied)"])
        // Without the network's steps the run is still explained (it drops and duplicates nothing),
        // through fewer configurations.
        let logs = NodeLogs(buggy.nodeLogs(of: run, stateVariables: ["votedFor"]))
        let all = buggy.validate(logs), none = buggy.validate(logs, options: ValidationOptions(silentActions: []))
        #expect(all.verdict == .explained && none.verdict == .explained)
        #expect(none.configurations < all.configurations, "\(none.configurations) vs \(all.configurations)")
        // The same logs are a behaviour of the buggy spec.
        #expect(buggy.validate(NodeLogs(buggy.nodeLogs(of: run, stateVariables: ["votedFor"]))).verdict == .explained)
    }

    /// A node's events out of order, or one with a field changed, are caught at that event.
    @Test func reorderedAndAlteredEventsAreCaught() {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 2)
        let run = randomRun(raft, steps: 30, seed: 7)
        let events = raft.nodeLogs(of: run, stateVariables: ["currentTerm", "state"])
        let busiest = NodeLogs(events).events.max { $0.count < $1.count }![0].node
        let s1 = events.indices.filter { events[$0].node == busiest && events[$0].action != "Restart" }
        #expect(s1.count >= 3)
        // Swapping s1's first two steps (say, a Timeout and what follows from it).
        var swapped = events
        swapped.swapAt(s1[0], s1[1])
        let v = raft.validate(NodeLogs(swapped))
        #expect(v.verdict == .unexplained)
        #expect(v.pending.contains { $0 == swapped[s1[0]] }, "\(v.pending.map(\.text))")

        // A term one higher than the step gives.
        var altered = events
        let k = s1[1]
        let state = altered[k].state.map { ($0.name, $0.name == "currentTerm" ? .int($0.value.intValue! + 1) : $0.value) }
        altered[k] = NodeEvent(node: altered[k].node, action: altered[k].action, parameters: altered[k].parameters.map { ($0.name, $0.value) },
                               state: state)
        let w = raft.validate(NodeLogs(altered))
        #expect(w.verdict == .unexplained)
        #expect(w.pending.contains { $0 == altered[k] })
        #expect(w.reasons.contains { $0.contains("currentTerm") }, "\(w.reasons)")
    }

    /// A search that runs out of configurations says so rather than guess.
    @Test func aSearchOverItsLimitIsUndecided() {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 2)
        let run = randomRun(raft, steps: 30, seed: 3)
        let v = raft.validate(NodeLogs(raft.nodeLogs(of: run)), options: ValidationOptions(maxConfigurations: 5))
        #expect(v.verdict == .undecided)
    }

    /// Every malformed line is an error naming its file and line.
    @Test func malformedLogsAreRefusedWithTheirPlace() {
        let bad = [
            "not json": "log.jsonl:2: not a JSON object",
            "[1, 2]": "log.jsonl:2: not a JSON object",
            "{\"action\": \"Timeout\"}": "log.jsonl:2: no \"node\"",
            "{\"node\": \"s1\"}": "log.jsonl:2: no \"action\" string",
            "{\"node\": [1], \"action\": \"Timeout\"}": "log.jsonl:2: \"node\" is neither a name nor a number",
            "{\"node\": \"s1\", \"action\": \"Timeout\", \"parameters\": 3}": "log.jsonl:2: \"parameters\" is not an object",
            "{\"node\": \"s1\", \"action\": \"Timeout\", \"state\": {\"currentTerm\": null}}": "log.jsonl:2: state.currentTerm: null is not an ITF value",
        ]
        for (line, message) in bad {
            let text = "{\"node\": \"s1\", \"action\": \"Timeout\"}\n" + line + "\n"
            #expect(throws: TraceFormatError.self) { try NodeEvent.read(jsonLines: Data(text.utf8), file: "log.jsonl") }
            do {
                _ = try NodeEvent.read(jsonLines: Data(text.utf8), file: "log.jsonl")
            } catch {
                #expect("\(error)" == message, "\(line)")
            }
        }
        #expect(throws: TraceFormatError.self) { try NodeEvent.read(jsonLines: Data([0xff, 0xfe]), file: "log.jsonl") }
    }

    /// An event written and read back is the same event.
    @Test func eventsRoundTripThroughJSONLines() throws {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 1, maxMessages: 2)
        let events = raft.nodeLogs(of: randomRun(raft, steps: 30, seed: 5), stateVariables: raft.traceVariables)
        let text = events.map(\.jsonLine).joined(separator: "\n")
        let read = try NodeEvent.read(jsonLines: Data(text.utf8), file: "x")
        #expect(read.count == events.count)
        for (a, b) in zip(read, events) {
            #expect(a.node == b.node && a.action == b.action && a.parameters == b.parameters && a.state == b.state)
        }
    }

    /// The command line: exit 0 for logs it explains, 1 for logs it cannot, 2 for bad input, 3 for
    /// a search cut short.
    @Test func theCommandLineSaysWhichByItsExitCode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bounds = ["--set", "servers=3", "--set", "values=1", "--set", "maxTerm=2", "--set", "maxLogLength=0", "--set", "maxMessages=1"]
        func logs(_ trace: String, _ name: String, _ extra: [String] = []) throws -> [String] {
            let out = dir.appendingPathComponent(name).path
            let made = try CLI.run(["node-logs", repositoryRoot.appendingPathComponent("counterexamples/\(trace).itf.json").path, "--out", out] + extra)
            #expect(made.status == 0, "\(made.stderr)")
            return ["s1", "s2", "s3"].map { "\(out)/\($0).jsonl" }
        }
        let good = try logs("raft-EventuallyLeader", "good", ["--state", "currentTerm", "--state", "state"])
        let explained = try CLI.run(["validate", "raft"] + good + bounds + ["--out", dir.appendingPathComponent("v").path])
        #expect(explained.status == 0, "\(explained.stdout)\(explained.stderr)")
        #expect(explained.stdout.contains("result: explained: a behaviour of 30 steps takes every event in its node's order"), "\(explained.stdout)")
        let page = try String(contentsOfFile: dir.appendingPathComponent("v/raft-explained.md").path, encoding: .utf8)
        #expect(page.contains("## Validation of the nodes' logs"))

        let buggy = try logs("raft-forgetVoteOnRestart-ElectionSafety", "bug", ["--state", "votedFor"])
        let refused = try CLI.run(["validate", "raft"] + buggy + bounds + ["--no-files"])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("the furthest takes 11 of 18 events"), "\(refused.stdout)")
        #expect(refused.stdout.contains("after s2: Restart, the spec gives votedFor = s1, the log Nil"), "\(refused.stdout)")

        let cut = try CLI.run(["validate", "raft"] + good + bounds + ["--no-files", "--max-configurations", "3"])
        #expect(cut.status == 3, "\(cut.stdout)\(cut.stderr)")

        let bad = dir.appendingPathComponent("bad.jsonl").path
        for (line, message) in [("{\"node\": \"s1\"}", "bad.jsonl:1: no \"action\" string"),
                                ("{\"node\": \"s9\", \"action\": \"Timeout\"}", "s9 is not a process of Raft at these bounds"),
                                ("{\"node\": \"s1\", \"action\": \"Crash\"}", "Raft has no action Crash")] {
            try (line + "\n").write(toFile: bad, atomically: true, encoding: .utf8)
            let refusedInput = try CLI.run(["validate", "raft", bad, "--no-files"])
            #expect(refusedInput.status == 2, "\(line): \(refusedInput.stderr)")
            #expect(refusedInput.stderr.contains(message), "\(refusedInput.stderr)")
        }
        let empty = try CLI.run(["validate", "raft", dir.appendingPathComponent("nothing.jsonl").path])
        #expect(empty.status == 2)
    }
}
