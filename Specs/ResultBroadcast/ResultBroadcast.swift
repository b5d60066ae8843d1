import QuorumCore

/// Byzantine reliable broadcast of an announced result: the one-round Srikanth–Toueg broadcast as
/// specified by Konnov, Tran and Widder (tlaplus/Examples, bcastByz/bcastByz.tla), action for action.
///
/// N stations, at most T faulty, F of them actually faulty. Correct stations start in V0 or V1
/// (did not / did hear the returning officer), echo on V1 or after N−2T echoes, and accept after
/// N−T echoes; a faulty station's ECHO may reach any correct station at any time.
public struct ResultBroadcast: TransitionSystem {
    public enum Mutation: String, Mutant {
        /// Accepts after N−2T echoes instead of N−T: one correct echo and a faulty one are enough.
        case acceptAfterFewerEchoes
        /// N = 3T: the spec's assumption N > 3T dropped (the variant runs with three stations).
        case tooFewStations
        /// Counts ECHO messages instead of distinct senders, so one sender's echo delivered twice counts twice.
        case doubleCountedEcho

        public var breaks: String { self == .acceptAfterFewerEchoes ? "Relay" : "Unforgeability" }
        public var bounds: [String: Int] { self == .tooFewStations ? ["stations": 3] : [:] }
        public var summary: String {
            switch self {
            case .acceptAfterFewerEchoes:
                "accepts after N−2T echoes instead of N−T: a station accepts on its own echo and a faulty one, and the others never follow"
            case .tooFewStations:
                "N = 3T: one faulty echo reaches the N−2T threshold, and a correct station accepts a result nobody announced"
            case .doubleCountedEcho:
                "counts ECHO messages instead of senders: a faulty station's echo delivered twice counts as two"
            }
        }
    }

    public let stations: Int
    public let maxFaulty: Int
    public let faulty: Int
    public let mutation: Mutation?
    /// Echoes needed to echo (UponNonFaulty) and to accept.
    public let echoThreshold: Int
    public let acceptThreshold: Int

    public init(stations: Int = BroadcastParameters().stations, maxFaulty: Int = BroadcastParameters().maxFaulty,
                faulty: Int = BroadcastParameters().faulty, mutation: Mutation? = nil) {
        precondition(stations >= 1 && stations <= 7 && faulty <= stations, "1 to 7 stations, at most all faulty")
        self.stations = stations
        self.maxFaulty = maxFaulty
        self.faulty = faulty
        self.mutation = mutation
        echoThreshold = stations - 2 * maxFaulty
        acceptThreshold = mutation == .acceptAfterFewerEchoes ? stations - 2 * maxFaulty : stations - maxFaulty
    }

    var everyone: Int { 1 << stations - 1 }

    /// Init: every pc in {V0, V1}, every Corr of N − F stations, nothing sent or received.
    public var initialStates: [BroadcastState] {
        var states: [BroadcastState] = []
        for correct in 0...everyone where correct.nonzeroBitCount == stations - faulty {
            for announced in 0...everyone {
                let pc = (0..<stations).map { announced & (1 << $0) != 0 ? Control.v1 : .v0 }
                states.append(BroadcastState(stations: stations, correct: correct, pc: pc))
            }
        }
        return states
    }

    /// `\E self \in Corr : Step(self)`, one action per witness `newMessages` of Receive and per
    /// Upon disjunct that holds (as TLC counts them), then `UNCHANGED vars`.
    public func enabledActions(in s: BroadcastState, into actions: inout [BroadcastAction]) {
        let available = s.sent | s.faulty
        for station in ResultBroadcast.members(s.correct) {
            let control = s.control(station)
            guard control != .accepted else { continue }
            var received = 0
            while true {
                // The mutant may also get any of these echoes twice in one delivery.
                var duplicated = 0
                while true {
                    let count = echoes(s, station, received, duplicated)
                    for rule in rules(control, count) {
                        actions.append(.step(station: station, received: received, duplicated: duplicated, rule: rule))
                    }
                    if mutation != .doubleCountedEcho || duplicated == received { break }
                    duplicated = (duplicated - received) & received
                }
                // The next subset of `available`, in increasing order.
                if received == available { break }
                received = (received - available) & available
            }
        }
        actions.append(.stutter)
    }

    /// The Upon disjuncts that hold for a station in `control` with `count` echoes.
    func rules(_ control: Control, _ count: Int) -> [BroadcastAction.Rule] {
        var rules: [BroadcastAction.Rule] = []
        if control == .v1 { rules.append(.uponV1) }
        if control != .sentEcho && count >= echoThreshold && count < acceptThreshold { rules.append(.uponNonFaulty) }
        if control != .sentEcho && count >= acceptThreshold { rules.append(.uponAcceptNotSentBefore) }
        if control == .sentEcho && count >= acceptThreshold { rules.append(.uponAcceptSentBefore) }
        return rules
    }

