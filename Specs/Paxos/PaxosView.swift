import QuorumCore

/// What Paxos's invariants may read of a state, in some ``Logic``.
///
/// The explorer and the simulator use ``PaxosConcreteView``; a symbolic engine implements the same
/// protocol with solver terms (the message set becomes one Boolean per possible message, which is
/// why messages are read through membership tests rather than iterated).
public protocol PaxosView {
    associatedtype L: Logic
    var acceptors: Range<Int> { get }
    var values: Range<Int> { get }
    var ballots: ClosedRange<Int> { get }
    /// Quorums as lists of acceptors.
    var quorums: [[Int]] { get }

    func maxBal(_ a: Int) -> Term<L>
    func maxVBal(_ a: Int) -> Term<L>
    /// -1 for None.
    func maxVal(_ a: Int) -> Term<L>
    func sent1a(bal: Int) -> Formula<L>
    /// `mbal` and `mval` are -1 for "no vote" (Lamport's -1 and None).
    func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<L>
    func sent2a(bal: Int, val: Int) -> Formula<L>
    func sent2b(acc: Int, bal: Int, val: Int) -> Formula<L>

    /// `\A m \in msgs : m.type = "1b" => body(m)`. A symbolic view expands it over every possible
    /// message (`sent1b(...) ==> body`); the concrete view visits the messages actually sent.
    func forAllSent1b(_ body: (_ acc: Int, _ bal: Int, _ mbal: Int, _ mval: Int) -> Formula<L>) -> Formula<L>
    /// `\A m \in msgs : m.type = "2a" => body(m)`.
    func forAllSent2a(_ body: (_ bal: Int, _ val: Int) -> Formula<L>) -> Formula<L>
    /// `\A m \in msgs : m.type = "2b" => body(m)`.
    func forAllSent2b(_ body: (_ acc: Int, _ bal: Int, _ val: Int) -> Formula<L>) -> Formula<L>

    /// Voting.tla's `DidNotVoteAt(a, b)`, defined once (``didNotVoteAtByDefinition(_:_:)``). The
    /// concrete view answers it, and ``showsSafeAt(_:_:_:)``, by plain loops over the same
    /// definition: the explorer evaluates them for most 1b and 2a messages of every new state,
    /// and through the quantifiers' closures that cost Paxos a fifth of its instructions.
    /// `PaxosViewTests` compares the two on every reachable state of small models.
    func didNotVoteAt(_ a: Int, _ b: Int) -> Formula<L>
    /// Voting.tla's `ShowsSafeAt(Q, b, v)`, defined once (``showsSafeAtByDefinition(_:_:_:)``).
    func showsSafeAt(_ q: [Int], _ b: Int, _ v: Int) -> Formula<L>
    /// Voting.tla's `ChosenAt(b, v)`, defined once (``chosenAtByDefinition(_:_:)``): `Agreement`
    /// asks it of every ballot and pair of values.
    func chosenAt(_ b: Int, _ v: Int) -> Formula<L>
}

extension PaxosView {
    /// The expansion a symbolic view uses: every possible message, guarded by its membership.
    public func forAllSent1b(_ body: (Int, Int, Int, Int) -> Formula<L>) -> Formula<L> {
        forAll(acceptors) { a in
            forAll(ballots) { b in
                forAll(-1...ballots.upperBound) { mbal in
                    forAll(-1..<values.count) { mval in sent1b(acc: a, bal: b, mbal: mbal, mval: mval) ==> body(a, b, mbal, mval) }
                }
            }
        }
    }

    public func forAllSent2a(_ body: (Int, Int) -> Formula<L>) -> Formula<L> {
        forAll(ballots) { b in forAll(values) { v in sent2a(bal: b, val: v) ==> body(b, v) } }
    }

    public func forAllSent2b(_ body: (Int, Int, Int) -> Formula<L>) -> Formula<L> {
        forAll(acceptors) { a in
            forAll(ballots) { b in forAll(values) { v in sent2b(acc: a, bal: b, val: v) ==> body(a, b, v) } }
        }
    }
}

/// A concrete state seen through ``PaxosView``, however it holds its messages.
public struct PaxosConcreteView<Messages: PaxosMessages>: PaxosView {
    public typealias L = Concrete
    public let state: PaxosStateOf<Messages>
    public let acceptors: Range<Int>
    public let values: Range<Int>
    public let ballots: ClosedRange<Int>
    public let quorums: [[Int]]

