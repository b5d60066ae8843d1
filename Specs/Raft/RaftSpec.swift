import QuorumCore

extension Raft {
    /// Raft as `quorum list` and `quorum check` see it, for the explicit-state engines (check,
    /// simulate, replay); RaftZ3's ``specWithEncoding`` adds prove, bmc and conform.
    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
        name: "Raft",
        summary: "Ongaro's raft.tla without history variables; messages form a bag",
        mutants: Mutation.self,
        simulationBounds: ["servers": 5, "values": 2, "maxTerm": 8, "maxLogLength": 6, "maxMessages": 8],
        // Logs of one entry, so that no variable is pinned to a single value (see singleValued).
        proofBounds: ["maxTerm": 4, "maxLogLength": 1, "maxMessages": 2],
        conformanceSample: 150,
        singleValued: { (p: RaftParameters) in
            var out: [(variables: [String], because: String)] = []
            if p.maxLogLength == 0 { out.append((["log", "commitIndex", "nextIndex", "matchIndex"], "maxLogLength = 0")) }
            if p.maxTerm == 1 { out.append((["currentTerm"], "maxTerm = 1")) }
            if p.maxMessages == 0 { out.append((["messages"], "maxMessages = 0")) }
            return out
        },
        diagram: { Raft.diagram($0) },
        build: { p, mutation in Raft(p, mutation: mutation) },
        described: { p, mutation in RaftDescription(Raft(p, mutation: mutation)) }
        )
        // A running server times out only after an election timeout without a leader's
        // AppendEntries (Raft §5.2; a vote it grants does not reset it here), and sends
        // heartbeats and vote requests at a period, and handles a message as it arrives;
        // crashes are the fault driver's. Messages go
        // to their `mdest`, and the interposer logs the drops and copies the spec has steps for.
        spec.cluster = ClusterPolicy(never: ["Restart"], idle: ["Timeout": 200...800],
                                     heartbeat: (field: "mtype", values: ["AppendEntriesRequest"]),
                                     period: ["AppendEntries": 40, "RequestVote": 40, "ClientRequest": 100, "AdvanceCommitIndex": 10], silent: [],
                                     destination: "mdest", source: "msource", prompt: ["Receive"], shown: ["state", "currentTerm", "commitIndex"], networkSteps: true,
                                     replicatedLog: ReplicatedLog(log: "log", commitIndex: "commitIndex", role: "state", leader: .string("Leader"),
                                                                  request: "ClientRequest", entryTerm: "term",
                                                                  entries: "mentries", previousIndex: "mprevLogIndex"))
        spec.runtimeBugs = [
            .editing("volatileVote", "votedFor is not kept on disk: a restarted server has voted for no one", variable: "votedFor") { _ in .string("Nil") },
            .editing("logTail", "the last entry of the log is not synced: a restarted server has lost its log's tail", variable: "log") { log in
                guard case .list(let entries) = log, !entries.isEmpty else { return log }
                return .list(Array(entries.dropLast()))
            },
            RuntimeBug("applyBeforeCommit", "entries are applied and clients answered once in the log, before they are committed",
                       serving: .applyBeforeCommit),
            RuntimeBug("staleRead", "a leader answers reads from its applied state without confirming that it still leads",
                       serving: .staleRead),
        ]
        // Clusters run the description: their logs outgrow the packed state's eight entries (a
        // message still packs terms and indices into 8 bits each).
        spec.runClusters(on: { p, mutation in RaftDescription(Raft(p, mutation: mutation)) }, mutants: Mutation.self,
                         ranges: ["maxTerm": 1...200, "maxLogLength": 0...250, "maxMessages": 0...100],
                         defaults: ["maxTerm": 200, "maxLogLength": 250, "maxMessages": 100])
        spec.cluster.nodes = "servers"
        return spec
    }()
}

/// Raft's parameters, each with its default.
public struct RaftParameters: ParameterSet {
    public var servers = 3, values = 1, maxTerm = 2, maxLogLength = 1, maxMessages = 1
    public init() {}
    public static let parameters = [
        ParameterField("servers", \Self.servers, range: 1...5, "number of servers"),
        ParameterField("values", \Self.values, range: 1...3, "number of client values"),
        ParameterField("maxTerm", \Self.maxTerm, range: 1...15, "bound: every currentTerm ≤ maxTerm"),
        ParameterField("maxLogLength", \Self.maxLogLength, range: 0...7, "bound: every log has at most this many entries"),
        ParameterField("maxMessages", \Self.maxMessages, range: 0...15, "bound: copies of messages in flight, in all"),
    ]
}
