import QuorumCore
import QuorumZ3

/// A symbolic Paxos state: one integer constant per acceptor variable and one Boolean constant per
/// message that could ever be sent (`msgs` as its characteristic function). Invariants read it
/// through ``PaxosView``, exactly as they read a concrete state.
public struct PaxosSymbols: PaxosView {
    public typealias L = Symbolic
    public let acceptors: Range<Int>
    public let values: Range<Int>
    public let ballots: ClosedRange<Int>
    public let quorums: [[Int]]
    let maxBalVars: [Z3Expr]
    let maxVBalVars: [Z3Expr]
    let maxValVars: [Z3Expr]
    /// Every type-correct message, in a fixed order, and its membership constant.
    let universe: [PaxosMessage]
    let sent: [PaxosMessage: Z3Expr]

    public func maxBal(_ a: Int) -> Term<Symbolic> { Term(maxBalVars[a]) }
    public func maxVBal(_ a: Int) -> Term<Symbolic> { Term(maxVBalVars[a]) }
    public func maxVal(_ a: Int) -> Term<Symbolic> { Term(maxValVars[a]) }
    public func sent(_ m: PaxosMessage) -> Formula<Symbolic> { sent[m].map { Formula($0) } ?? Formula(false) }
    public func sent1a(bal: Int) -> Formula<Symbolic> { sent(.phase1a(bal: bal)) }
    public func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<Symbolic> {
        sent(.phase1b(acc: acc, bal: bal, mbal: mbal, mval: mval))
    }
    public func sent2a(bal: Int, val: Int) -> Formula<Symbolic> { sent(.phase2a(bal: bal, val: val)) }
    public func sent2b(acc: Int, bal: Int, val: Int) -> Formula<Symbolic> { sent(.phase2b(acc: acc, bal: bal, val: val)) }
}

/// Paxos.tla's `Init` and `Next` as Z3 formulas, at the sizes of a ``Paxos`` value (its mutation
/// included), checked against the pure functions by `quorum conform`.
public struct PaxosEncoding: SymbolicEncoding {
    /// Deliberate mistakes, for testing that the conformance check catches a wrong encoding.
    public enum Flaw: Sendable, CaseIterable {
        /// Phase2b leaves the voter's `maxVal` unconstrained (a forgotten frame condition).
        case phase2bLeavesMaxValFree
        /// Phase1b accepts a 1a message of the ballot already promised (`>=` for `>`).
        case phase1bAcceptsEqualBallot
        /// Phase1a only when its message is new: the stuttering re-send Paxos.tla allows is lost.
        case phase1aOnlyOnce
    }

    public let system: Paxos
    public let flaw: Flaw?
    let quorums: [[Int]]

    public init(_ paxos: Paxos, flaw: Flaw? = nil) {
        system = paxos
        self.flaw = flaw
        quorums = paxos.quorums.map(Paxos.members)
    }

    var acceptors: Range<Int> { 0..<system.acceptors }
    var ballots: ClosedRange<Int> { system.ballots }
    var values: Range<Int> { 0..<system.values }

    /// Messages of type `Message` in Paxos.tla: 1b messages carry any `mbal` in Ballot ∪ {-1} and any
    /// `mval` in Value ∪ {None}; which combinations occur is for the invariants to say.
    var universe: [PaxosMessage] {
        var out: [PaxosMessage] = ballots.map { .phase1a(bal: $0) }
        for a in acceptors {
            for b in ballots {
                for mbal in -1...ballots.upperBound {
                    for mval in -1..<values.count { out.append(.phase1b(acc: a, bal: b, mbal: mbal, mval: mval)) }
                }
            }
        }
        for b in ballots { for v in values { out.append(.phase2a(bal: b, val: v)) } }
        for a in acceptors { for b in ballots { for v in values { out.append(.phase2b(acc: a, bal: b, val: v)) } } }
        return out
    }

    public func declare(in context: Z3Context, prefix: String) -> PaxosSymbols {
        let universe = universe
        var sent: [PaxosMessage: Z3Expr] = [:]
        for m in universe { sent[m] = context.boolConstant("\(prefix).msgs.\(Paxos.traceValue(m).text)") }
        return PaxosSymbols(
            acceptors: acceptors, values: values, ballots: ballots, quorums: quorums,
            maxBalVars: acceptors.map { context.intConstant("\(prefix).maxBal.\(Paxos.acceptorName($0))") },
            maxVBalVars: acceptors.map { context.intConstant("\(prefix).maxVBal.\(Paxos.acceptorName($0))") },
            maxValVars: acceptors.map { context.intConstant("\(prefix).maxVal.\(Paxos.acceptorName($0))") },
            universe: universe, sent: sent)
    }

