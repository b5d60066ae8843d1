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
    /// `\A c \in ballots : DidNotVoteAt(a, c)`, what `InductiveInv` asks of every 1b message
    /// (``didNotVoteInByDefinition(_:_:)``).
    func didNotVoteIn(_ a: Int, _ ballots: Range<Int>) -> Formula<L>
    /// Voting.tla's `ShowsSafeAt(Q, b, v)`, defined once (``showsSafeAtByDefinition(_:_:_:)``).
    func showsSafeAt(_ q: [Int], _ b: Int, _ v: Int) -> Formula<L>
    /// `\E Q \in Quorum : ShowsSafeAt(Q, b, v)`, what `Inv` asks of every 2a message, defined
    /// once (``showsSafeAtSomeQuorumByDefinition(_:_:)``).
    func showsSafeAtSomeQuorum(_ b: Int, _ v: Int) -> Formula<L>
    /// Voting.tla's `ChosenAt(b, v)`, defined once (``chosenAtByDefinition(_:_:)``): `Agreement`
    /// asks it of every ballot and pair of values.
    func chosenAt(_ b: Int, _ v: Int) -> Formula<L>
    /// Voting.tla's `chosen` for one value, `\E b \in Ballot : ChosenAt(b, v)`, defined once
    /// (``chosenByDefinition(_:)``): `Agreement` asks it of every pair of values.
    func chosen(_ v: Int) -> Formula<L>
    /// `\E b \in Ballot, v \in Value : maxVBal[a] = b /\ maxVal[a] = v /\ VotedFor(a, b, v)`:
    /// `a`'s vote is one it cast. Defined once (``castItsVoteByDefinition(_:)``); `Inv` asks it
    /// of every acceptor that voted.
    func castItsVote(_ a: Int) -> Formula<L>

    /// `Inv`'s conjuncts over the 1b, 2a and 2b messages and `InductiveInv`'s over the 1b
    /// messages, each defined once there (``Inv/msgs1bByDefinition(_:)``,
    /// ``Inv/msgs2aByDefinition(_:)``, ``Inv/msgs2bByDefinition(_:)``,
    /// ``InductiveInv/msgs1bHighestByDefinition(_:)``). The concrete view answers them from the
    /// messages' bits: visited one by one, through the quantifiers' closures, they were a sixth of
    /// the explorer's instructions on Paxos. `PaxosViewTests` compares the two.
    func msgs1b() -> Formula<L>
    func msgs2a() -> Formula<L>
    func msgs2b() -> Formula<L>
    func msgs1bHighest() -> Formula<L>
    /// `TypeOK`, defined once (``TypeOK/holdsByDefinition(_:)``): the concrete view compares
    /// each variable's packed bytes at once, where the definition's loop over the acceptors,
    /// through its closures, cost about 100 instructions a new state.
    func typeOK() -> Formula<L>
}

extension PaxosView {
    public func msgs1b() -> Formula<L> { Inv.msgs1bByDefinition(self) }
    public func msgs2a() -> Formula<L> { Inv.msgs2aByDefinition(self) }
    public func msgs2b() -> Formula<L> { Inv.msgs2bByDefinition(self) }
    public func msgs1bHighest() -> Formula<L> { InductiveInv.msgs1bHighestByDefinition(self) }
    public func typeOK() -> Formula<L> { TypeOK.holdsByDefinition(self) }

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
///
/// Where the messages hold each acceptor's votes as bits of a word (``PaxosMessages/votes(of:)``,
/// the explorer's ``PaxosMessageSet``), Voting.tla's operators are answered from those bits:
/// the invariants ask them of most messages of every new state, and membership tests, a message
/// at a time, made the invariants about half of the explorer's instructions on Paxos.
/// `PaxosViewTests` compares every answer with its definition.
public struct PaxosConcreteView<Messages: PaxosMessages>: PaxosView {
    public typealias L = Concrete
    public let state: PaxosStateOf<Messages>
    public let acceptors: Range<Int>
    public let values: Range<Int>
    public let ballots: ClosedRange<Int>
    /// The quorums as bits (``PaxosQuorums``): a view of plain words, made and dropped without
    /// reference counting.
    public let quorumSets: PaxosQuorums

