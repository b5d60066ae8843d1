import QuorumCore

/// Paxos's properties, each written once over ``PaxosView``.
///
/// To add one: write a type conforming to ``PaxosFormula`` below and list it in `all`. The
/// explorer, the simulator and symbolic engines all evaluate that one definition.
public protocol PaxosFormula: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static func holds<V: PaxosView>(in v: V) -> Formula<V.L>
    /// The named conjuncts of `holds`, for `quorum prove --drop` (by default, just one).
    static func conjuncts<V: PaxosView>(in v: V) -> [(name: String, formula: Formula<V.L>)]
    /// Conjunct `k` of `conjuncts` alone, for engines that evaluate conjuncts one at a time (by
    /// default taken from `conjuncts`, which evaluates them all).
    static func conjunct<V: PaxosView>(_ k: Int, in v: V) -> Formula<V.L>
    /// The property whose conjuncts are this one's first ones, if any (by default none): where
    /// the explorer has checked that one on a state, it checks only this one's others.
    static var strengthens: (any PaxosFormula.Type)? { get }
}

extension PaxosFormula {
    public static var strengthens: (any PaxosFormula.Type)? { nil }
    public static func conjuncts<V: PaxosView>(in v: V) -> [(name: String, formula: Formula<V.L>)] { [(name, holds(in: v))] }
    public static func conjunct<V: PaxosView>(_ k: Int, in v: V) -> Formula<V.L> { conjuncts(in: v)[k].formula }
}

/// A Paxos property as the engines hold it: the formula (for symbolic engines) and a way to
/// specialise it to concrete states (for the explorer and the simulator).
public struct PaxosProperty: Sendable {
    public let name: String
    public let summary: String
    public let formula: any PaxosFormula.Type
    /// The property on the explorer's states, and on states whose messages are a list. Made
    /// here, where `F` is known, so that the evaluation is specialised for it.
    let concrete: @Sendable (Paxos, [[Int]]) -> Invariant<PaxosState>
    let listed: @Sendable (Paxos, [[Int]]) -> Invariant<PaxosStateOf<PaxosMessageList>>

    public init<F: PaxosFormula>(_ formula: F.Type) {
        name = F.name
        summary = F.summary
        self.formula = formula
        concrete = { Self.concrete(F.self, $0, $1, on: PaxosMessageSet.self) }
        listed = { Self.concrete(F.self, $0, $1, on: PaxosMessageList.self) }
    }

    static func concrete<F: PaxosFormula, M>(_: F.Type, _ paxos: Paxos, _ quorums: [[Int]], on: M.Type) -> Invariant<PaxosStateOf<M>> {
        let sets = PaxosQuorums(paxos.quorums)
        let names = F.conjuncts(in: PaxosConcreteView(PaxosStateOf<M>(acceptors: paxos.acceptors), of: paxos, quorums: sets)).map(\.name)
        let conjuncts: [(name: String, holds: @Sendable (PaxosStateOf<M>) -> Bool)] = names.count < 2 ? [] : names.indices.map { k in
            (names[k], { F.conjunct(k, in: PaxosConcreteView($0, of: paxos, quorums: sets)).value })
        }
        // What each conjunct can read, in this model (``PaxosFootprintView``).
        let footprints = conjuncts.indices.map { k in F.conjunct(k, in: PaxosFootprintView(paxos, quorums: quorums)).value }
        @Sendable func holdsAfter(_ state: PaxosStateOf<M>, _ changed: VariableSet) -> Bool {
            let view = PaxosConcreteView(state, of: paxos, quorums: sets)
            for k in footprints.indices where footprints[k] & changed != 0 && !F.conjunct(k, in: view).value { return false }
            return true
        }
        // A property that strengthens another: its conjuncts after that one's.
        var strengthens: (name: String, holdsBeyond: @Sendable (PaxosStateOf<M>, VariableSet) -> Bool)? = nil
        if let weaker = F.strengthens, !footprints.isEmpty {
            let shared = weaker.conjuncts(in: PaxosFootprintView(paxos, quorums: quorums)).map(\.name)
            precondition(Array(names.prefix(shared.count)) == shared, "\(F.name) begins with \(weaker.name)'s conjuncts")
            strengthens = (weaker.name, { state, changed in
                let view = PaxosConcreteView(state, of: paxos, quorums: sets)
                for k in shared.count..<footprints.count where footprints[k] & changed != 0 && !F.conjunct(k, in: view).value { return false }
                return true
            })
        }
        return Invariant(F.name, F.summary, conjuncts: conjuncts,
                         footprint: F.holds(in: PaxosFootprintView(paxos, quorums: quorums)).value,
                         conjunctFootprints: footprints, holdsAfter: footprints.isEmpty ? nil : holdsAfter,
                         strengthens: strengthens) {
            F.holds(in: PaxosConcreteView($0, of: paxos, quorums: sets)).value
        }
    }
}

