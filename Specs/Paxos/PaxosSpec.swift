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
            mutants: Mutation.self,
            simulationBounds: ["acceptors": 5, "values": 3, "maxBallot": 4],
            proofBounds: ["maxBallot": 3],
            // The derived form takes about 8 ms per state to compare (`conform paxos`: 29.6 s for 3,921): 500 from the first 5,000.
            conformanceSample: 500,
            diagram: { Paxos.diagram($0) },
            build: { p, mutation in make(p, mutation) },
            described: { p, mutation in PaxosDescription(make(p, mutation)) }
        )
        spec.conformanceStates = 5_000
        return spec
    }()

    static func make(_ p: [String: Int], _ mutation: Mutation?) -> Paxos {
        Paxos(acceptors: p["acceptors"]!, values: p["values"]!, maxBallot: p["maxBallot"]!, mutation: mutation)
    }
}
