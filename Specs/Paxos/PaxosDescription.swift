import QuorumCore

/// Paxos.tla written once over ``Logic``: its variables declared (``PaxosVariables``), each action
/// a guard and assignments per TLC witness, its invariants the ``PaxosFormula``s read through
/// ``PaxosSlotsView``. The symbolic engines derive their form of the spec from it. The explorer
/// runs ``Paxos``'s packed functions; the tests check that the two agree on every reachable state
/// at small bounds: the same actions in the same order, and the same successors.
public struct PaxosDescription: GuardedSystem {
    public typealias State = PaxosVariables; public typealias Action = PaxosInstance
    public let model: Paxos
    let quorums: [[Int]]
    public init(_ model: Paxos) {
        self.model = model
        quorums = model.quorums.map(Paxos.members)
    }

    var acceptors: Range<Int> { 0..<model.acceptors }
    var ballots: ClosedRange<Int> { model.ballots }
    var values: Range<Int> { 0..<model.values }

    public var processNames: ProcessNames {
        ProcessNames(prefix: "a", count: model.acceptors, sizes: ["maxBallot": model.maxBallot, "values": model.values])
    }
    public var blank: PaxosVariables {
        PaxosVariables(maxBal: Array(repeating: Ballot(-1), count: model.acceptors), maxVBal: Array(repeating: Ballot(-1), count: model.acceptors),
                       maxVal: Array(repeating: PaxosValue(-1), count: model.acceptors), msgs: [])
    }
    public var initialStates: [PaxosVariables] { [blank] }

    /// `Next`, in the order ``Paxos/enabledActions(in:into:)`` lists it: per ballot Phase1a, then
    /// Phase2a per value, quorum and witness (none, for a quorum that reports no vote, or each of
    /// its acceptors whose report is a highest vote for the value); then per acceptor Phase1b per
    /// ballot and Phase2b per ballot and value.
    public var actionInstances: [PaxosInstance] {
        ballots.flatMap { b in
            [PaxosInstance(.phase1a(ballot: b))] + values.flatMap { v in
                model.quorums.flatMap { q in
                    ([nil] + (model.mutation == .ignoreHighestVote ? [] : Paxos.members(q))).map { witness in
                        PaxosInstance(.phase2a(ballot: b, value: v, quorum: q), witness: witness)
                    }
                }
            }
        } + acceptors.flatMap { a in
            ballots.map { PaxosInstance(.phase1b(acceptor: a, ballot: $0)) }
                + ballots.flatMap { b in values.map { PaxosInstance(.phase2b(acceptor: a, ballot: b, value: $0)) } }
        }
    }

    /// The instances whose messages are there: Phase2a for a ballot with no 2a message yet,
    /// Phase1b for a 1a message sent, Phase2b for a 2a message sent.
    public func candidateInstances(in s: PaxosVariables, into candidates: inout [PaxosInstance]) {
        for b in ballots {
            candidates.append(PaxosInstance(.phase1a(ballot: b)))
            guard !values.contains(where: { s.msgs.contains(.phase2a(bal: b, val: $0)) }) else { continue }
            for v in values {
                for q in model.quorums {
                    for witness in [nil] + (model.mutation == .ignoreHighestVote ? [] : Paxos.members(q)) {
                        candidates.append(PaxosInstance(.phase2a(ballot: b, value: v, quorum: q), witness: witness))
                    }
                }
            }
        }
        for a in acceptors {
            for b in ballots where s.msgs.contains(.phase1a(bal: b)) { candidates.append(PaxosInstance(.phase1b(acceptor: a, ballot: b))) }
            for b in ballots {
                for v in values where s.msgs.contains(.phase2a(bal: b, val: v)) {
                    candidates.append(PaxosInstance(.phase2b(acceptor: a, ballot: b, value: v)))
                }
            }
        }
    }

    public func step<L: Logic>(_ instance: PaxosInstance, _ s: inout Step<L, PaxosVariables>) -> Formula<L> {
        step(instance.action, witness: instance.witness, &s)
    }