public enum PaxosProperties {
    /// Every Paxos invariant, in the order they are checked. A new invariant is listed here.
    public static let all: [PaxosProperty] = [PaxosProperty(Agreement.self), PaxosProperty(Inv.self), PaxosProperty(InductiveInv.self),
                                                 PaxosProperty(TypeOK.self)]

    /// Every phase, weakly fair: a phase that can make progress does not wait forever.
    public static let phases = ["Phase1a", "Phase1b", "Phase2a", "Phase2b"]

    /// Liveness: with finitely many ballots (every proposer eventually stops starting new ones) and
    /// each phase weakly fair, some value is chosen. The goal is Voting.tla's `chosen`, the same
    /// definition Agreement uses.
    static func temporal(for paxos: Paxos, fair phases: [String] = phases) -> [TemporalProperty<PaxosState, PaxosAction>] {
        let quorums = PaxosQuorums(paxos.quorums)
        let fairness: [Fairness<PaxosState, PaxosAction>] = phases.map { phase in .weak(phase) { _, action in action.name == phase } }
        return [
            .eventually("EventuallyChosen", "some value is eventually chosen, with no failures and finitely many ballots",
                        { s in
                            let view = PaxosConcreteView(s, of: paxos, quorums: quorums)
                            return (0..<paxos.values).contains { view.chosen($0).value }
                        }, fairness: fairness),
        ]
    }

    static func invariants(for paxos: Paxos) -> [Invariant<PaxosState>] {
        let quorums = paxos.quorums.map(Paxos.members)
        return all.map { $0.concrete(paxos, quorums) }
    }

    static func listedInvariants(for paxos: Paxos) -> [Invariant<PaxosStateOf<PaxosMessageList>>] {
        let quorums = paxos.quorums.map(Paxos.members)
        return all.map { $0.listed(paxos, quorums) }
    }
}

// MARK: - Definitions shared by the properties (Voting.tla's operators)

extension PaxosView {
    /// `<<b, v>> \in votes[a]`, with votes derived from the 2b messages.
    /// Always inlined: a call per vote read cost the concrete view more than the read.
    @inline(__always) func votedFor(_ a: Int, _ b: Int, _ v: Int) -> Formula<L> { sent2b(acc: a, bal: b, val: v) }

    /// The definition; views answer ``PaxosView/didNotVoteAt(_:_:)``, by default with it.
    public func didNotVoteAtByDefinition(_ a: Int, _ b: Int) -> Formula<L> { forAll(values) { v in !votedFor(a, b, v) } }

    public func didNotVoteAt(_ a: Int, _ b: Int) -> Formula<L> { didNotVoteAtByDefinition(a, b) }

    public func didNotVoteIn(_ a: Int, _ ballots: Range<Int>) -> Formula<L> { didNotVoteInByDefinition(a, ballots) }

    /// The definition; views answer ``PaxosView/didNotVoteIn(_:_:)``, by default with it.
    public func didNotVoteInByDefinition(_ a: Int, _ ballots: Range<Int>) -> Formula<L> { forAll(ballots) { c in didNotVoteAt(a, c) } }

    public func chosenAt(_ b: Int, _ v: Int) -> Formula<L> { chosenAtByDefinition(b, v) }

    /// The definition; views answer ``PaxosView/chosenAt(_:_:)``, by default with it.
    public func chosenAtByDefinition(_ b: Int, _ v: Int) -> Formula<L> {
        exists(quorums) { q in forAll(q) { a in votedFor(a, b, v) } }
    }

