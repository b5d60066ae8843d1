/// How a spec's nodes pace themselves when they run as a cluster (`quorum cluster`): what the
/// spec leaves to timers, and where its messages go. Raft's spec lets a follower time out in any
/// state and a leader send AppendEntries at any moment; a running server times out only after
/// hearing nothing for an election timeout, and sends heartbeats at a period. A spec declares its
/// own (``SpecDescriptor/cluster``); the default suits a spec whose nodes may step at any time.
public struct ClusterPolicy: Sendable {
    /// Actions a node never takes (crashes are the fault driver's business, not the node's).
    public var never: Set<String> = []
    /// Actions taken only after the node has received nothing for a time drawn from the range
    /// (milliseconds), drawn again after each message and each such step: an election timeout.
    public var idle: [String: ClosedRange<Int>] = [:]
    /// The messages whose arrival counts as hearing from the cluster for the idle timers: a
    /// message field and the values of it that count. Raft's is `mtype` AppendEntriesRequest, a
    /// leader's: were a candidate's vote requests to count, a candidate whose log is too short to
    /// win would keep a follower that could win from ever timing out. nil: every message counts.
    public var heartbeat: (field: String, values: Set<String>)? = nil
    /// The least milliseconds between two steps with the same description: a heartbeat's period.
    /// A step whose last message was new (not a repeat of the one before under the same
    /// description) may go again as soon as the node has taken in a message from where that one
    /// went (``source``): a leader sends the next entry on a follower's reply, as a running Raft
    /// pipelines catch-up, while repeats wait the period.
    public var period: [String: Int] = [:]
    /// The message field that names the node a message comes from (Raft's `msource`).
    public var source: String? = nil
    /// Actions a node takes as soon as a message arrives rather than at its next paced step
    /// (Raft's `Receive`): a running server handles a message when it comes, and a leader that
    /// waited its turn for each reply would be slower than its followers' election timeouts.
    public var prompt: Set<String> = []
    /// The unlogged steps validation may insert; nil: every one the spec has. Loopback UDP does
    /// not duplicate datagrams, and a lost one stays in flight, so a bag needs neither.
    public var silent: Set<String>? = nil
    /// The message field that names the one node a message is for (Raft's `mdest`); nil: every
    /// message goes to every other node, as a message set's do.
    public var destination: String? = nil
    /// The variables whose node entries the live summary shows; nil: every variable with a value
    /// per node.
    public var shown: [String]? = nil
    /// Whether the spec drops and copies messages by steps of its own, which the interposer logs.
    public var networkSteps = false
    /// Where the spec keeps a replicated log, so that the nodes can serve clients a state machine
    /// on its committed entries (`quorum cluster --clients`); nil: the spec has none.
    public var replicatedLog: ReplicatedLog? = nil
    /// The parameter that says how many nodes run (Raft's `servers`), which `quorum cluster
    /// --nodes N` sets; nil: the spec's nodes are not one parameter's count.
    public var nodes: String? = nil
    /// For a spec of single-decree agreement, how a cluster runs it once per slot of a replicated
    /// log to serve clients (`quorum cluster paxos --clients`); nil: the spec is not one.
    public var agreement: SlotAgreement? = nil

    public init(never: Set<String> = [], idle: [String: ClosedRange<Int>] = [:], heartbeat: (field: String, values: Set<String>)? = nil,
                period: [String: Int] = [:], silent: Set<String>? = nil, destination: String? = nil, source: String? = nil, prompt: Set<String> = [],
                shown: [String]? = nil, networkSteps: Bool = false, replicatedLog: ReplicatedLog? = nil) {
        self.prompt = prompt
        self.never = never
        self.idle = idle
        self.heartbeat = heartbeat
        self.period = period
        self.silent = silent
        self.destination = destination
        self.source = source
        self.shown = shown
        self.networkSteps = networkSteps
        self.replicatedLog = replicatedLog
    }
}

