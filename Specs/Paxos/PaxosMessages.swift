import QuorumCore

/// What Paxos's functions need of Paxos.tla's `msgs`: a set of messages that only grows, read
/// by membership and by ranges in `PaxosMessage`'s order.
///
/// Two kinds of set serve: the explorer's ``PaxosMessageSet`` (bits, within the largest bounds
/// `quorum check` allows, so that a state is plain words that copy without reference counting),
/// and ``PaxosMessageList`` (a sorted list, at any bounds: a running cluster's fifty ballots and
/// five values). The same functions (``Paxos``) run over either.
public protocol PaxosMessages: Hashable, Sendable, Codable, Sequence where Element == PaxosMessage {
    init()
    func contains(_ m: PaxosMessage) -> Bool
    /// `msgs' = msgs \cup {m}`; false if `m` was there already.
    @discardableResult mutating func insert(_ m: PaxosMessage) -> Bool
    /// Calls `body` on the messages from `first` through `last`, in order, until it returns
    /// false; returns whether it returned true throughout.
    func allSatisfy(from first: PaxosMessage, through last: PaxosMessage, _ body: (PaxosMessage) -> Bool) -> Bool
    /// Words that determine the set, for fingerprints: injective on the sets a model holds.
    func forEachWord(_ body: (UInt64) -> Void)
    /// The highest vote (`mbal`, -1 for none) that `acc`'s 1b messages of ballot `bal` report,
    /// nil when it sent none, in a model of ballots up to `maxBallot` and `values` values: what
    /// `Phase2a` reads of each acceptor of each ballot, for every state the explorer expands. By
    /// default those messages one by one (``highestVoteReportedByScan(acc:bal:maxBallot:values:)``).
    func highestVoteReported(acc: Int, bal: Int, maxBallot: Int, values: Int) -> Int?
    /// The ballots of the 1a messages (bit `bal`) and the proposals of the 2a messages (bit
    /// `bal * values + val`), in a model of ballots up to `maxBallot` and `values` values whose
    /// `(maxBallot + 1) * values` bits fit a word: what `Phase1b` and `Phase2b` read for every
    /// acceptor. By default the messages one by one (``ballotsAndProposalsByScan(maxBallot:values:)``).
    func ballotsAndProposals(maxBallot: Int, values: Int) -> (ballots: Int, proposals: Int)
    /// `acc`'s votes (its 2b messages) as the bits `bal * stride + val` of one word, or nil where
    /// the set does not hold them so (by default: the invariants then read the messages one by
    /// one). What the concrete view reads for `DidNotVoteAt`, `ShowsSafeAt` and `ChosenAt`.
    func votes(of acc: Int) -> (bits: UInt64, stride: Int)?
    /// `acc`'s 1b messages as the bits `bal * ballotStride + (mbal + 1) * stride + mval + 1` of
    /// 128 (`mbal` and `mval` -1 for none), or nil where the set does not hold them so (by
    /// default). What the concrete view reads for `Inv`'s and `InductiveInv`'s 1b conjuncts.
    func reports(of acc: Int) -> (bits: UInt128, ballotStride: Int, stride: Int)?
    /// The 2a messages as the bits `bal * stride + val` of one word, or nil where the set does
    /// not hold them so (by default). What the concrete view reads for `Inv`'s 2a and 2b
    /// conjuncts.
    func proposals() -> (bits: UInt64, stride: Int)?
}

extension PaxosMessages {
    /// The set of `messages`.
    public init<S: Sequence<PaxosMessage>>(_ messages: S) {
        self.init()
        for m in messages { insert(m) }
    }

    public func highestVoteReported(acc: Int, bal: Int, maxBallot: Int, values: Int) -> Int? {
        highestVoteReportedByScan(acc: acc, bal: bal, maxBallot: maxBallot, values: values)
    }