    public func chosen(_ v: Int) -> Formula<L> { chosenByDefinition(v) }

    /// The definition; views answer ``PaxosView/chosen(_:)``, by default with it.
    public func chosenByDefinition(_ v: Int) -> Formula<L> { exists(ballots) { b in chosenAt(b, v) } }

    public func castItsVote(_ a: Int) -> Formula<L> { castItsVoteByDefinition(a) }

    /// The definition; views answer ``PaxosView/castItsVote(_:)``, by default with it.
    public func castItsVoteByDefinition(_ a: Int) -> Formula<L> {
        exists(ballots) { b in exists(values) { v in maxVBal(a) == Term(b) && maxVal(a) == Term(v) && votedFor(a, b, v) } }
    }

    public func showsSafeAt(_ q: [Int], _ b: Int, _ v: Int) -> Formula<L> { showsSafeAtByDefinition(q, b, v) }

    public func showsSafeAtSomeQuorum(_ b: Int, _ v: Int) -> Formula<L> { showsSafeAtSomeQuorumByDefinition(b, v) }

    /// The definition; views answer ``PaxosView/showsSafeAtSomeQuorum(_:_:)``, by default with it.
    public func showsSafeAtSomeQuorumByDefinition(_ b: Int, _ v: Int) -> Formula<L> {
        exists(quorums) { q in showsSafeAt(q, b, v) }
    }

    /// The definition; views answer ``PaxosView/showsSafeAt(_:_:_:)``, by default with it.
    public func showsSafeAtByDefinition(_ q: [Int], _ b: Int, _ v: Int) -> Formula<L> {
        forAll(q) { a in maxBal(a) >= Term(b) }
            && exists(-1..<b) { c in
                (Formula(c != -1) ==> exists(q) { a in votedFor(a, c, v) })
                    && forAll((c + 1)..<max(c + 1, b)) { d in forAll(q) { a in didNotVoteAt(a, d) } }
            }
    }
}

// MARK: - The properties

/// At most one value is chosen.
public enum Agreement: PaxosFormula {
    public static let name = "Agreement"
    public static let summary = "at most one value is chosen (a quorum voted for it in one ballot)"
    public static func holds<V: PaxosView>(in s: V) -> Formula<V.L> {
        forAll(s.values) { v1 in
            forAll(s.values) { v2 in Formula(v1 >= v2) || !(s.chosen(v1) && s.chosen(v2)) }
        }
    }
}

/// The variables have their types: the symbolic engines need this, the concrete states have it by
/// construction.
public enum TypeOK: PaxosFormula {
    public static let name = "TypeOK"
    public static let summary = "maxBal, maxVBal in -1..maxBallot and maxVal a value or None"
    /// Views answer it (``PaxosView/typeOK()``), by default with ``holdsByDefinition(_:)``.
    public static func holds<V: PaxosView>(in s: V) -> Formula<V.L> { s.typeOK() }

    public static func holdsByDefinition<V: PaxosView>(_ s: V) -> Formula<V.L> {
        let top = Term<V.L>(s.ballots.upperBound)
        return forAll(s.acceptors) { a in
            s.maxBal(a) >= -1 && s.maxBal(a) <= top && s.maxVBal(a) >= -1 && s.maxVBal(a) <= top
                && s.maxVal(a) >= -1 && s.maxVal(a) < Term(s.values.count)
        }
    }
}

/// Lamport's inductive invariant `Inv` of Paxos.tla (less TypeOK, which is its own property).
public enum Inv: PaxosFormula {
    public static let name = "Inv"
    public static let summary = "Lamport's inductive invariant: what each message and acceptor variable implies"
    /// The conjunction, evaluated lazily and without building the list of conjuncts: the explorer
    /// and the simulator evaluate it on every state.
    public static func holds<V: PaxosView>(in s: V) -> Formula<V.L> {
        acceptorFacts(s) && s.msgs1b() && s.msgs2a() && s.msgs2b()
    }

