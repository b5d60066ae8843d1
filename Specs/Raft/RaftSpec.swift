import QuorumCore

extension Raft {
    /// Raft as `quorum list` and `quorum check` see it, for the explicit-state engines (check,
    /// simulate, replay); RaftZ3's ``specWithEncoding`` adds prove, bmc and conform.
    public static let spec = SpecDescriptor(
        name: "Raft",
        summary: "Ongaro's raft.tla without history variables; messages form a bag",
        parameters: [
            Parameter("servers", default: 3, range: 1...5, "number of servers"),
            Parameter("values", default: 1, range: 1...3, "number of client values"),
            Parameter("maxTerm", default: 2, range: 1...15, "bound: every currentTerm ≤ maxTerm"),
            Parameter("maxLogLength", default: 1, range: 0...7, "bound: every log has at most this many entries"),
            Parameter("maxMessages", default: 1, range: 0...15, "bound: copies of messages in flight, in all"),
        ],
        mutants: Mutation.self,
        simulationBounds: ["servers": 5, "values": 2, "maxTerm": 8, "maxLogLength": 6, "maxMessages": 8],
        // Logs of one entry, so that no variable is pinned to a single value (see singleValued).
        proofBounds: ["maxTerm": 4, "maxLogLength": 1, "maxMessages": 2],
        conformanceSample: 150,
        singleValued: { p in
            var out: [(variables: [String], because: String)] = []
            if p["maxLogLength"] == 0 { out.append((["log", "commitIndex", "nextIndex", "matchIndex"], "maxLogLength = 0")) }
            if p["maxTerm"] == 1 { out.append((["currentTerm"], "maxTerm = 1")) }
            if p["maxMessages"] == 0 { out.append((["messages"], "maxMessages = 0")) }
            return out
        },
        diagram: { Raft.diagram($0) },
        build: { p, mutation in make(p, mutation) }
    )

    /// The model at parameter values `p`.
    public static func make(_ p: [String: Int], _ mutation: Mutation?) -> Raft {
        Raft(servers: p["servers"]!, values: p["values"]!, maxTerm: p["maxTerm"]!, maxLogLength: p["maxLogLength"]!,
             maxMessages: p["maxMessages"]!, mutation: mutation)
    }
}
