import Foundation
import Paxos
@testable import QuorumCLI
import Raft
@testable import QuorumCore
import Testing

/// Nodes built on the spec's own steps, run as processes on loopback and validated against the spec.
@Suite struct ClusterTests {
    /// A node takes only its own steps, on what it has heard: projected from any reachable state
    /// it has no step the spec would not allow it.
    @Test func aNodeTakesOnlyStepsOfItsOwnThatChangeSomething() throws {
        let paxos = Paxos(acceptors: 3, values: 2, maxBallot: 2)
        var node = try #require(NodeMachine(paxos, node: 1, from: paxos.initialStates[0]))
        #expect(node.node == .string("a2"))
        // Node 2 (a2) leads ballots 1 (1 mod 3): its first steps can only be Phase1a(1).
        let first = try #require(node.step { _ in 0 })
        #expect(first.name == "Phase1a" && first.action == "leader of ballot 1 → all: Phase1a(ballot 1)", "\(first.action)")
        // A proposer's step is no process's, but the node that took it logs it, so that
        // validation takes it in the node's order.
        #expect(first.event?.action == "Phase1a" && first.event?.node == .string("a2"))
        #expect(first.sent == [.record([("type", .string("1a")), ("bal", .int(1))])])
        // Hearing its own 1a again is nothing new; a message the spec cannot hold is refused.
        let again = node.deliver(.record([("type", .string("1a")), ("bal", .int(1))]))
        let beyond = node.deliver(.record([("type", .string("1a")), ("bal", .int(9))]))
        let garbage = node.deliver(.string("garbage"))
        #expect(!again && !beyond && !garbage)
        // Its acceptor promises ballot 1 and logs it with its state.
        let promise = try #require(node.step { _ in 0 })
        #expect(promise.event?.action == "Phase1b")
        #expect(promise.event?.state.first { $0.name == "maxBal" }?.value == .int(1))
        #expect(NodeMachine(paxos, node: 3, from: paxos.initialStates[0]) == nil)
    }

    /// A Raft node's bag keeps what it has yet to take in: a step that consumes a message reports
    /// it as received (what paces a leader's catch-up), and what a step sends leaves the bag.
    @Test func aBagStepReportsWhatItTookIn() throws {
        let m = ITFValue.record([("mtype", .string("AppendEntriesResponse")), ("msource", .string("s2"))])
        let n = ITFValue.record([("mtype", .string("AppendEntriesRequest")), ("msource", .string("s1"))])
        let step = try #require(Messages.sent(before: .map([(m, .int(2))]), after: .map([(m, .int(1)), (n, .int(1))])))
        #expect(step.sent == [n] && step.received == [m])
        #expect(step.kept == .map([(m, .int(1))]))
        let set = try #require(Messages.sent(before: .set([m]), after: .set([m, n])))
        #expect(set.sent == [n] && set.received.isEmpty)
    }

