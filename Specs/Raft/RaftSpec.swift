import QuorumCore

extension Raft {
    /// Raft as `quorum list` and `quorum check` see it.
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
        variants: [
            Variant("voteWithoutLogCheck", breaks: "LeaderCompleteness", bounds: ["maxTerm": 3],
                    "a vote is granted without the 'candidate's log is at least as up to date' check"),
            Variant("commitPreviousTerm", breaks: "LeaderCommitsCurrentTerm", bounds: ["maxTerm": 3],
                    "a leader commits an entry of an earlier term by counting replicas (the Raft paper's Figure 8)"),
            Variant("forgetVoteOnRestart", breaks: "ElectionSafety", bounds: ["maxLogLength": 0],
                    "a restarted server forgets whom it voted for and may vote twice in one term"),
            Variant("keepConflictingEntries", breaks: "StateMachineSafety", bounds: ["maxTerm": 3],
                    "a follower acknowledges a conflicting entry instead of removing its own"),
        ],
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
        build: { p, variant in
            Raft(servers: p["servers"]!, values: p["values"]!, maxTerm: p["maxTerm"]!, maxLogLength: p["maxLogLength"]!,
                 maxMessages: p["maxMessages"]!, mutation: variant.flatMap { Mutation(rawValue: $0.name) })
        },
        symbolic: { raft, identity in SymbolicModel(RaftEncoding(raft), model: identity) }
    )
}
