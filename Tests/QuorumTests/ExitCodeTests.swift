import Foundation
import QuorumCore
@testable import QuorumCLI
import Testing
import Paxos
import Raft
import RaftZ3

/// Exit codes and messages never hide a violation, and no option quietly checks nothing.
@Suite struct ExitCodeTests {
    func expectUsageError(_ arguments: [String], mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)", sourceLocation: sourceLocation)
        #expect(output.stderr.contains(text), "\(output.stderr)", sourceLocation: sourceLocation)
    }

    @Test func hugeAndNonNumericSizesAreUsageErrors() throws {
        for size in ["inf", "infG", "nan", "1e300G", "0x10", "99999999999T", "-1G", ""] {
            try expectUsageError(["check", "paxos", "--memory", size], mentioning: "--memory")
        }
        #expect(Settings.bytes("1.5G") == 3 << 29)
        #expect(Settings.bytes("800M") == 800 << 20)
    }

    @Test func aParameterSetTwiceIsAUsageError() throws {
        try expectUsageError(["check", "paxos", "--set", "maxBallot=1", "--set", "maxBallot=2"], mentioning: "given twice")
    }

    @Test func namingDeadlockChecksIt() throws {
        // AuditLog stops once the log is full and the adversary's budget spent.
        let output = try CLI.run(["check", "auditlog", "--invariant", "Deadlock", "--no-files", "--quiet"])
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("Deadlock (deadlock) violated"), "\(output.stdout)")
    }

    @Test func aViolationWinsOverAnIncompleteCheck() throws {
        let dir = try temporaryDirectory()
        let plan = """
            [[check]]
            spec = "Paxos"
            variant = "minorityQuorums"
            bounds = { maxBallot = 1 }
            expect = "ok"

            [[check]]
            spec = "Raft"
            bounds = { maxLogLength = 0 }
            expect = "ok"
            """
        try plan.write(to: dir.appendingPathComponent("plan.toml"), atomically: true, encoding: .utf8)
        let output = try CLI.run(["check", "--all", "--plan", "plan.toml", "--max-states", "5000", "--no-files", "--quiet"], in: dir)
        #expect(output.status == 1, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("FAIL  Paxos [minorityQuorums]"), "\(output.stdout)")
        #expect(output.stdout.contains("INCOMPLETE  Raft"), "\(output.stdout)")
    }

    @Test func anUnwritableReportKeepsTheViolationsExitCode() throws {
        let output = try CLI.run(["check", "paxos", "--variant", "minorityQuorums", "--no-files", "--quiet",
                                  "--json", "/nonexistent/dir/report.json"])
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stderr.contains("cannot write the JSON report"), "\(output.stderr)")
    }

    @Test(arguments: ["\r\n", "\n"], [true, false])
    func plansWithCRLFOrAByteOrderMarkParse(newline: String, bom: Bool) throws {
        let text = (bom ? "\u{FEFF}" : "") + ["# a plan", "[[check]]", "spec = \"Paxos\"", "expect = \"ok\""].joined(separator: newline) + newline
        let plan = try CheckPlan.parse(text, file: "plan.toml")
        #expect(plan.checks.count == 1)
        #expect(plan.checks[0].spec.name == "Paxos")
    }

    @Test func simulateTimeAloneRunsUntilTheTimeAndBoundsTheRunInProgress() throws {
        // One run a billion steps deep would take hours: --time must stop it.
        let output = try CLI.run(["simulate", "raft", "--runs", "1", "--depth", "1000000000", "--time", "1", "--no-files", "--workers", "1"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("stopped by --time 1.0 s"), "\(output.stdout)")
        let json = try CLI.run(["simulate", "paxos", "--depth", "5", "--time", "1", "--no-files", "--json", "-"])
        let report = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(report[0]["stoppedByTimeout"] as? Bool == true)
        // --time without --runs is not capped at the default 1,000 runs; --runs still caps it.
        #expect(SimulateCommand.runCount(runs: nil, time: 5) > 1_000_000_000)
        #expect(SimulateCommand.runCount(runs: nil, time: nil) == 1_000)
        #expect(SimulateCommand.runCount(runs: 7, time: 5) == 7)
    }

    @Test func aSelectionThatLeavesNothingToCheckIsAnError() throws {
        try expectUsageError(["simulate", "raft", "--invariant", "EventuallyLeader", "--runs", "5", "--no-files"],
                             mentioning: "random runs cannot check EventuallyLeader")
    }

    @Test func simulateSaysWhichPropertiesRandomRunsCannotCheck() throws {
        let output = try CLI.run(["simulate", "raft", "--runs", "5", "--depth", "20", "--no-files"])
        #expect(output.stdout.contains("not checked on random runs: EventuallyLeader"), "\(output.stdout)")
    }

    @Test func anInterruptedCheckWritesAnIncompleteReport() throws {
        let dir = try temporaryDirectory()
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["check", "raft", "--set", "maxLogLength=2", "--set", "maxMessages=2", "--no-files", "--quiet", "--json", "report.json"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until the explorer is running, then interrupt it by its own process id.
        Thread.sleep(forTimeInterval: 1.5)
        let pid = process.processIdentifier
        kill(pid, SIGINT)
        // It must stop by itself within seconds; never leave it running if it does not.
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            Issue.record("quorum check went on after SIGINT")
            return
        }
        #expect(process.terminationStatus == 3)
        let data = try Data(contentsOf: dir.appendingPathComponent("report.json"))
        let reports = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        #expect(reports[0]["result"] as? String == "incomplete")
        #expect(reports[0]["incompleteReason"] as? String == "interrupted by SIGINT")
        #expect((reports[0]["distinctStates"] as? Int ?? 0) > 0)
    }
}