    /// A node keeps the spec's own state between steps rather than reading its trace values back
    /// each time: three Raft nodes exchanging their messages for 300 rounds, each node's kept state
    /// is always the one its values read as.
    @Test func aNodeKeepsTheStateItsValuesReadAs() throws {
        let description = RaftDescription(Raft(servers: 3, values: 1, maxTerm: 10, maxLogLength: 6, maxMessages: 6))
        var nodes = try (0..<3).map { try #require(NodeMachine(description, node: $0, from: description.initialStates[0])) }
        var random = SeededGenerator(seed: 7)
        var (steps, delivered, mismatches) = (0, 0, 0)
        for _ in 0..<300 {
            let k = random.below(3)
            guard let taken = nodes[k].step(choosing: { random.below($0) }) else { continue }
            steps += 1
            for message in taken.sent {
                for j in 0..<3 where j != k && message[field: "mdest"] == description.processValue(j) {
                    if nodes[j].deliver(message) { delivered += 1 }
                }
            }
            for node in nodes where (node.typed as? RaftVariables) != description.state(fromTraceValues: node.values) { mismatches += 1 }
        }
        #expect(mismatches == 0 && steps >= 50 && delivered >= 15, "\(mismatches) mismatches, \(steps) steps, \(delivered) delivered")
    }

    /// Three Paxos nodes as processes for a second: whatever order their messages arrive in, the
    /// logs are a behaviour of the spec and Agreement holds on it.
    @Test func aPaxosClusterRunsAndValidates() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["cluster", "paxos", "--set", "maxBallot=2", "--duration", "1", "--clients", "0", "--out", dir.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("result: explained"), "\(run.stdout)")
        #expect(run.stdout.contains("every invariant holds on the behaviour found"), "\(run.stdout)")
        for node in ["a1", "a2", "a3"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(node).jsonl").path))
        }
        // Killed with kill -9 and restarted, or paused, a node resumes from its durable state:
        // the spec cannot tell.
        let faulty = try CLI.run(["cluster", "paxos", "--set", "maxBallot=3", "--duration", "1.5", "--faults", "1", "--clients", "0",
                                  "--out", dir.appendingPathComponent("faults").path])
        #expect(faulty.status == 0, "\(faulty.stdout)\(faulty.stderr)")
        #expect(faulty.stdout.contains("fault: ") && faulty.stdout.contains("network: "), "\(faulty.stdout)")
        #expect(faulty.stdout.contains("every invariant holds on the behaviour found"), "\(faulty.stdout)")
        let commit = try CLI.run(["cluster", "twophasecommit", "--duration", "1", "--out", dir.appendingPathComponent("2pc").path])
        #expect(commit.status == 0, "\(commit.stdout)\(commit.stderr)")
        #expect(commit.stdout.contains("every invariant holds on the behaviour found"), "\(commit.stdout)")
        // Three Raft servers elect a leader and replicate its log through raft.tla's own steps,
        // timers and heartbeats around them; the spec explains what they did.
        let raft = try CLI.run(["cluster", "raft", "--set", "maxTerm=15", "--set", "maxLogLength=7", "--set", "maxMessages=15",
                                "--duration", "1", "--clients", "0", "--out", dir.appendingPathComponent("raft").path])
        #expect(raft.status == 0, "\(raft.stdout)\(raft.stderr)")
        #expect(raft.stdout.contains("every invariant holds on the behaviour found"), "\(raft.stdout)")
        // The live summary: each node's role, term and commit index, twice a second.
        #expect(raft.stderr.contains("(state, currentTerm, commitIndex)"), "\(raft.stderr)")
        let refused = try CLI.run(["cluster", "auditlog", "--duration", "1", "--out", dir.path])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot run as a cluster"), "\(refused.stderr)")
        // Runtime bugs are the spec's own: Raft's are not Paxos's.
        let wrongBug = try CLI.run(["cluster", "paxos", "--bug", "logTail", "--duration", "1", "--out", dir.path])
        #expect(wrongBug.status == 2 && wrongBug.stderr.contains("unknown --bug logTail of Paxos; known: amnesia"), "\(wrongBug.stderr)")
    }

    /// Raft servers under a fault schedule with kills after the first election (seed 10: kill -9 at
    /// about 0.5, 1.0 and 1.7 s, a pause at 2.3 s), with the interposer logging the messages it
    /// drops and copies: the correct servers are explained, and each runtime bug in what a restart
    /// keeps is refused.
    @Test(arguments: [nil, "volatileVote", "logTail", "amnesia"])
    func raftRuntimeBugsAreCaughtUnderFaults(_ bug: String?) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["cluster", "raft", "--set", "maxTerm=15", "--set", "maxLogLength=7", "--set", "maxMessages=15",
                               "--duration", "2.5", "--faults", "10", "--clients", "0", "--quiet", "--out", dir.path] + (bug.map { ["--bug", $0] } ?? []))
        #expect(run.stdout.contains("kill -9"), "\(run.stdout)")
        if bug == nil {
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("every invariant holds on the behaviour found"), "\(run.stdout)")
        } else {
            #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.contains("result: unexplained"), "\(run.stdout)")
        }
    }
}