    public init(_ state: PaxosStateOf<Messages>, of paxos: Paxos, quorums: [[Int]]) {
        self.state = state
        acceptors = 0..<paxos.acceptors
        values = 0..<paxos.values
        ballots = paxos.ballots
        self.quorums = quorums
    }

    public func maxBal(_ a: Int) -> Term<Concrete> { Term(state.maxBal[a]) }
    public func maxVBal(_ a: Int) -> Term<Concrete> { Term(state.maxVBal[a]) }
    public func maxVal(_ a: Int) -> Term<Concrete> { Term(state.maxVal[a]) }
    public func sent1a(bal: Int) -> Formula<Concrete> { Formula(state.contains(.phase1a(bal: bal))) }
    public func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<Concrete> {
        Formula(state.contains(.phase1b(acc: acc, bal: bal, mbal: mbal, mval: mval)))
    }
    public func sent2a(bal: Int, val: Int) -> Formula<Concrete> { Formula(state.contains(.phase2a(bal: bal, val: val))) }
    public func sent2b(acc: Int, bal: Int, val: Int) -> Formula<Concrete> { Formula(state.contains(.phase2b(acc: acc, bal: bal, val: val))) }

    /// The messages of each kind lie between its first and last message at the model's bounds.
    @inline(__always) public func forAllSent1b(_ body: (Int, Int, Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        let last = ballots.upperBound
        return Formula(state.msgs.allSatisfy(from: .phase1b(acc: 0, bal: 0, mbal: -1, mval: -1),
                                      through: .phase1b(acc: acceptors.upperBound - 1, bal: last, mbal: last, mval: values.upperBound - 1)) { m in
            guard case .phase1b(let acc, let bal, let mbal, let mval) = m else { return true }
            return body(acc, bal, mbal, mval).value
        })
    }

    @inline(__always) public func forAllSent2a(_ body: (Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        Formula(state.msgs.allSatisfy(from: .phase2a(bal: 0, val: 0), through: .phase2a(bal: ballots.upperBound, val: values.upperBound - 1)) { m in
            guard case .phase2a(let bal, let val) = m else { return true }
            return body(bal, val).value
        })
    }

    /// ``PaxosView/didNotVoteAtByDefinition(_:_:)``, without a closure per value.
    public func didNotVoteAt(_ a: Int, _ b: Int) -> Formula<Concrete> {
        for v in values where state.contains(.phase2b(acc: a, bal: b, val: v)) { return Formula(false) }
        return Formula(true)
    }

    /// ``PaxosView/showsSafeAtByDefinition(_:_:_:)``, from the highest ballot below `b` at which
    /// an acceptor of `q` voted: every acceptor of `q` has promised `b`, and either none of them
    /// voted below `b` (c = -1 in the definition), or one of them voted for `v` at that highest
    /// ballot (c is that ballot: a c above it has no vote of `q`, and a c below it has that ballot
    /// between c and b). One pass down the ballots instead of the definition's pair of nested
    /// ranges, which made this a twentieth of the explorer's instructions on Paxos.
    public func showsSafeAt(_ q: [Int], _ b: Int, _ v: Int) -> Formula<Concrete> {
        for a in q where state.maxBal[a] < b { return Formula(false) }
        var c = b - 1
        while c >= 0 {
            var voted = false
            for a in q {
                for w in values where state.contains(.phase2b(acc: a, bal: c, val: w)) {
                    if w == v { return Formula(true) }
                    voted = true
                }
            }
            if voted { return Formula(false) }
            c -= 1
        }
        return Formula(true)
    }

    /// ``PaxosView/chosenAtByDefinition(_:_:)``: some quorum all of whose acceptors voted for
    /// `v` at `b`.
    public func chosenAt(_ b: Int, _ v: Int) -> Formula<Concrete> {
        next: for q in quorums {
            for a in q where !state.contains(.phase2b(acc: a, bal: b, val: v)) { continue next }
            return Formula(true)
        }
        return Formula(false)
    }

    @inline(__always) public func forAllSent2b(_ body: (Int, Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        Formula(state.msgs.allSatisfy(from: .phase2b(acc: 0, bal: 0, val: 0),
                                      through: .phase2b(acc: acceptors.upperBound - 1, bal: ballots.upperBound, val: values.upperBound - 1)) { m in
            guard case .phase2b(let acc, let bal, let val) = m else { return true }
            return body(acc, bal, val).value
        })
    }
}