/// How a cluster makes a replicated log out of a spec of single-decree agreement (Paxos): one
/// instance of the spec per slot, each node taking part in every instance, the outcome of each
/// read by ``TransitionSystem/decision(in:)``. The model's values stand for the nodes' batches:
/// value k decided in slot s means node k's batch of client commands for s (possibly empty). A
/// slot's first proposer is its owner (node s mod n, as in Mencius), with the node's lowest
/// ballot; another node starts a higher ballot of its own only when the slot has stayed undecided
/// too long, so that without faults no two proposers compete.
public struct SlotAgreement: Sendable {
    /// The parameter counting the values, which the cluster sets to the number of nodes.
    public var values: String
    /// The parameter bounding the ballots, and its value per node when not set: enough for every
    /// node to retry a slot several times.
    public var ballots: String
    public var ballotsPerNode: Int
    /// The step that starts a ballot, and its parameter naming the ballot (Paxos's Phase1a, b).
    public var start: String
    public var ballot: String
    /// The step that proposes a value, and its parameter naming the value (Phase2a, v): where the
    /// spec leaves the choice free, a node proposes its own.
    public var propose: String
    public var value: String
    /// The message field naming the ballot, which tells a node the highest ballot of a slot.
    public var ballotField: String
    /// Value k as the spec's traces write it ("v1" for node 0): a message that names a value
    /// carries that value's batch.
    public var valueName: @Sendable (Int) -> String
    /// The messages a proposer sends and acceptors answer (a message field and its values: Paxos's
    /// 1a and 2a): a proposer still waiting sends its requests again, and an acceptor that hears
    /// a request again sends its answers to that ballot again, so that a lost datagram costs a
    /// round trip rather than a ballot.
    public var requestField = "type"
    public var requests: Set<String> = []

    public init(values: String, ballots: String, ballotsPerNode: Int, start: String, ballot: String, propose: String, value: String,
                ballotField: String, valueName: @escaping @Sendable (Int) -> String) {
        self.values = values
        self.ballots = ballots
        self.ballotsPerNode = ballotsPerNode
        self.start = start
        self.ballot = ballot
        self.propose = propose
        self.value = value
        self.ballotField = ballotField
        self.valueName = valueName
    }
}

/// Where a spec keeps its replicated log, by the names of its variables and fields, so that a
/// cluster's runtime can run a state machine on the committed entries without knowing the spec.
/// The model's entries hold abstract values; in a running cluster an entry stands for the batch of
/// client commands its leader gathered when it took the `request` step, and the batch travels
/// with every message that carries the entry, keyed by the entry's index and term (which Log
/// Matching makes unique).
public struct ReplicatedLog: Sendable {
    /// The per-node variable holding the log, a list of entry records.
    public var log: String
    /// The per-node variable holding the index of the last committed entry.
    public var commitIndex: String
    /// The per-node variable holding the role, and the value that means "leader".
    public var role: String
    public var leader: ITFValue
    /// The action that appends a client's entry to the leader's log.
    public var request: String
    /// An entry record's term field.
    public var entryTerm: String
    /// A message's field holding the entries it carries, and its field holding the index just
    /// before the first of them.
    public var entries: String
    public var previousIndex: String

    public init(log: String, commitIndex: String, role: String, leader: ITFValue, request: String, entryTerm: String,
                entries: String, previousIndex: String) {
        self.log = log
        self.commitIndex = commitIndex
        self.role = role
        self.leader = leader
        self.request = request
        self.entryTerm = entryTerm
        self.entries = entries
        self.previousIndex = previousIndex
    }
}

/// A bug of a running node rather than of the spec (`quorum cluster --bug NAME`): in what
/// survives a restart (how a restarted node with it recovers from the state it saved), or in how
/// it serves clients. `amnesia` serves every spec; a spec declares its own
/// (``SpecDescriptor/runtimeBugs``), such as Raft's vote that is not kept on disk.
public struct RuntimeBug: Sendable {
    public let name: String
    public let summary: String
    /// The saved variables' values as the node recovers them, given the variables' names and the
    /// node's trace value; nil: the node starts afresh.
    public let recover: @Sendable (_ saved: [ITFValue], _ variables: [String], _ node: ITFValue) throws -> [ITFValue]?
    /// How the node gets serving clients wrong; nil: it serves them correctly.
    public let serving: ServingFault?
    /// Whether a restarted node forgets everything it did before, not only the variables
    /// `recover` gives it: a runtime that keeps more than the spec's variables on disk (the
    /// ballots a slotted log's node has started) forgets that too.
    public let forgetsEverything: Bool