    public func domain(_ s: PaxosSymbols) -> Formula<Symbolic> { TypeOK.holds(in: s) }

    /// Ballots, values and acceptors are the only integers (-1 for "none"), with no arithmetic on
    /// them; TypeOK bounds every one.
    public var integerBound: Int? { max(system.maxBallot, system.values, system.acceptors) + 2 }

    public func initial(_ s: PaxosSymbols) -> Formula<Symbolic> {
        forAll(acceptors) { a in s.maxBal(a) == -1 && s.maxVBal(a) == -1 && s.maxVal(a) == -1 }
            && forAll(s.universe) { !s.sent($0) }
    }

    public func transitions(from s: PaxosSymbols, to t: PaxosSymbols) -> [(action: String, relation: Formula<Symbolic>)] {
        var out: [(String, Formula<Symbolic>)] = []
        for b in ballots { out.append(("Phase1a", phase1a(b, s, t))) }
        for a in acceptors { for b in ballots { out.append(("Phase1b", phase1b(a, b, s, t))) } }
        for b in ballots { for v in values { out.append(("Phase2a", phase2a(b, v, s, t))) } }
        for a in acceptors { for b in ballots { for v in values { out.append(("Phase2b", phase2b(a, b, v, s, t))) } } }
        return out
    }

    // MARK: The actions of Paxos.tla

    /// `Phase1a(b) == Send([type |-> "1a", bal |-> b]) /\ UNCHANGED <<maxBal, maxVBal, maxVal>>`
    func phase1a(_ b: Int, _ s: PaxosSymbols, _ t: PaxosSymbols) -> Formula<Symbolic> {
        (Formula(flaw != .phase1aOnlyOnce) || !s.sent1a(bal: b))
            && send(s, t) { m in Formula(m == .phase1a(bal: b)) } && unchanged(s, t, except: nil, maxBal: true, votes: true)
    }

    /// `Phase1b(a)`, for the 1a message of ballot `b`: promise `b` and report the highest vote.
    func phase1b(_ a: Int, _ b: Int, _ s: PaxosSymbols, _ t: PaxosSymbols) -> Formula<Symbolic> {
        let guardBallot = flaw == .phase1bAcceptsEqualBallot ? s.maxBal(a) <= Term(b) : s.maxBal(a) < Term(b)
        return s.sent1a(bal: b) && guardBallot
            && t.maxBal(a) == Term(b)
            && unchanged(s, t, except: a, maxBal: true, votes: false)
            && unchanged(s, t, except: nil, maxBal: false, votes: true)
            && send(s, t) { m in
                guard case .phase1b(a, b, let mbal, let mval) = m else { return Formula(false) }
                return s.maxVBal(a) == Term(mbal) && s.maxVal(a) == Term(mval)
            }
    }

    /// `Phase2a(b, v)`: no 2a message of ballot `b` yet, and some quorum's 1b messages of ballot `b`
    /// show `v` safe (no votes reported, or `v` is the value of the highest vote reported).
    func phase2a(_ b: Int, _ v: Int, _ s: PaxosSymbols, _ t: PaxosSymbols) -> Formula<Symbolic> {
        let votes = -1...ballots.upperBound
        let reports = -1..<values.count
        let safe = exists(quorums) { q in
            let promised = forAll(q) { a in exists(votes) { mbal in exists(reports) { mval in s.sent1b(acc: a, bal: b, mbal: mbal, mval: mval) } } }
            if system.mutation == .ignoreHighestVote { return promised }
            // Q1bv: the messages of Q1b with m.mbal >= 0.
            let noVotes = forAll(q) { a in forAll(ballots) { mbal in forAll(reports) { mval in
                !s.sent1b(acc: a, bal: b, mbal: mbal, mval: mval) } } }
            let highestIsV = exists(q) { a in exists(ballots) { mbal in
                s.sent1b(acc: a, bal: b, mbal: mbal, mval: v)
                    && forAll(q) { a2 in forAll((mbal + 1)..<(ballots.upperBound + 1)) { higher in forAll(reports) { mval in
                        !s.sent1b(acc: a2, bal: b, mbal: higher, mval: mval) } } }
            } }
            return promised && (noVotes || highestIsV)
        }
        return forAll(values) { w in !s.sent2a(bal: b, val: w) } && safe
            && send(s, t) { m in Formula(m == .phase2a(bal: b, val: v)) }
            && unchanged(s, t, except: nil, maxBal: true, votes: true)
    }