    /// The guard and effect of `action`; for Phase2a, of its witness (nil: none reports a vote;
    /// otherwise the acceptor whose report is a highest vote for the value).
    func step<L: Logic>(_ action: PaxosAction, witness: Int?, _ s: inout Step<L, PaxosVariables>) -> Formula<L> {
        let view = PaxosSlotsView(s.now, quorums: quorums)
        switch action {
        case .phase1a(let b):
            s.insert(\.msgs, .phase1a(bal: b))
            return Formula(true)
        case .phase1b(let a, let b):
            let enabled = view.sent1a(bal: b) && view.maxBal(a) < Term(b)
            if L.isFalse(enabled.value) { return enabled }
            s.set(\.maxBal, a, Ballot(b))
            for mbal in -1...ballots.upperBound {
                for mval in -1..<values.count {
                    s.insert(\.msgs, .phase1b(acc: a, bal: b, mbal: mbal, mval: mval), if: view.maxVBal(a) == Term(mbal) && view.maxVal(a) == Term(mval))
                }
            }
            return enabled
        case .phase2a(let b, let v, let q):
            s.insert(\.msgs, .phase2a(bal: b, val: v))
            return phase2aEnabled(view, b, v, Paxos.members(q), witness: witness)
        case .phase2b(let a, let b, let v):
            s.set(\.maxBal, a, Ballot(b)); s.set(\.maxVBal, a, Ballot(b)); s.set(\.maxVal, a, PaxosValue(v))
            s.insert(\.msgs, .phase2b(acc: a, bal: b, val: v))
            return view.sent2a(bal: b, val: v) && (Formula(model.mutation == .voteBelowPromise) || view.maxBal(a) <= Term(b))
        }
    }

    /// `Phase2a(b, v)` with quorum `q`: no 2a message of ballot `b` yet, a 1b message of ballot
    /// `b` from each of `q`, and `v` safe by the witness.
    func phase2aEnabled<L: Logic>(_ view: PaxosSlotsView<L>, _ b: Int, _ v: Int, _ q: [Int], witness: Int?) -> Formula<L> {
        let votes = -1...ballots.upperBound, reports = -1..<values.count
        let fresh = forAll(values) { w in !view.sent2a(bal: b, val: w) }
        let promised = forAll(q) { a in exists(votes) { mbal in exists(reports) { mval in view.sent1b(acc: a, bal: b, mbal: mbal, mval: mval) } } }
        if model.mutation == .ignoreHighestVote { return fresh && promised }
        func noReportAbove(_ mbal: Int) -> Formula<L> {
            forAll(q) { a in forAll((mbal + 1)..<(ballots.upperBound + 1)) { higher in
                forAll(reports) { mval in !view.sent1b(acc: a, bal: b, mbal: higher, mval: mval) } } }
        }
        guard let witness else { return fresh && promised && noReportAbove(-1) }
        return fresh && promised && exists(ballots) { mbal in view.sent1b(acc: witness, bal: b, mbal: mbal, mval: v) && noReportAbove(mbal) }
    }

    public func properties<L: Logic>(of s: StateTerms<L, PaxosVariables>) -> [StateProperty<L>] {
        let view = PaxosSlotsView(s, quorums: quorums)
        return PaxosProperties.all.map { p in StateProperty(p.name, p.summary, conjuncts: p.formula.conjuncts(in: view)) }
    }
}

/// A Paxos action with the witness of Phase2a's `\E m \in Q1bv : m.mval = v /\ ...` (the
/// acceptor whose report is a highest vote for the value; nil when the quorum reports none, and
/// for the other actions): TLC counts one transition per witness, and so does the description.
public struct PaxosInstance: Hashable, Codable, Sendable, TraceableAction {
    public let action: PaxosAction
    public let witness: Int?
    public init(_ action: PaxosAction, witness: Int? = nil) {
        self.action = action
        self.witness = witness
    }
    public var name: String { action.name }
    public var parameters: [(String, ITFValue)] { action.parameters }
    public var kind: Int { action.kind }
    public var process: Int? { action.process }
    public var description: String { action.description }
}