    /// Mistakes of a node that serves clients a state machine on a replicated log.
    public enum ServingFault: String, Sendable {
        /// Entries are applied (and clients answered) once in the log, before they are committed.
        case applyBeforeCommit
        /// A leader answers a read from the state it has applied, without confirming that it
        /// still leads (through the log), so a deposed leader can answer with old balances.
        case staleRead
    }

    public init(_ name: String, _ summary: String, forgetsEverything: Bool = false,
                recover: @escaping @Sendable (_ saved: [ITFValue], _ variables: [String], _ node: ITFValue) throws -> [ITFValue]?) {
        self.name = name
        self.summary = summary
        self.recover = recover
        serving = nil
        self.forgetsEverything = forgetsEverything
    }

    /// A bug in serving clients; the node recovers correctly.
    public init(_ name: String, _ summary: String, serving: ServingFault) {
        self.name = name
        self.summary = summary
        self.recover = { saved, _, _ in saved }
        self.serving = serving
        forgetsEverything = false
    }

    /// A restarted node ignores its durable state and starts afresh.
    public static let amnesia = RuntimeBug("amnesia", "a restarted node ignores its durable state and starts afresh",
                                           forgetsEverything: true) { _, _, _ in nil }

    /// A bug that changes the node's own entry of a variable with a value per node, on recovery.
    public static func editing(_ name: String, _ summary: String, variable: String,
                               _ change: @escaping @Sendable (ITFValue) -> ITFValue) -> RuntimeBug {
        RuntimeBug(name, summary) { saved, variables, node in
            guard let k = variables.firstIndex(of: variable), case .map(let pairs) = saved[k] else {
                throw UsageError("--bug \(name) needs a variable \(variable) with a value per node")
            }
            var out = saved
            out[k] = .map(pairs.map { ($0.key, $0.key == node ? change($0.value) : $0.value) })
            return out
        }
    }
}

extension SpecDescriptor {
    /// The runtime bugs a cluster of this spec's nodes may be given: `amnesia`, then the spec's own.
    public var allRuntimeBugs: [RuntimeBug] { [.amnesia] + runtimeBugs }

    public func runtimeBug(named name: String) throws -> RuntimeBug {
        guard let bug = allRuntimeBugs.first(where: { $0.name == name }) else {
            throw UsageError("unknown --bug \(name) of \(self.name); known: \(allRuntimeBugs.map(\.name).joined(separator: ", "))")
        }
        return bug
    }
}

extension SpecDescriptor {
    /// Runs the spec's clusters, and validates their logs, on `build`'s system at parameters
    /// within `ranges` (wider than the explorer's), at `defaults` where no value is set: the
    /// spec's description, say, which is not held to the bounds of the packed state the explorer
    /// needs. Called in the spec's own module, so
    /// that the engines are specialised for the system there.
    @inlinable public mutating func runClusters<System: TransitionSystem, Parameters: ParameterSet, Mutation: Mutant>(
        on build: @escaping @Sendable (Parameters, Mutation?) -> System, mutants: Mutation.Type, ranges: [String: ClosedRange<Int>],
        defaults: [String: Int] = [:]
    ) {
        let name = self.name, order = parameters.map(\.name)
        clusterModel = ClusterModel(ranges: ranges, defaults: defaults) { values, variant in
            AnyModel(build(Parameters(values), Mutation.of(variant)), spec: name, variant: variant?.name,
                     parameters: order.map { ($0, values[$0]!) })
        }
    }
}

/// The model a spec's cluster runs when it is not the explorer's (``SpecDescriptor/runClusters(on:mutants:ranges:defaults:)``).
public struct ClusterModel: Sendable {
    /// The parameters' ranges, where they differ from the explorer's.
    public let ranges: [String: ClosedRange<Int>]
    /// The parameters' values where a cluster needs others than the explorer's defaults: a run of
    /// seconds outgrows a model sized for exhaustive search (Raft's two terms and one entry).
    public let defaults: [String: Int]
    public let build: @Sendable ([String: Int], Variant?) -> AnyModel

    public init(ranges: [String: ClosedRange<Int>], defaults: [String: Int] = [:],
                build: @escaping @Sendable ([String: Int], Variant?) -> AnyModel) {
        self.ranges = ranges
        self.defaults = defaults
        self.build = build
    }
}
