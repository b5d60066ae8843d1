import QuorumCore

/// ResultBroadcast written once over ``Logic``: its variables declared, its actions guarded
/// assignments and its invariants formulas. The symbolic engines (`prove`, `bmc`, `conform`) derive
/// their form of the spec from it, and the explorer checks its invariants (through
/// ``BroadcastVariables/init(_:stations:)``). The explorer runs ``ResultBroadcast``'s packed functions instead:
/// the mutant that counts duplicated echoes makes 47 million steps at four stations, minutes in
/// the derived form and seconds in the packed one. The tests check on the first states found
/// breadth first (all of `tooFewStations`'s) that the two agree: the same actions in the same
/// order, and the same successors.
public struct BroadcastDescription: GuardedSystem {
    public typealias State = BroadcastVariables; public typealias Action = BroadcastAction
    public let model: ResultBroadcast
    public init(_ model: ResultBroadcast) { self.model = model }

    var stations: Int { model.stations }
    public var processNames: ProcessNames { ProcessNames(numbered: stations) }
    public var blank: BroadcastVariables { BroadcastVariables(model.initialStates[0], stations: stations) }
    public var unusedVariables: Set<String> { model.mutation == .doubleCountedEcho ? [] : ["echoesCounted"] }
    public var initialStates: [BroadcastVariables] { model.initialStates.map { BroadcastVariables($0, stations: stations) } }

    /// `\E self \in Corr : Step(self)`, one instance per witness `newMessages` of Receive (a subset
    /// of the stations, as a bit set) and per Upon disjunct, as TLC counts them; then `UNCHANGED vars`.
    public var actionInstances: [BroadcastAction] {
        (0..<stations).flatMap { station in
            ResultBroadcast.subsets(of: model.everyone).flatMap { received in
                (model.mutation == .doubleCountedEcho ? ResultBroadcast.subsets(of: received) : [0]).flatMap { duplicated in
                    BroadcastAction.Rule.allCases.map { BroadcastAction.step(station: station, received: received, duplicated: duplicated, rule: $0) }
                }
            }
        } + [.stutter]
    }

    /// The witnesses this state offers: correct stations that have not accepted, and subsets of
    /// `sent \cup ByzMsgs`.
    public func candidateInstances(in s: BroadcastVariables, into candidates: inout [BroadcastAction]) {
        let available = s.sent.reduce(0) { $0 | 1 << $1.sender } | s.faulty.reduce(0) { $0 | 1 << $1.index }
        for station in s.correct.map(\.index).sorted() where s.pc[station] != .accepted {
            for received in ResultBroadcast.subsets(of: available) {
                for duplicated in model.mutation == .doubleCountedEcho ? ResultBroadcast.subsets(of: received) : [0] {
                    for rule in BroadcastAction.Rule.allCases {
                        candidates.append(.step(station: station, received: received, duplicated: duplicated, rule: rule))
                    }
                }
            }
        }
        candidates.append(.stutter)
    }

    public func step<L: Logic>(_ action: BroadcastAction, _ s: inout Step<L, BroadcastVariables>) -> Formula<L> {
        guard case .step(let station, let received, let duplicated, let rule) = action else { return Formula(true) }
        let pc = s[\.pc][station], senders = ResultBroadcast.members(received)
        let before = rule == .uponV1 ? pc == .v1 : rule == .uponAcceptSentBefore ? pc == .sentEcho : pc.isOne(of: [.v0, .v1])
        // Cardinality(rcvd'[self]); the mutant counts messages, duplicates included.
        var count: Term<L> {
            model.mutation == .doubleCountedEcho
                ? atMost(stations, s[\.tally][station].term + Term(senders.count + ResultBroadcast.members(duplicated).count))
                : (0..<stations).reduce(Term(0)) { sum, j in
                    sum + (senders.contains(j) ? Term(1) : ite(s[\.rcvd][station].contains(Echo(j)), Term(1), Term(0)))
                }
        }
        let enabled = s[\.correct].contains(ProcessID(station)) && before
            && forAll(senders) { j in s[\.sent].contains(Echo(j)) || s[\.faulty].contains(ProcessID(j)) }
            && {
                switch rule {
                case .uponV1: Formula<L>(true)
                case .uponNonFaulty: count >= Term(model.echoThreshold) && count < Term(model.acceptThreshold)
                case .uponAcceptNotSentBefore, .uponAcceptSentBefore: count >= Term(model.acceptThreshold)
                }
            }()
        if L.isFalse(enabled.value) { return enabled }
        for j in senders { s.insert(\.rcvd, station, Echo(j)) }
        if model.mutation == .doubleCountedEcho { s.set(\.tally, station, to: count) }
        s.set(\.pc, station, rule == .uponV1 || rule == .uponNonFaulty ? .sentEcho : .accepted)
        if rule != .uponAcceptSentBefore { s.insert(\.sent, Echo(station)) }
        return enabled
    }