    /// `Cardinality(rcvd'[self])`; for the mutant, the ECHO messages counted so far, duplicates included.
    func echoes(_ s: BroadcastState, _ station: Int, _ received: Int, _ duplicated: Int) -> Int {
        if mutation == .doubleCountedEcho {
            return min(stations, s.tally[station] + received.nonzeroBitCount + duplicated.nonzeroBitCount)
        }
        return (s.rcvd[station] | received).nonzeroBitCount
    }

    public func apply(_ action: BroadcastAction, to s: BroadcastState) -> BroadcastState {
        guard case .step(let station, let received, let duplicated, let rule) = action else { return s }
        var t = s
        t.rcvd[station] = s.rcvd[station] | received
        if mutation == .doubleCountedEcho { t.tally[station] = echoes(s, station, received, duplicated) }
        switch rule {
        case .uponV1, .uponNonFaulty:
            t.pc[station] = Control.sentEcho.rawValue
            t.sent |= 1 << station
        case .uponAcceptNotSentBefore:
            t.pc[station] = Control.accepted.rawValue
            t.sent |= 1 << station
        case .uponAcceptSentBefore:
            t.pc[station] = Control.accepted.rawValue
        }
        return t
    }

    public func isWithinBounds(_ state: BroadcastState) -> Bool { true }

    public func metrics(of s: BroadcastState) -> [(String, Int)] {
        [("echoes", s.sent.nonzeroBitCount),
         ("accepted", ResultBroadcast.members(s.correct).filter { s.control($0) == .accepted }.count)]
    }

    /// The description's invariants, of this packed state.
    public var invariants: [Invariant<BroadcastState>] {
        let n = stations
        return BroadcastDescription(self).invariants.map { $0.pulledBack { BroadcastVariables($0, stations: n) } }
    }
    public var conditionedInvariants: [ConditionedInvariant<BroadcastState>] {
        let n = stations
        return BroadcastDescription(self).conditionedInvariants.map { $0.pulledBack { BroadcastVariables($0, stations: n) } }
    }
    /// Unforgeability, its strengthening (a proof's artifact, checked on request: a mutant breaks it
    /// a step before Unforgeability), then the liveness properties.
    public var temporalProperties: [TemporalProperty<BroadcastState, BroadcastAction>] {
        conditionedInvariants.map { $0.always() } + BroadcastProperties.liveness
    }

    /// Read through the description's declared variables, for counterexamples to induction.
    public func state(fromTraceValues values: [ITFValue]) -> BroadcastState? {
        BroadcastDescription(self).state(fromTraceValues: values).map { BroadcastState($0) }
    }

    // MARK: Traces

    /// Stations are the numbers 1…N, as in the original's `Proc`.
    public func processValue(_ i: Int) -> ITFValue { .int(i + 1) }
    public var processCount: Int? { stations }

    public var traceVariables: [String] {
        ["Corr", "Faulty", "pc", "rcvd", "sent"] + (mutation == .doubleCountedEcho ? ["echoesCounted"] : [])
    }

    public func traceValues(of s: BroadcastState) -> [ITFValue] {
        let processes = 0..<stations
        var values: [ITFValue] = [
            .set(of: ResultBroadcast.members(s.correct).map { .int($0 + 1) }),
            .set(of: ResultBroadcast.members(s.faulty).map { .int($0 + 1) }),
            .map(processes.map { (.int($0 + 1), .string(s.control($0).name)) }),
            .map(processes.map { (.int($0 + 1), ResultBroadcast.echoes(from: s.rcvd[$0])) }),
            ResultBroadcast.echoes(from: s.sent),
        ]
        if mutation == .doubleCountedEcho { values.append(.map(processes.map { (.int($0 + 1), .int(s.tally[$0])) })) }
        return values
    }

    /// A set of senders as the spec's set of messages `<<p, "ECHO">>`.
    static func echoes(from senders: Int) -> ITFValue {
        .set(of: members(senders).map { .tuple([.int($0 + 1), .string("ECHO")]) })
    }

    public static func members(_ set: Int) -> [Int] { (0..<8).filter { set & (1 << $0) != 0 } }

    /// Every subset of `set`, in increasing order.
    static func subsets(of set: Int) -> [Int] {
        var out = [0], x = 0
        while x != set {
            x = (x - set) & set
            out.append(x)
        }
        return out
    }
}