    /// The view with `paxos`'s quorums; the explorer's properties pass them made once.
    public init(_ state: PaxosStateOf<Messages>, of paxos: Paxos, quorums: PaxosQuorums? = nil) {
        self.state = state
        acceptors = 0..<paxos.acceptors
        values = 0..<paxos.values
        ballots = paxos.ballots
        quorumSets = quorums ?? PaxosQuorums(paxos.quorums)
    }

    /// The lists the definitions quantify over (made on each call: the concrete answers below
    /// read ``quorumSets``).
    public var quorums: [[Int]] { quorumSets.lists }

    public func maxBal(_ a: Int) -> Term<Concrete> { Term(state.maxBal[a]) }
    public func maxVBal(_ a: Int) -> Term<Concrete> { Term(state.maxVBal[a]) }
    public func maxVal(_ a: Int) -> Term<Concrete> { Term(state.maxVal[a]) }
    public func sent1a(bal: Int) -> Formula<Concrete> { Formula(state.contains(.phase1a(bal: bal))) }
    public func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<Concrete> {
        Formula(state.contains(.phase1b(acc: acc, bal: bal, mbal: mbal, mval: mval)))
    }
    public func sent2a(bal: Int, val: Int) -> Formula<Concrete> { Formula(state.contains(.phase2a(bal: bal, val: val))) }
    @inline(__always) public func sent2b(acc: Int, bal: Int, val: Int) -> Formula<Concrete> {
        if let votes = votes(of: acc, at: bal) { return Formula(val >= 0 && val < votes.stride && votes.bits >> UInt64(val) & 1 != 0) }
        return Formula(state.contains(.phase2b(acc: acc, bal: bal, val: val)))
    }

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

