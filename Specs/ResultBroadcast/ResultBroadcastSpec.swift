import QuorumCore

extension ResultBroadcast {
    /// ResultBroadcast as `quorum list` and `quorum check` see it.
    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
            name: "ResultBroadcast",
            summary: "Byzantine reliable broadcast of a result (bcastByz.tla): Corr, Faulty, pc, rcvd, sent; Step, stuttering",
            parameters: [
                Parameter("stations", default: 4, range: 1...7, "N, the polling stations"),
                Parameter("maxFaulty", default: 1, range: 0...2, "T, the most faulty stations the protocol tolerates (N > 3T)"),
                Parameter("faulty", default: 1, range: 0...2, "F, the stations actually faulty (F <= T)"),
            ],
            mutants: Mutation.self,
            simulationBounds: ["stations": 7, "maxFaulty": 2, "faulty": 2], conformanceSample: 300,
            assumptions: { values, mutation in
                let n = values["stations"]!, t = values["maxFaulty"]!, f = values["faulty"]!
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
            build: { p, mutation in make(p, mutation) },
            described: { p, mutation in BroadcastDescription(make(p, mutation)) }
        )
        // The derived form takes about 20 ms per state to compare: 300 states from the first 5,000.
        spec.conformanceStates = 5_000
        return spec
    }()

    static func make(_ p: [String: Int], _ mutation: Mutation?) -> ResultBroadcast {
        ResultBroadcast(stations: p["stations"]!, maxFaulty: p["maxFaulty"]!, faulty: p["faulty"]!, mutation: mutation)
    }
}