    /// TypeOK and FCConstraints (bcastByz.cfg's invariants), Unforg under InitNoBcast, and the
    /// spec's inductive invariant for it, IndInv_Unforg_NoBcast.
    public func properties<L: Logic>(of s: StateTerms<L, BroadcastVariables>) -> [StateProperty<L>] {
        let all = 0..<stations
        func correct(_ i: Int) -> Formula<L> { s[\.correct].contains(ProcessID(i)) }
        let typeOK = forAll(all) { i in forAll(all) { j in
            s[\.rcvd][i].contains(Echo(j)) ==> (s[\.sent].contains(Echo(j)) || s[\.faulty].contains(ProcessID(j)))
        } } && forAll(all) { j in s[\.sent].contains(Echo(j)) ==> correct(j) }
        let fcConstraints = forAll(all) { i in !(correct(i) <=> s[\.faulty].contains(ProcessID(i))) }
            && s[\.correct].count() >= Term(stations - model.maxFaulty) && s[\.faulty].count() <= Term(model.maxFaulty)
        let noBroadcast = forAll(all) { i in correct(i) ==> s[\.pc][i] == .v0 }
        let initNoBcast = (name: "InitNoBcast", formula: noBroadcast)
        return [
            StateProperty("TypeOK", "pc in {V0, V1, SE, AC}; sent only from correct stations; rcvd within sent and the faulty echoes", typeOK),
            StateProperty("FCConstraints", "Corr and Faulty partition the stations; at least N − T correct, at most T faulty", fcConstraints),
            StateProperty("Unforgeability", "if no correct station heard the announcement, no correct station ever accepts (Unforg from InitNoBcast)",
                          from: initNoBcast, forAll(all) { i in correct(i) ==> s[\.pc][i] != .accepted }),
            // Unforg is inductive once strengthened so: nothing sent, every correct station still in V0.
            StateProperty("IndInv_Unforg_NoBcast", "TypeOK, FCConstraints, nothing sent and every correct station in V0", from: initNoBcast,
                          conjuncts: [("typeOK", typeOK), ("fcConstraints", fcConstraints), ("nothingSent", s[\.sent].isEmpty()),
                                      ("correctInV0", noBroadcast)]).onRequest(),
        ]
    }

    public var temporalProperties: [TemporalProperty<BroadcastVariables, BroadcastAction>] { conditionedInvariants.map { $0.always() } }
}

/// The smaller of a constant and a term.
func atMost<L: Logic>(_ bound: Int, _ a: Term<L>) -> Term<L> { ite(a <= Term(bound), a, Term(bound)) }

/// The spec's only message, `<<p, "ECHO">>` from station p.
public struct Echo: Hashable, Codable, Sendable, Comparable, TraceValue, Enumerable {
    public let sender: Int
    public init(_ sender: Int) { self.sender = sender }
    public static func < (a: Echo, b: Echo) -> Bool { a.sender < b.sender }
    public static func all(_ stations: ProcessNames) -> [Echo] { (0..<stations.count).map(Echo.init) }
    public func position(_ stations: ProcessNames) -> Int? { (0..<stations.count).contains(sender) ? sender : nil }
    public func traceValue(_ stations: ProcessNames) -> ITFValue { .tuple([stations.value(sender), .string("ECHO")]) }
    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(sender) }
}

/// A control state is one slot, written to traces by its name in the spec.
extension Control: SlotValue, Enumerable, Codable {
    public static func all(_ stations: ProcessNames) -> [Control] { allCases }
    public func traceValue(_ stations: ProcessNames) -> ITFValue { .string(name) }
    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(rawValue) }
    public static func slotRanges(_ stations: ProcessNames) -> [ClosedRange<Int>] { [0...(allCases.count - 1)] }
    public func slots(_ stations: ProcessNames, into out: inout [Int]) { out.append(rawValue) }
    public init(slots: ArraySlice<Int>, _ stations: ProcessNames) { self = Control(rawValue: slots[slots.startIndex])! }
}

/// The variables of bcastByz.tla, declared once; stations are numbered 0..<N here and 1..N in
/// traces, as the spec's `Proc == 1..N`.
public struct BroadcastVariables: DeclaredState {
    /// Corr: the correct stations. Chosen in the initial state and unchanged afterwards, as Faulty.
    public var correct: Set<ProcessID>
    public var faulty: Set<ProcessID>
    public var pc: [Control]
    public var rcvd: [Set<Echo>]
    /// sent: the echoes of correct stations (a faulty station's echo is always available).
    public var sent: Set<Echo>
    /// ECHO messages counted per station, duplicates included: used only by the
    /// `doubleCountedEcho` mutant (and only its traces show it), zero in the spec.
    public var tally: [ProcessCount]

    public static let variables: [StateVariable<BroadcastVariables>] = [
        StateVariable("Corr", \.correct), StateVariable("Faulty", \.faulty), StateVariable("pc", \.pc),
        StateVariable("rcvd", \.rcvd), StateVariable("sent", \.sent), StateVariable("echoesCounted", \.tally),
    ]

    /// The packed state's variables.
    public init(_ s: BroadcastState, stations: Int) {
        func processes(_ set: Int) -> Set<ProcessID> { Set(ResultBroadcast.members(set).map { ProcessID($0) }) }
        func echoes(_ set: Int) -> Set<Echo> { Set(ResultBroadcast.members(set).map(Echo.init)) }
        correct = processes(s.correct)
        faulty = processes(s.faulty)
        pc = (0..<stations).map { s.control($0) }
        rcvd = (0..<stations).map { echoes(s.rcvd[$0]) }
        sent = echoes(s.sent)
        tally = (0..<stations).map { ProcessCount(s.tally[$0]) }
    }
}