/// What a new user meets first: a variant's own property first, initial states computed once.
@Suite struct NewUserTests {
    @Test func aVariantReportsTheDeclaredPropertyFirst() throws {
        // voteBelowPromise breaks Lamport's Inv after 7 steps, Agreement (the declared one) after 12.
        let output = try CLI.run(["check", "paxos", "--variant", "voteBelowPromise", "--no-files", "--quiet"])
        #expect(output.status == 1)
        let violated = output.stdout.split(separator: "\n").filter { $0.contains("violated after") }
        #expect(violated.first?.hasPrefix("Agreement (invariant) violated after 12 steps") == true, "\(output.stdout)")
    }

    /// A spec whose initial states are computed, counting how often they are asked for.
    struct CountedStart: TransitionSystem {
        final class Counter: @unchecked Sendable { var asked = 0 }
        let counter = Counter()
        var initialStates: [Counter_.State] { counter.asked += 1; return (0..<50).map { Counter_.State(x: $0) } }
        func enabledActions(in s: Counter_.State, into actions: inout [Counter_.Step]) { actions.append(.increment) }
        func apply(_ a: Counter_.Step, to s: Counter_.State) -> Counter_.State { Counter_.State(x: s.x + 1) }
        func isWithinBounds(_ s: Counter_.State) -> Bool { s.x < 100 }
        var invariants: [Invariant<Counter_.State>] { [] }
        var traceVariables: [String] { ["x"] }
        func traceValues(of s: Counter_.State) -> [ITFValue] { [.int(s.x)] }
    }

    @Test func theSimulatorComputesInitialStatesOnce() {
        let system = CountedStart()
        var options = SimulationOptions()
        options.runs = 200
        options.depth = 5
        options.workers = 1
        _ = Simulator(system, options: options).run()
        #expect(system.counter.asked == 1)
    }
}

typealias Counter_ = Counter

@Suite struct VacuousProofTests {
    @Test func proveWarnsWhenBoundsPinAVariableToOneValue() throws {
        let pinned = try CLI.run(["prove", "raft", "--invariant", "InductiveElectionSafety", "--set", "maxLogLength=0", "--no-files"])
        #expect(pinned.status == 0, "\(pinned.stderr)")
        #expect(pinned.stderr.contains("warning: at these bounds log, commitIndex, nextIndex, matchIndex can take only one value (maxLogLength = 0)"))
        // The default proof bounds let every variable vary.
        let values = try Raft.spec.resolve([:], base: Raft.spec.proofBounds)
        #expect(Raft.spec.singleValued(values).isEmpty)
    }

    /// An invariant that no state of the types violates at the bounds is "inductive" whatever the
    /// protocol does: LogMatching when logs hold at most one entry. Found by the solver, for any
    /// spec, invariant and conjunct; the proofs CI relies on are not vacuous.
    @Test func proveReportsAnInvariantThatHoldsInEveryStateOfTheTypes() throws {
        func vacuous(_ spec: SpecDescriptor, _ invariants: [String], implies: [String] = [], _ set: [String: Int] = [:]) throws -> [String] {
            let values = try spec.resolve(set, base: spec.proofBounds)
            var options = ProofOptions(invariants: invariants)
            options.implies = implies
            let report = try #require(try spec.symbolicModel(values, variant: nil)).prove(options)
            return report.vacuous
        }
        #expect(try vacuous(Raft.specWithEncoding, ["LogMatching"]) == ["LogMatching"])
        #expect(try vacuous(Raft.specWithEncoding, ["LogMatching"], ["maxLogLength": 2]) == [])
        #expect(try vacuous(Raft.specWithEncoding, ["InductiveElectionSafety"], implies: ["ElectionSafety"]) == [])
        #expect(try vacuous(Paxos.spec, ["InductiveInv"], implies: ["Agreement"]) == [])
        // Paxos's TypeOK is the encoding's domain itself.
        #expect(try vacuous(Paxos.spec, ["TypeOK"]) == ["TypeOK"])
        let run = try CLI.run(["prove", "raft", "--invariant", "LogMatching", "--no-files"])
        #expect(run.status == 0)
        #expect(run.stderr.contains("warning: LogMatching holds in every state of the spec's types at these bounds, reachable or not"))
    }
}