/// Clients of a Raft cluster: a bank ledger replicated on raft.tla's log, its history checked for
/// linearizability, and the runtime bugs in serving clients that the history catches.
@Suite struct ClusterClientTests {
    static let bounds = ["--set", "maxTerm=30", "--set", "maxLogLength=80", "--set", "maxMessages=40"]

    /// Four clients for four seconds, under the fault schedule of seed 6 (a leader cut off from
    /// the others for 1.2 s at 1.9 s): every node's log is a behaviour of Raft, and what the
    /// clients saw is linearizable (no overdraft, no money made or lost).
    @Test func aRaftClusterServesALinearizableLedger() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["cluster", "raft"] + Self.bounds + ["--duration", "4", "--clients", "4", "--faults", "6", "--quiet",
                                                                  "--out", dir.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("every invariant holds on the behaviour found"), "\(run.stdout)")
        #expect(run.stdout.contains("result: linearizable"), "\(run.stdout)")
        #expect(run.stdout.contains(" transfers done"), "\(run.stdout)")
        for file in ["history.jsonl", "history.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path))
        }
        // Observability: each node's metrics, read over HTTP near the end (a node being
        // restarted then is missed), and its structured log, one JSON object per line.
        #expect(run.stdout.contains("leaders elected: "), "\(run.stdout)")
        let metrics = ["s1", "s2", "s3"].compactMap { try? String(contentsOf: dir.appendingPathComponent("\($0).metrics.txt"), encoding: .utf8) }
        #expect(!metrics.isEmpty, "\(run.stdout)")
        for text in metrics {
            for name in ["quorum_node_steps_total{", "quorum_node_messages_sent_total{", "quorum_node_value{", "quorum_node_leader{"] {
                #expect(text.contains(name), "\(text)")
            }
        }
        #expect(metrics.contains { $0.contains("quorum_client_request_duration_seconds_count{") }, "\(metrics)")
        var roles: [String] = []
        for node in ["s1", "s2", "s3"] {
            let text = try String(contentsOf: dir.appendingPathComponent("\(node).runtime.log"), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try #require(try JSONTree(json: Data(line.utf8)).object, "\(line)")
                #expect(object["node"]?.string == node && object["time"] != nil && object["message"]?.string != nil, "\(line)")
                if object["message"]?.string == "role changed", let role = object["state"]?.string { roles.append(role) }
            }
        }
        #expect(roles.contains("Leader"), "\(roles)")
    }

    /// The same schedule with a bug in serving clients: a node applies and answers before the
    /// entry is committed (`applyBeforeCommit`), or a leader answers reads from its own state
    /// (`staleRead`; the schedule cuts the leader off at 1.0 s, and the clients bound to it read
    /// there after the new leader has completed their transfers). Validation cannot see either
    /// (the nodes' steps are Raft's); the history is not linearizable. Timing varies from run to
    /// run, so each bug has up to five runs to be caught, run k with seed k: the seed draws the
    /// clients' commands, and a stale read needs a read by the cut-off leader's client while the
    /// partition lasts. With two cores kept busy by eight other processes, each bug was caught
    /// in 5 of 5 runs of seeds 2 to 6 (docs/CLUSTER.md); seed 1 alone missed staleRead there.
    @Test(arguments: ["applyBeforeCommit", "staleRead"])
    func servingBugsAreCaughtByTheHistory(_ bug: String) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [String] = []
        for seed in 1...5 {
            let run = try CLI.run(["cluster", "raft"] + Self.bounds + ["--duration", "4", "--clients", "4", "--faults", "6", "--seed", "\(seed)",
                                                                      "--bug", bug, "--quiet", "--out", dir.path])
            outputs.append(run.stdout)
            if run.status == 1 && run.stdout.contains("result: not linearizable") { break }
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        #expect(outputs.last?.contains("result: not linearizable") == true, "\(outputs.joined(separator: "\n"))")
        // The nodes took only Raft's steps: validation explains them.
        #expect(outputs.last?.contains("every invariant holds on the behaviour found") == true)
    }

    /// Clients of a Paxos cluster: the same ledger on a log of slots, each slot agreed by its own
    /// run of single-decree Paxos (the nodes' logs name the slot of each step), under the fault
    /// schedule of seed 4 (a node killed with kill -9 and restarted from its log, partitions).
    /// Every slot's events are a behaviour of Paxos, and the history is linearizable.
    @Test func aPaxosClusterServesALinearizableLedger() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try CLI.run(["cluster", "paxos", "--duration", "4", "--clients", "4", "--faults", "4", "--quiet", "--out", dir.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("result: explained: every slot's events are a behaviour of the spec"), "\(run.stdout)")
        #expect(run.stdout.contains("every invariant holds on every behaviour found"), "\(run.stdout)")
        #expect(run.stdout.contains("result: linearizable"), "\(run.stdout)")
        #expect(run.stdout.contains("fault: "), "\(run.stdout)")
        // Slots were decided and applied, and their events name them.
        let log = try String(contentsOf: dir.appendingPathComponent("a1.jsonl"), encoding: .utf8)
        let first = try #require(log.split(separator: "\n").first)
        let event = try NodeEvent(jsonLine: Data(first.utf8), source: "a1.jsonl:1")
        #expect(event.instance != nil, "\(first)")
        let done = run.stdout.split(separator: "\n").first { $0.contains(" transfers done") }.map(String.init) ?? ""
        let transfers = Int(done.split(separator: ":").last?.split(separator: " ").first ?? "") ?? 0
        #expect(transfers >= 5, "\(run.stdout)")
    }

    /// The same schedule with nodes that forget on restart what they promised and voted, and
    /// which ballots they started (`amnesia`): a restarted node promises a ballot below one it
    /// had promised, and validation refuses that slot. Timing varies, so the bug has up to four
    /// runs; on this machine it was refused in 3 of 4 (docs/CLUSTER.md).
    @Test func aPaxosNodeThatForgetsIsRefused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var outputs: [String] = []
        for _ in 1...4 {
            let run = try CLI.run(["cluster", "paxos", "--duration", "4", "--clients", "4", "--faults", "4", "--bug", "amnesia", "--quiet",
                                   "--out", dir.path])
            outputs.append(run.stdout)
            if run.status == 1 { break }
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        }
        #expect(outputs.last?.contains("unexplained in 1 of") == true || outputs.last?.contains(" slots (slot ") == true,
                "\(outputs.joined(separator: "\n"))")
    }

    /// A spec that serves a ledger runs its workload unless told `--clients 0`: the command a
    /// user types first (`quorum cluster raft --nodes 5 --faults 1 --duration 30s`) serves clients
    /// and checks their history. A spec that serves none runs the protocol alone.
    @Test func specsThatServeALedgerRunClientsByDefault() throws {
        func clients(_ arguments: [String]) throws -> Int {
            let command = try ClusterCommand.parse(arguments)
            return command.clients(for: try Catalog.spec(named: command.spec))
        }
        #expect(try clients(["raft", "--nodes", "5", "--faults", "1", "--duration", "30s"]) == ClusterCommand.defaultClients)
        #expect(try clients(["paxos", "--nodes", "5"]) == ClusterCommand.defaultClients)
        #expect(try clients(["twophasecommit"]) == 0)
        #expect(try clients(["raft", "--clients", "0"]) == 0)
        #expect(try clients(["paxos", "--clients", "7"]) == 7)
        #expect(throws: (any Error).self) { try ClusterCommand.parse(["raft", "--clients", "\(ClusterCommand.maximumClients + 1)"]) }
    }

    /// Serving bugs need clients, and only a spec with a replicated log (or one agreed per slot)
    /// can serve them.
    @Test func servingNeedsAReplicatedLog() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let commit = try CLI.run(["cluster", "twophasecommit", "--clients", "2", "--duration", "1", "--out", dir.path])
        #expect(commit.status == 2 && commit.stderr.contains("declares no replicated log"), "\(commit.stderr)")
        let noClients = try CLI.run(["cluster", "raft", "--bug", "staleRead", "--clients", "0", "--duration", "1", "--out", dir.path])
        #expect(noClients.status == 2 && noClients.stderr.contains("run it with clients"), "\(noClients.stderr)")
    }
}
