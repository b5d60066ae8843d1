import QuorumCore

extension ResultBroadcast {
    /// ResultBroadcast as `quorum list` and `quorum check` see it.
    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
            name: "ResultBroadcast",
            summary: "Byzantine reliable broadcast of a result (bcastByz.tla): Corr, Faulty, pc, rcvd, sent; Step, stuttering",
            mutants: Mutation.self,
            simulationBounds: ["stations": 7, "maxFaulty": 2, "faulty": 2], conformanceSample: 300,
            assumptions: { (p: BroadcastParameters, mutation) in
                let n = p.stations, t = p.maxFaulty, f = p.faulty
                if f > t { return "faulty = \(f) exceeds maxFaulty = \(t): the spec assumes F <= T" }
                if f > n { return "faulty = \(f) exceeds stations = \(n)" }
                if mutation == .tooFewStations {
                    if n != 3 * t { return "the tooFewStations variant runs with N = 3T: set stations = \(3 * t) for maxFaulty = \(t)" }
                } else if n <= 3 * t {
                    return "stations = \(n) with maxFaulty = \(t) breaks the spec's assumption N > 3T (the tooFewStations variant drops it)"
                }
                return nil
            },
            diagram: { ResultBroadcast.diagram($0) },
            build: { p, mutation in ResultBroadcast(p, mutation: mutation) },
            described: { p, mutation in BroadcastDescription(ResultBroadcast(p, mutation: mutation)) }
        )
        // The derived form takes about 20 ms per state to compare: 300 states from the first 5,000.
        spec.conformanceStates = 5_000
        return spec
    }()

    /// The model at parameters `p`.
    public init(_ p: BroadcastParameters, mutation: Mutation? = nil) {
        self.init(stations: p.stations, maxFaulty: p.maxFaulty, faulty: p.faulty, mutation: mutation)
    }
}

/// ResultBroadcast's parameters, each with its default.
public struct BroadcastParameters: ParameterSet {
    public var stations = 4, maxFaulty = 1, faulty = 1
    public init() {}
    public static let parameters = [
        ParameterField("stations", \Self.stations, range: 1...7, "N, the polling stations"),
        ParameterField("maxFaulty", \Self.maxFaulty, range: 0...2, "T, the most faulty stations the protocol tolerates (N > 3T)"),
        ParameterField("faulty", \Self.faulty, range: 0...2, "F, the stations actually faulty (F <= T)"),
    ]
}
