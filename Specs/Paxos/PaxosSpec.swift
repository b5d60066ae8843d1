import QuorumCore

extension Paxos {
    /// Paxos as `quorum list` and `quorum check` see it.
    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
            name: "Paxos",
            summary: "Lamport's Paxos consensus (Paxos.tla): maxBal, maxVBal, maxVal, msgs; Phase1a/1b/2a/2b",
            parameters: [
                Parameter("acceptors", default: 3, range: 1...5, "number of acceptors; quorums are the smallest majorities"),
                Parameter("values", default: 2, range: 1...3, "number of values that may be proposed"),
                Parameter("maxBallot", default: 1, range: 0...4, "ballots are 0...maxBallot"),
            ],
            variants: [
                Variant("voteBelowPromise", breaks: "Agreement",
                        "Phase2b without m.bal >= maxBal[a]: an acceptor votes in a ballot below the one it promised"),
                Variant("ignoreHighestVote", breaks: "Agreement",
                        "Phase2a proposes any value once a quorum has promised, ignoring the highest vote the 1b messages report"),
                Variant("minorityQuorums", breaks: "Agreement",
                        "quorums of floor(n/2) acceptors, which need not intersect"),
            ],
            simulationBounds: ["acceptors": 5, "values": 3, "maxBallot": 4],
            proofBounds: ["maxBallot": 3],
            // The derived form takes about 15 ms per state to compare: 500 states from the first 5,000.
            conformanceSample: 500,
            diagram: { Paxos.diagram($0) },
            build: { p, variant in make(p, variant) },
            described: { p, variant in PaxosDescription(make(p, variant)) }
        )
        spec.conformanceStates = 5_000
        return spec
    }()

    static func make(_ p: [String: Int], _ variant: Variant?) -> Paxos {
        Paxos(acceptors: p["acceptors"]!, values: p["values"]!, maxBallot: p["maxBallot"]!,
              mutation: variant.flatMap { Mutation(rawValue: $0.name) })
    }
}