    @inline(__always) public func forAllSent2b(_ body: (Int, Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        Formula(state.msgs.allSatisfy(from: .phase2b(acc: 0, bal: 0, val: 0),
                                      through: .phase2b(acc: acceptors.upperBound - 1, bal: ballots.upperBound, val: values.upperBound - 1)) { m in
            guard case .phase2b(let acc, let bal, let val) = m else { return true }
            return body(acc, bal, val).value
        })
    }

    /// `a`'s votes at every ballot, `stride` bits a ballot, when the messages hold them so.
    @inline(__always) func votes(of a: Int) -> (bits: UInt64, stride: Int)? {
        guard let votes = state.msgs.votes(of: a), votes.stride > 0, votes.stride <= 16 else { return nil }
        return votes
    }

    /// `a`'s votes at ballot `b`, bit v for value v, when the messages hold them so.
    @inline(__always) func votes(of a: Int, at b: Int) -> (bits: UInt64, stride: Int)? {
        guard let votes = votes(of: a) else { return nil }
        // A ballot beyond the word has no vote.
        guard b >= 0 else { return (0, votes.stride) }
        guard b < 64 / votes.stride else { return (0, votes.stride) }
        return (votes.bits >> UInt64(b * votes.stride) & ((1 << UInt64(votes.stride)) - 1), votes.stride)
    }

    /// The model's values among `stride` bits: the values `DidNotVoteAt` asks about.
    @inline(__always) func valueBits(_ stride: Int) -> UInt64 {
        (1 << UInt64(Swift.min(Swift.max(values.upperBound, 0), stride))) - 1
    }

    /// ``PaxosView/didNotVoteAtByDefinition(_:_:)``: no vote for a value of the model.
    @inline(__always) public func didNotVoteAt(_ a: Int, _ b: Int) -> Formula<Concrete> {
        if let votes = votes(of: a, at: b) { return Formula(votes.bits & valueBits(votes.stride) == 0) }
        for v in values where state.contains(.phase2b(acc: a, bal: b, val: v)) { return Formula(false) }
        return Formula(true)
    }

    /// ``PaxosView/didNotVoteInByDefinition(_:_:)``: no vote for a value of the model among
    /// the ballots' bits.
    @inline(__always) public func didNotVoteIn(_ a: Int, _ range: Range<Int>) -> Formula<Concrete> {
        guard !range.isEmpty else { return Formula(true) }
        guard let votes = votes(of: a) else { return didNotVoteInByDefinition(a, range) }
        // Ballots below 0 and beyond the word hold no vote.
        let low = Swift.max(range.lowerBound, 0), high = Swift.min(range.upperBound, 64 / votes.stride)
        guard low < high else { return Formula(true) }
        let window = (modelVotes(votes.stride, below: high) >> UInt64(low * votes.stride)) << UInt64(low * votes.stride)
        return Formula(votes.bits & window == 0)
    }

    /// Bit c * stride for every ballot c of a word (whose ballots take `width` bits).
    @inline(__always) func ballotBits(_ stride: Int) -> UInt64 {
        let width = 64 / stride * stride
        return (width == 64 ? UInt64.max : (1 << UInt64(width)) - 1) / ((1 << UInt64(stride)) - 1)
    }

    /// The bits of votes for the model's values at ballots below `b` (0...64 / stride), `stride`
    /// bits a ballot: what `DidNotVoteAt` reads of them.
    @inline(__always) func modelVotes(_ stride: Int, below b: Int) -> UInt64 {
        let rows = ballotBits(stride) &* valueBits(stride)
        return b * stride >= 64 ? rows : rows & ((1 << UInt64(b * stride)) - 1)
    }

    /// ``PaxosView/showsSafeAtByDefinition(_:_:_:)``, from the highest ballot below `b` at which
    /// an acceptor of `q` voted: every acceptor of `q` has promised `b`, and either none of them
    /// voted below `b` (c = -1 in the definition), or one of them voted for `v` at that highest
    /// ballot (c is that ballot: a c above it has no vote of `q`, and a c below it has that ballot
    /// between c and b). One pass down the ballots instead of the definition's pair of nested
    /// ranges, which made this a twentieth of the explorer's instructions on Paxos.
    public func showsSafeAt(_ q: [Int], _ b: Int, _ v: Int) -> Formula<Concrete> {
        var members = 0
        for a in q {
            guard a >= 0 && a < 8 else { return showsSafeAtByDefinition(q, b, v) }
            members |= 1 << a
        }
        return Formula(showsSafe(members, b, v) ?? showsSafeAtByDefinition(q, b, v).value)
    }

    /// ``PaxosView/showsSafeAtSomeQuorumByDefinition(_:_:)`` over the quorums' bits.
    public func showsSafeAtSomeQuorum(_ b: Int, _ v: Int) -> Formula<Concrete> {
        for q in quorumSets {
            guard let safe = showsSafe(q, b, v) else { return showsSafeAtSomeQuorumByDefinition(b, v) }
            if safe { return Formula(true) }
        }
        return Formula(false)
    }

    /// `ShowsSafeAt` for the quorum of bits `q`, from the votes' bits; nil when the messages do
    /// not hold them so.
    ///
    /// With `seen` the votes of `q` below `b` and c the highest ballot of a vote in it for a
    /// value of the model: c = -1 in the definition when there is none; otherwise a c' below c
    /// fails (c lies between c' and b) and one above c needs a vote of `q` for `v` at c' (the
    /// definition's `VotedFor` reads any value, `DidNotVoteAt` only the model's).
    @inline(__always) func showsSafe(_ q: Int, _ b: Int, _ v: Int) -> Bool? {
        guard b >= 0 else { return nil }
        var seen: UInt64 = 0, stride = 0
        var members = q
        while members != 0 {
            let a = members.trailingZeroBitCount
            members &= members &- 1
            if state.maxBal[a] < b { return false }
            guard let votes = votes(of: a), b <= 64 / votes.stride else { return nil }
            stride = votes.stride
            seen |= b * stride == 64 ? votes.bits : votes.bits & ((1 << UInt64(b * stride)) - 1)
        }
        guard seen != 0 else { return true }
        let counted = seen & modelVotes(stride, below: b)
        guard counted != 0 else { return true }
        guard v >= 0 && v < stride else { return false }
        let c = (63 - counted.leadingZeroBitCount) / stride
        var votesForV = seen >> UInt64(c * stride + v)
        while votesForV != 0 {
            if votesForV & 1 != 0 { return true }
            votesForV >>= UInt64(stride)
        }
        return false
    }

    /// ``PaxosView/chosenByDefinition(_:)``: each quorum member's votes for `v`, one bit a
    /// ballot, and a quorum whose members share a ballot; otherwise ballot by ballot.
    public func chosen(_ v: Int) -> Formula<Concrete> {
        guard v >= 0, let stride = votes(of: quorumSets.members.trailingZeroBitCount)?.stride, v < stride,
              ballots.lowerBound == 0, (ballots.upperBound + 1) * stride <= 64 else {
            return chosenByDefinition(v)
        }
        // Bit b * stride for each ballot of the model.
        let inBallots = ballotBits(stride) & ((1 << UInt64((ballots.upperBound + 1) * stride)) - 1)
        for q in quorumSets {
            var common = inBallots, members = q
            while members != 0 {
                let a = members.trailingZeroBitCount
                members &= members &- 1
                guard let votes = votes(of: a) else { return chosenByDefinition(v) }
                common &= votes.bits >> UInt64(v)
            }
            if common != 0 { return Formula(true) }
        }
        return Formula(false)
    }

    /// ``PaxosView/castItsVoteByDefinition(_:)``: the one vote `maxVBal[a]` and `maxVal[a]` name.
    public func castItsVote(_ a: Int) -> Formula<Concrete> {
        let b = state.maxVBal[a], v = state.maxVal[a]
        return Formula(ballots.contains(b) && values.contains(v) && sent2b(acc: a, bal: b, val: v).value)
    }

    /// ``PaxosView/chosenAtByDefinition(_:_:)``: some quorum all of whose acceptors voted for
    /// `v` at `b`. The acceptors that voted for it first, then each quorum against them.
    public func chosenAt(_ b: Int, _ v: Int) -> Formula<Concrete> {
        var voters = 0, members = quorumSets.members
        while members != 0 {
            let a = members.trailingZeroBitCount
            members &= members &- 1
            if sent2b(acc: a, bal: b, val: v).value { voters |= 1 << a }
        }
        for q in quorumSets where q & voters == q { return Formula(true) }
        return Formula(false)
    }

    /// ``TypeOK/holdsByDefinition(_:)`` from the packed words: a value is stored as the byte
    /// one above it, so every value is at least -1, and `PerProcess.allAtMost` compares the
    /// model's acceptors' bytes at once (those of the others masked to -1).
    public func typeOK() -> Formula<Concrete> {
        let n = acceptors.upperBound
        guard acceptors.lowerBound == 0, n <= 8 else { return TypeOK.holdsByDefinition(self) }
        let mask: UInt64 = n == 8 ? .max : (1 << UInt64(8 * n)) - 1
        func allAtMost(_ values: PerAcceptor<Int>, _ bound: Int) -> Bool { PerAcceptor<Int>(word: values.word & mask).allAtMost(bound) }
        return Formula(allAtMost(state.maxBal, ballots.upperBound) && allAtMost(state.maxVBal, ballots.upperBound)
                       && allAtMost(state.maxVal, values.count - 1))
    }

    // MARK: The conjuncts over messages, from their bits
    //
    // Only the model's messages are read, as the definitions' expansion over the model's
    // messages reads them: no state of the model holds others.

    /// How the messages lay out the 1b messages (``PaxosMessages/reports(of:)``), read once a
    /// call: the strides, the bits of the model's ballots (`inModel`) and of the messages one
    /// ballot's bits can hold in the model (`mbal` up to its last ballot and `mval` below its
    /// values: `model`). Nil when the messages do not hold them as bits, or the model's do not
    /// fit.
    @inline(__always) func reportsLayout() -> (ballotStride: Int, stride: Int, inModel: UInt128, model: UInt64)? {
        guard let reports = state.msgs.reports(of: 0) else { return nil }
        let stride = reports.stride, ballotStride = reports.ballotStride, groups = ballots.upperBound + 2
        guard ballots.lowerBound == 0, values.upperBound >= 0, stride > values.upperBound, stride <= 16, ballotStride <= 64,
              groups * stride <= ballotStride, (groups - 1) * ballotStride <= 128 else { return nil }
        let inModel = (groups - 1) * ballotStride == 128 ? UInt128.max : (1 << UInt128((groups - 1) * ballotStride)) - 1
        let group: UInt64 = (1 << UInt64(values.upperBound + 1)) - 1
        var model: UInt64 = 0
        for g in 0..<groups { model |= group << UInt64(g * stride) }
        return (ballotStride, stride, inModel, model)
    }

    /// `a`'s 1b messages of the model's ballots (bits `bal * ballotStride + (mbal + 1) * stride +
    /// mval + 1`), nil when they are not laid out as `layout` (``reportsLayout()``) says.
    @inline(__always) func reports(of a: Int, _ layout: (ballotStride: Int, stride: Int, inModel: UInt128, model: UInt64)) -> UInt128? {
        guard let reports = state.msgs.reports(of: a), reports.stride == layout.stride, reports.ballotStride == layout.ballotStride else {
            return nil
        }
        return reports.bits & layout.inModel
    }

    /// The ballots' blocks of `reports` (``reports(of:_:)``) or-ed together, and only the bits
    /// the model can send (`model`, ``reportsLayout()``): the messages of every ballot at once,
    /// where a loop over the ballots cost more than the messages visited one by one.
    @inline(__always) func anyBallot(_ reports: UInt128, ballotStride: Int, within model: UInt64) -> UInt64 {
        var any: UInt128 = 0
        for b in 0..<(128 / ballotStride) { any |= reports >> UInt128(b * ballotStride) }
        return UInt64(truncatingIfNeeded: any) & model
    }

    /// The 1b reports (bits `(mbal + 1) * stride + mval + 1`) that are true of `a`: no vote
    /// (`mbal` = -1) or a vote `a` cast. Nil when the messages do not hold its votes as bits.
    @inline(__always) func trueReports(of a: Int, stride: Int) -> UInt64? {
        guard let votes = votes(of: a) else { return nil }
        var reports: UInt64 = (1 << UInt64(stride)) - 1
        // The values a report can name.
        let row: UInt64 = (1 << UInt64(Swift.min(votes.stride, stride - 1))) - 1
        // (maxBallot + 2) * stride bits fit a word (reportsLayout()), so the shifts below do.
        for c in 0...ballots.upperBound where c < 64 / votes.stride {
            reports |= (votes.bits >> UInt64(c * votes.stride) & row) << UInt64((c + 1) * stride + 1)
        }
        return reports
    }

    /// ``Inv/msgs1bByDefinition(_:)``: an acceptor's 1b messages lie at ballots up to its
    /// promise, and those that report a vote (above the first `stride` bits, of `mbal` = -1)
    /// report one it cast (``trueReports(of:stride:)``).
    public func msgs1b() -> Formula<Concrete> {
        guard let layout = reportsLayout() else { return Inv.msgs1bByDefinition(self) }
        for a in acceptors {
            guard let reports = reports(of: a, layout) else { return Inv.msgs1bByDefinition(self) }
            if reports == 0 { continue }
            let promised = Swift.max(state.maxBal[a] + 1, 0) * layout.ballotStride
            if anyBallot(reports >> UInt128(Swift.min(promised, 128)), ballotStride: layout.ballotStride, within: layout.model) != 0 {
                return Formula(false)
            }
            let sent = anyBallot(reports, ballotStride: layout.ballotStride, within: layout.model)
            guard sent >> UInt64(layout.stride) != 0 else { continue }
            guard let allowed = trueReports(of: a, stride: layout.stride) else { return Inv.msgs1bByDefinition(self) }
            if sent & ~allowed != 0 { return Formula(false) }
        }
        return Formula(true)
    }

    /// ``InductiveInv/msgs1bHighestByDefinition(_:)``: a vote of `a` at ballot c breaks it for
    /// the 1b messages of `a` above c whose `mbal` lies below c (the first c + 1 `mbal`s of each
    /// ballot's bits): each ballot of `a`'s votes asks that there be none.
    public func msgs1bHighest() -> Formula<Concrete> {
        guard let layout = reportsLayout() else { return InductiveInv.msgs1bHighestByDefinition(self) }
        for a in acceptors {
            guard let reports = reports(of: a, layout) else { return InductiveInv.msgs1bHighestByDefinition(self) }
            if reports == 0 { continue }
            // Its votes for the model's values, `stride` bits a ballot.
            guard let votes = votes(of: a), (ballots.upperBound + 1) * votes.stride <= 64 else {
                return InductiveInv.msgs1bHighestByDefinition(self)
            }
            var cast = votes.bits & modelVotes(votes.stride, below: ballots.upperBound + 1)
            while cast != 0 {
                let c = cast.trailingZeroBitCount / votes.stride
                cast &= UInt64.max << UInt64((c + 1) * votes.stride)
                let above = anyBallot(reports >> UInt128((c + 1) * layout.ballotStride), ballotStride: layout.ballotStride, within: layout.model)
                if above & ((1 << UInt64((c + 1) * layout.stride)) - 1) != 0 { return Formula(false) }
            }
        }
        return Formula(true)
    }

    /// The model's 2a messages, bits `bal * stride + val`; nil when the messages do not hold
    /// them so.
    @inline(__always) func modelProposals() -> (bits: UInt64, stride: Int)? {
        guard let proposals = state.msgs.proposals(), proposals.stride > 0, proposals.stride <= 16,
              ballots.lowerBound == 0, (ballots.upperBound + 1) * proposals.stride <= 64 else { return nil }
        return (proposals.bits & modelVotes(proposals.stride, below: ballots.upperBound + 1), proposals.stride)
    }

    /// ``Inv/msgs2aByDefinition(_:)``: each proposal alone at its ballot and safe there.
    public func msgs2a() -> Formula<Concrete> {
        guard let proposals = modelProposals() else { return Inv.msgs2aByDefinition(self) }
        var sent = proposals.bits
        while sent != 0 {
            let k = sent.trailingZeroBitCount
            sent &= sent &- 1
            let b = k / proposals.stride, v = k % proposals.stride
            let atB = proposals.bits >> UInt64(b * proposals.stride) & valueBits(proposals.stride)
            if atB & (atB &- 1) != 0 || !showsSafeAtSomeQuorum(b, v).value { return Formula(false) }
        }
        return Formula(true)
    }

    /// ``Inv/msgs2bByDefinition(_:)``: an acceptor's votes lie at ballots up to its `maxVBal`,
    /// and among the proposals (whose bits are laid out as the votes').
    public func msgs2b() -> Formula<Concrete> {
        guard let proposals = modelProposals() else { return Inv.msgs2bByDefinition(self) }
        let stride = proposals.stride
        for a in acceptors {
            guard let votes = votes(of: a), votes.stride == stride else { return Inv.msgs2bByDefinition(self) }
            let cast = votes.bits & modelVotes(stride, below: ballots.upperBound + 1)
            if cast == 0 { continue }
            let above = Swift.max(state.maxVBal[a] + 1, 0) * stride
            if above < 64 && cast >> UInt64(above) != 0 { return Formula(false) }
            if cast & ~proposals.bits != 0 { return Formula(false) }
        }
        return Formula(true)
    }
}