    /// The definition of ``highestVoteReported(acc:bal:maxBallot:values:)``: the largest `mbal`
    /// among the messages of that range.
    public func highestVoteReportedByScan(acc: Int, bal: Int, maxBallot: Int, values: Int) -> Int? {
        var highest: Int? = nil
        forEach(from: .phase1b(acc: acc, bal: bal, mbal: -1, mval: -1),
                through: .phase1b(acc: acc, bal: bal, mbal: maxBallot, mval: values - 1)) { m in
            guard case .phase1b(_, _, let mbal, _) = m else { return }
            highest = Swift.max(highest ?? -1, mbal)
        }
        return highest
    }

    public func ballotsAndProposals(maxBallot: Int, values: Int) -> (ballots: Int, proposals: Int) {
        ballotsAndProposalsByScan(maxBallot: maxBallot, values: values)
    }

    public func votes(of acc: Int) -> (bits: UInt64, stride: Int)? { nil }
    public func reports(of acc: Int) -> (bits: UInt128, ballotStride: Int, stride: Int)? { nil }
    public func proposals() -> (bits: UInt64, stride: Int)? { nil }

    /// The definition of ``ballotsAndProposals(maxBallot:values:)``: the 1a and 2a messages.
    public func ballotsAndProposalsByScan(maxBallot: Int, values: Int) -> (ballots: Int, proposals: Int) {
        var ballots = 0, proposals = 0
        forEach(from: .phase1a(bal: 0), through: .phase1a(bal: maxBallot)) { m in
            if case .phase1a(let bal) = m { ballots |= 1 << bal }
        }
        forEach(from: .phase2a(bal: 0, val: 0), through: .phase2a(bal: maxBallot, val: values - 1)) { m in
            if case .phase2a(let bal, let val) = m { proposals |= 1 << (bal * values + val) }
        }
        return (ballots, proposals)
    }

    /// Calls `body` on the messages from `first` through `last`, in order.
    @inline(__always) public func forEach(from first: PaxosMessage, through last: PaxosMessage, _ body: (PaxosMessage) -> Void) {
        _ = allSatisfy(from: first, through: last) { m in
            body(m)
            return true
        }
    }
}

/// `msgs` as a sorted list of messages: any ballots, acceptors and values. What a running
/// cluster's nodes hold (``PaxosAtAnyBounds``); the explorer holds bits (``PaxosMessageSet``).
public struct PaxosMessageList: PaxosMessages {
    public private(set) var messages: [PaxosMessage] = []

    public init() {}

    /// Where `m` is, or would go.
    func position(of m: PaxosMessage) -> (index: Int, found: Bool) {
        var low = 0, high = messages.count
        while low < high {
            let mid = (low + high) / 2
            if messages[mid] < m { low = mid + 1 } else { high = mid }
        }
        return (low, low < messages.count && messages[low] == m)
    }

    public func contains(_ m: PaxosMessage) -> Bool { position(of: m).found }

    @discardableResult public mutating func insert(_ m: PaxosMessage) -> Bool {
        let p = position(of: m)
        if p.found { return false }
        messages.insert(m, at: p.index)
        return true
    }

    public func allSatisfy(from first: PaxosMessage, through last: PaxosMessage, _ body: (PaxosMessage) -> Bool) -> Bool {
        var k = position(of: first).index
        while k < messages.count && messages[k] <= last {
            if !body(messages[k]) { return false }
            k += 1
        }
        return true
    }

    /// The length, then each message a field a byte: injective while ballots lie within 0...254,
    /// which `quorum cluster`'s range (200) keeps.
    public func forEachWord(_ body: (UInt64) -> Void) {
        body(UInt64(messages.count))
        for m in messages { body(m.packed) }
    }

    public var count: Int { messages.count }
    public func makeIterator() -> IndexingIterator<[PaxosMessage]> { messages.makeIterator() }

    /// Written as the sorted list of messages, as ``PaxosMessageSet`` is.
    public func encode(to encoder: Encoder) throws { try messages.encode(to: encoder) }

    public init(from decoder: Decoder) throws {
        self.init(try [PaxosMessage](from: decoder))
    }
}