    /// `Phase2b(a)`, for the 2a message of ballot `b` and value `v`: vote for it.
    func phase2b(_ a: Int, _ b: Int, _ v: Int, _ s: PaxosSymbols, _ t: PaxosSymbols) -> Formula<Symbolic> {
        let promise = system.mutation == .voteBelowPromise ? Formula<Symbolic>(true) : s.maxBal(a) <= Term(b)
        let newVal = flaw == .phase2bLeavesMaxValFree ? Formula<Symbolic>(true) : t.maxVal(a) == Term(v)
        return s.sent2a(bal: b, val: v) && promise
            && t.maxBal(a) == Term(b) && t.maxVBal(a) == Term(b) && newVal
            && unchanged(s, t, except: a, maxBal: true, votes: true)
            && send(s, t) { m in Formula(m == .phase2b(acc: a, bal: b, val: v)) }
    }

    /// `msgs' = msgs \cup {m : added(m)}`, over every possible message.
    func send(_ s: PaxosSymbols, _ t: PaxosSymbols, added: (PaxosMessage) -> Formula<Symbolic>) -> Formula<Symbolic> {
        forAll(s.universe) { m in t.sent(m) <=> (s.sent(m) || added(m)) }
    }

    /// The acceptor variables other than those of `except` keep their values: `maxBal` when
    /// `maxBal` is set, `maxVBal` and `maxVal` when `votes` is set.
    func unchanged(_ s: PaxosSymbols, _ t: PaxosSymbols, except: Int?, maxBal: Bool, votes: Bool) -> Formula<Symbolic> {
        forAll(acceptors) { a in
            guard a != except else { return Formula(true) }
            return (Formula(!maxBal) || t.maxBal(a) == s.maxBal(a))
                && (Formula(!votes) || t.maxVBal(a) == s.maxVBal(a) && t.maxVal(a) == s.maxVal(a))
        }
    }

    // MARK: Invariants, states, sizes

    public func invariant(_ name: String, on s: PaxosSymbols, without dropped: Set<String>) -> Formula<Symbolic> {
        guard let property = PaxosProperties.all.first(where: { $0.name == name }) else { return Formula(false) }
        return property.formula.conjuncts(in: s).reduce(Formula(true)) { dropped.contains($1.name) ? $0 : $0 && $1.formula }
    }

    public func equals(_ s: PaxosSymbols, _ state: PaxosState) -> Formula<Symbolic> {
        forAll(acceptors) { a in
            s.maxBal(a) == Term(state.maxBal[a]) && s.maxVBal(a) == Term(state.maxVBal[a]) && s.maxVal(a) == Term(state.maxVal[a])
        } && forAll(s.universe) { m in state.contains(m) ? s.sent(m) : !s.sent(m) }
    }

    public func state(of s: PaxosSymbols, in model: Z3Model) throws -> PaxosState {
        var state = PaxosState(acceptors: system.acceptors)
        for a in acceptors {
            state.maxBal[a] = try model.int(s.maxBalVars[a])
            state.maxVBal[a] = try model.int(s.maxVBalVars[a])
            state.maxVal[a] = try model.int(s.maxValVars[a])
        }
        for m in s.universe where try model.bool(s.sent[m]!) { state.send(m) }
        return state
    }

    /// Fewest messages, then fewest acceptors away from their initial state, then the smallest
    /// highest ballot in use.
    public func measures(of s: PaxosSymbols) -> [Measure] {
        let context = s.maxBalVars[0].context
        let messages = s.universe.map { s.sent[$0]! }
        let busy = acceptors.map { a in
            (s.maxBal(a) != -1 || s.maxVBal(a) != -1 || s.maxVal(a) != -1).term(in: context)
        }
        return [
            Measure("messages", bounds: 0...messages.count) { Formula(context.atMost(messages, $0)) },
            Measure("acceptors away from their initial state", bounds: 0...busy.count) { Formula(context.atMost(busy, $0)) },
            Measure("highest ballot", bounds: -1...ballots.upperBound) { n in
                forAll(acceptors) { a in s.maxBal(a) <= Term(n) && s.maxVBal(a) <= Term(n) }
                    && forAll(s.universe) { m in Formula(m.ballot <= n) || !s.sent(m) }
            },
        ]
    }
}

extension PaxosMessage {
    var ballot: Int {
        switch self {
        case .phase1a(let bal), .phase1b(_, let bal, _, _), .phase2a(let bal, _), .phase2b(_, let bal, _): bal
        }
    }
}
