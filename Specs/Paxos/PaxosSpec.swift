import QuorumCore

extension Paxos {
    /// Paxos as `quorum list` and `quorum check` see it.
    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
            name: "Paxos",
            summary: "Lamport's Paxos consensus (Paxos.tla): maxBal, maxVBal, maxVal, msgs; Phase1a/1b/2a/2b",
            mutants: Mutation.self,
            simulationBounds: ["acceptors": 5, "values": 3, "maxBallot": 4],
            proofBounds: ["maxBallot": 3],
            // The derived form takes about 8 ms per state to compare (`conform paxos`: 29.6 s for 3,921): 500 from the first 5,000.
            conformanceSample: 500,
            diagram: { Paxos.diagram($0) },
            build: { p, mutation in Paxos(p, mutation: mutation) },
            described: { p, mutation in PaxosDescription(Paxos(p, mutation: mutation)) }
        )
        spec.conformanceStates = 5_000
        // `quorum cluster paxos --nodes N` runs N acceptors.
        spec.cluster.nodes = "acceptors"
        // Every step is some node's (ballot b's leader is node b mod acceptors), so every step is
        // logged, and a cluster's logs are validated without inserting any.
        spec.cluster.silent = []
        // `quorum cluster paxos --clients`: a ledger on a log of slots, each agreed by Paxos.
        spec.cluster.agreement = SlotAgreement(values: "values", ballots: "maxBallot", ballotsPerNode: 10, start: "Phase1a", ballot: "b",
                                               propose: "Phase2a", value: "v", ballotField: "bal", valueName: Paxos.valueName)
        spec.cluster.agreement?.requests = ["1a", "2a"]
        // Clusters run more values (one per node) and ballots than the explorer's bounds, on the
        // same functions over states whose messages are a list rather than bits.
        spec.runClusters(on: { p, mutation in PaxosAtAnyBounds(Paxos(p, mutation: mutation)) }, mutants: Mutation.self,
                         ranges: ["values": 1...5, "maxBallot": 0...200])
        return spec
    }()

    /// The model at parameters `p`.
    public init(_ p: PaxosParameters, mutation: Mutation? = nil) {
        self.init(acceptors: p.acceptors, values: p.values, maxBallot: p.maxBallot, mutation: mutation)
    }
}

/// Paxos's parameters, each with its default.
public struct PaxosParameters: ParameterSet {
    public var acceptors = 3, values = 2, maxBallot = 1
    public init() {}
    public static let parameters = [
        ParameterField("acceptors", \Self.acceptors, range: 1...5, "number of acceptors; quorums are the smallest majorities"),
        ParameterField("values", \Self.values, range: 1...3, "number of values that may be proposed"),
        ParameterField("maxBallot", \Self.maxBallot, range: 0...4, "ballots are 0...maxBallot"),
    ]
}