/// The variables of Paxos.tla, declared once: per acceptor `maxBal`, `maxVBal`, `maxVal`, and
/// the set `msgs` over every type-correct message.
public struct PaxosVariables: DeclaredState {
    public var maxBal: [Ballot], maxVBal: [Ballot], maxVal: [PaxosValue], msgs: Set<PaxosMessage>

    public init(maxBal: [Ballot], maxVBal: [Ballot], maxVal: [PaxosValue], msgs: Set<PaxosMessage>) {
        self.maxBal = maxBal
        self.maxVBal = maxVBal
        self.maxVal = maxVal
        self.msgs = msgs
    }

    /// ``Paxos``'s packed state, as the description's variables.
    public init<M>(_ s: PaxosStateOf<M>) {
        let acceptors = 0..<s.acceptors
        self.init(maxBal: acceptors.map { Ballot(s.maxBal[$0]) }, maxVBal: acceptors.map { Ballot(s.maxVBal[$0]) },
                  maxVal: acceptors.map { PaxosValue(s.maxVal[$0]) }, msgs: Set(s.msgs))
    }

    public static let variables: [StateVariable<PaxosVariables>] = [
        StateVariable("maxBal", \.maxBal), StateVariable("maxVBal", \.maxVBal),
        StateVariable("maxVal", \.maxVal), StateVariable("msgs", \.msgs),
    ]
}

extension PaxosStateOf {
    /// The description's variables, packed.
    public init(_ v: PaxosVariables) {
        self.init(acceptors: v.maxBal.count)
        for a in v.maxBal.indices {
            maxBal[a] = v.maxBal[a].value
            maxVBal[a] = v.maxVBal[a].value
            maxVal[a] = v.maxVal[a].value
        }
        for m in v.msgs { send(m) }
    }
}

/// A ballot or -1 (`maxBal`'s and `maxVBal`'s initial value): one slot, -1...maxBallot.
public struct Ballot: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { -1...names.size("maxBallot") }
}

/// A value or None (-1), as `maxVal` holds it: one slot, written `v1`… or `None`.
public struct PaxosValue: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { -1...(names.size("values") - 1) }
    public func traceValue(_ names: ProcessNames) -> ITFValue { .string(value < 0 ? "None" : Paxos.valueName(value)) }
    public init?(traceValue: ITFValue, _ names: ProcessNames) {
        guard let name = traceValue.stringValue,
              let v = name == "None" ? -1 : (0..<names.size("values")).first(where: { Paxos.valueName($0) == name }) else { return nil }
        value = v
    }
}

/// Every type-correct message (Paxos.tla's `Message`), in a fixed order: 1a per ballot, 1b per
/// acceptor, ballot, `mbal` in Ballot ∪ {-1} and `mval` in Value ∪ {None}, 2a per ballot and
/// value, 2b per acceptor, ballot and value. A message's place is computed, not searched.
extension PaxosMessage: TraceValue, Enumerable {
    public static func all(_ names: ProcessNames) -> [PaxosMessage] {
        let ballots = 0...names.size("maxBallot"), values = 0..<names.size("values"), acceptors = 0..<names.count
        var out: [PaxosMessage] = ballots.map { .phase1a(bal: $0) }
        for a in acceptors { for b in ballots { for mbal in -1...ballots.upperBound { for mval in -1..<values.count {
            out.append(.phase1b(acc: a, bal: b, mbal: mbal, mval: mval))
        } } } }
        for b in ballots { for v in values { out.append(.phase2a(bal: b, val: v)) } }
        for a in acceptors { for b in ballots { for v in values { out.append(.phase2b(acc: a, bal: b, val: v)) } } }
        return out
    }