    /// Lamport's conjuncts, named so that `quorum prove --drop NAME` can leave one out.
    public static func conjuncts<V: PaxosView>(in s: V) -> [(name: String, formula: Formula<V.L>)] {
        conjunctNames.indices.map { (conjunctNames[$0], conjunct($0, in: s)) }
    }

    static let conjunctNames = ["acceptors", "msgs1b", "msgs2a", "msgs2b"]

    public static func conjunct<V: PaxosView>(_ k: Int, in s: V) -> Formula<V.L> {
        switch k {
        case 0: acceptorFacts(s)
        case 1: s.msgs1b()
        case 2: s.msgs2a()
        default: s.msgs2b()
        }
    }

    /// An acceptor's promise is at least its vote, and its vote is one it cast (or none).
    static func acceptorFacts<V: PaxosView>(_ s: V) -> Formula<V.L> {
        forAll(s.acceptors) { a in
            s.maxBal(a) >= s.maxVBal(a)
                && ((s.maxVBal(a) == -1 && s.maxVal(a) == -1)
                    || (s.maxVBal(a) != -1 && s.castItsVote(a)))
        }
    }

    /// A 1b message's sender has promised its ballot, and the vote it reports was cast. Views
    /// answer it (``PaxosView/msgs1b()``), by default with this definition.
    public static func msgs1bByDefinition<V: PaxosView>(_ s: V) -> Formula<V.L> {
        s.forAllSent1b { a, b, mbal, mval in
            s.maxBal(a) >= Term(b) && (Formula(mbal < 0) || Formula(mval >= 0) && s.votedFor(a, mbal, max(mval, 0)))
        }
    }

    /// A 2a message's value is safe at its ballot, and it is the ballot's only 2a message. Views
    /// answer it (``PaxosView/msgs2a()``), by default with this definition.
    public static func msgs2aByDefinition<V: PaxosView>(_ s: V) -> Formula<V.L> {
        s.forAllSent2a { b, v in
            s.showsSafeAtSomeQuorum(b, v)
                && forAll(s.values) { w in Formula(w == v) || !s.sent2a(bal: b, val: w) }
        }
    }

    /// A 2b message's sender has voted at least that high, for a value proposed in a 2a message.
    /// Views answer it (``PaxosView/msgs2b()``), by default with this definition.
    public static func msgs2bByDefinition<V: PaxosView>(_ s: V) -> Formula<V.L> {
        s.forAllSent2b { a, b, v in s.maxVBal(a) >= Term(b) && s.sent2a(bal: b, val: v) }
    }
}

/// Lamport's `Inv` strengthened so that it is inductive: `quorum prove` shows that `Inv` alone is
/// not (a 1b message may claim "no vote" from an acceptor that did vote below the message's
/// ballot, and a leader then proposes an unsafe value). The added conjunct is the one the TLAPS
/// proof of Paxos carries: a 1b message reports the acceptor's highest vote below its ballot.
public enum InductiveInv: PaxosFormula {
    public static let name = "InductiveInv"
    public static let summary = "Inv and: a 1b message reports its sender's highest vote below the message's ballot (inductive)"
    public static func holds<V: PaxosView>(in s: V) -> Formula<V.L> {
        Inv.holds(in: s) && s.msgs1bHighest()
    }

    public static func conjuncts<V: PaxosView>(in s: V) -> [(name: String, formula: Formula<V.L>)] {
        Inv.conjuncts(in: s) + [("msgs1bHighest", s.msgs1bHighest())]
    }

    public static func conjunct<V: PaxosView>(_ k: Int, in s: V) -> Formula<V.L> {
        k < Inv.conjunctNames.count ? Inv.conjunct(k, in: s) : s.msgs1bHighest()
    }

    /// Its first conjuncts are `Inv`'s.
    public static var strengthens: (any PaxosFormula.Type)? { Inv.self }

    /// A 1b message reports its sender's highest vote below the message's ballot. Views answer
    /// it (``PaxosView/msgs1bHighest()``), by default with this definition.
    public static func msgs1bHighestByDefinition<V: PaxosView>(_ s: V) -> Formula<V.L> {
        s.forAllSent1b { a, b, mbal, _ in s.didNotVoteIn(a, (mbal + 1)..<max(mbal + 1, b)) }
    }
}