    public func position(_ names: ProcessNames) -> Int? {
        let b1 = names.size("maxBallot") + 1, v = names.size("values"), a = names.count
        func within(_ x: Int, _ range: Range<Int>) -> Bool { range.contains(x) }
        let ones = b1 * (b1 + 1) * (v + 1)
        switch self {
        case .phase1a(let bal):
            return within(bal, 0..<b1) ? bal : nil
        case .phase1b(let acc, let bal, let mbal, let mval):
            guard within(acc, 0..<a), within(bal, 0..<b1), within(mbal, -1..<b1), within(mval, -1..<v) else { return nil }
            return b1 + acc * ones + (bal * (b1 + 1) + mbal + 1) * (v + 1) + mval + 1
        case .phase2a(let bal, let val):
            guard within(bal, 0..<b1), within(val, 0..<v) else { return nil }
            return b1 + a * ones + bal * v + val
        case .phase2b(let acc, let bal, let val):
            guard within(acc, 0..<a), within(bal, 0..<b1), within(val, 0..<v) else { return nil }
            return b1 + a * ones + b1 * v + (acc * b1 + bal) * v + val
        }
    }

    /// How many messages ``all(_:)`` lists, computed: a cluster's fifty ballots make tens of
    /// thousands, which reading a node's set of messages must not list (tested against `all`).
    public static func count(_ names: ProcessNames) -> Int {
        let b1 = names.size("maxBallot") + 1, v = names.size("values"), a = names.count
        return b1 + a * b1 * (b1 + 1) * (v + 1) + b1 * v + a * b1 * v
    }

    /// The message at place `k` of ``all(_:)``, computed: the inverse of ``position(_:)``.
    public static func element(at k: Int, _ names: ProcessNames) -> PaxosMessage {
        let b1 = names.size("maxBallot") + 1, v = names.size("values"), a = names.count
        let ones = b1 * (b1 + 1) * (v + 1)
        if k < b1 { return .phase1a(bal: k) }
        var r = k - b1
        if r < a * ones {
            let acc = r / ones
            r %= ones
            return .phase1b(acc: acc, bal: r / ((b1 + 1) * (v + 1)), mbal: r / (v + 1) % (b1 + 1) - 1, mval: r % (v + 1) - 1)
        }
        r -= a * ones
        if r < b1 * v { return .phase2a(bal: r / v, val: r % v) }
        r -= b1 * v
        return .phase2b(acc: r / (b1 * v), bal: r / v % b1, val: r % v)
    }

    public func traceValue(_ names: ProcessNames) -> ITFValue { Paxos.traceValue(self) }

    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(packed) }
}

/// A state of ``PaxosDescription`` seen through ``PaxosView``: what the ``PaxosFormula``s read,
/// in any ``Logic``, so that the description's invariants are Paxos's own.
public struct PaxosSlotsView<L: Logic>: PaxosView {
    public let s: StateTerms<L, PaxosVariables>
    public let quorums: [[Int]]
    public init(_ s: StateTerms<L, PaxosVariables>, quorums: [[Int]]) {
        self.s = s
        self.quorums = quorums
    }
    public var acceptors: Range<Int> { 0..<s.processes.count }
    public var values: Range<Int> { 0..<s.processes.size("values") }
    public var ballots: ClosedRange<Int> { 0...s.processes.size("maxBallot") }
    public func maxBal(_ a: Int) -> Term<L> { s[\.maxBal][a].term }
    public func maxVBal(_ a: Int) -> Term<L> { s[\.maxVBal][a].term }
    public func maxVal(_ a: Int) -> Term<L> { s[\.maxVal][a].term }
    public func sent1a(bal: Int) -> Formula<L> { s[\.msgs].contains(PaxosMessage.phase1a(bal: bal)) }
    public func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<L> {
        s[\.msgs].contains(PaxosMessage.phase1b(acc: acc, bal: bal, mbal: mbal, mval: mval))
    }
    public func sent2a(bal: Int, val: Int) -> Formula<L> { s[\.msgs].contains(PaxosMessage.phase2a(bal: bal, val: val)) }
    public func sent2b(acc: Int, bal: Int, val: Int) -> Formula<L> { s[\.msgs].contains(PaxosMessage.phase2b(acc: acc, bal: bal, val: val)) }
}
