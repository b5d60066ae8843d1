import QuorumCore

/// Paxos.tla's `msgs` in the explorer: a set of messages, held as bits, one per type-correct
/// message of the largest model `quorum check` allows (5 acceptors, ballots 0...4, 3 values: 695
/// messages). Larger models (a cluster's ballots and values) hold a ``PaxosMessageList``.
///
/// Why bits rather than a sorted array: every successor of a Paxos state sends a message, and with
/// an array each send allocated, copied and released the whole set; `Send`, membership and
/// equality are now a few word operations. Bit k is the k-th message of the layout in
/// `PaxosMessage`'s order (kind, then fields in declaration order), so iterating the bits visits
/// the messages sorted, as the array did: actions are listed, and traces found, in the same order.
///
/// Why nothing beyond the layout: a set that could grow past it holds a reference, and a state
/// that holds a reference is copied through its type's copy function, retaining: that cost the
/// explorer about a quarter of its time on Paxos. The set is plain words.
public struct PaxosMessageSet: PaxosMessages {
    /// The layout's bounds: `PaxosParameters`' largest values.
    public static let maxAcceptors = 5, maxBallot = 4, maxValues = 3
    static let ballots = maxBallot + 1
    /// Where each kind's bits start; a 1b message's `mbal` (-1...maxBallot) and `mval`
    /// (-1..<maxValues) are stored plus one.
    static let first1b = ballots
    static let first2a = first1b + maxAcceptors * ballots * (ballots + 1) * (maxValues + 1)
    static let first2b = first2a + ballots * maxValues
    static let capacity = first2b + maxAcceptors * ballots * maxValues
    static let wordCount = 11

    private var words = InlineArray<11, UInt64>(repeating: 0)

    /// Word `w`, read through a span: `words[w]` with an index not known at compile time copies
    /// the whole array first (Swift 6.3), which made this set's every read cost 88 bytes of copy.
    @inline(__always) func word(_ w: Int) -> UInt64 { words.span[w] }

    public init() {
        assert(Self.capacity <= Self.wordCount * 64)
        assert((Self.first2a - 1) >> 6 < Self.wordCount, "reports(of:) reads the 1b messages' bits within the words")
        assert(Self.first2b >> 6 + 1 == Self.wordCount - 1, "the 2b messages lie in the last two words")
    }

    /// Whether every field of `m` lies within the layout.
    public static func holds(_ m: PaxosMessage) -> Bool { index(of: m) != nil }

    /// The bit of `m`, or nil when a field lies outside the layout.
    @inline(__always) static func index(of m: PaxosMessage) -> Int? {
        func within(_ x: Int, _ upper: Int) -> Bool { x >= 0 && x < upper }
        switch m {
        case .phase1a(let bal):
            guard within(bal, ballots) else { return nil }
            return bal
        case .phase1b(let acc, let bal, let mbal, let mval):
            guard within(acc, maxAcceptors), within(bal, ballots), within(mbal + 1, ballots + 1), within(mval + 1, maxValues + 1) else { return nil }
            return first1b + ((acc * ballots + bal) * (ballots + 1) + mbal + 1) * (maxValues + 1) + mval + 1
        case .phase2a(let bal, let val):
            guard within(bal, ballots), within(val, maxValues) else { return nil }
            return first2a + bal * maxValues + val
        case .phase2b(let acc, let bal, let val):
            guard within(acc, maxAcceptors), within(bal, ballots), within(val, maxValues) else { return nil }
            return first2b + (acc * ballots + bal) * maxValues + val
        }
    }

    /// The message of bit `k`.
    @inline(__always) static func message(at k: Int) -> PaxosMessage {
        if k < first1b { return .phase1a(bal: k) }
        if k < first2a {
            var j = k - first1b
            let mval = j % (maxValues + 1) - 1
            j /= maxValues + 1
            let mbal = j % (ballots + 1) - 1
            j /= ballots + 1
            return .phase1b(acc: j / ballots, bal: j % ballots, mbal: mbal, mval: mval)
        }
        if k < first2b { return .phase2a(bal: (k - first2a) / maxValues, val: (k - first2a) % maxValues) }
        let j = k - first2b
        return .phase2b(acc: j / maxValues / ballots, bal: j / maxValues % ballots, val: j % maxValues)
    }

    @inline(__always) public func contains(_ m: PaxosMessage) -> Bool {
        guard let k = Self.index(of: m) else { return false }
        return word(k >> 6) & (1 << UInt64(k & 63)) != 0
    }

    /// `msgs' = msgs \cup {m}`; false if `m` was there already. `m` lies within the layout: the
    /// explorer's models do (``Paxos/initialStates`` checks the bounds), and a set read from a
    /// file is checked as it is read.
    @inline(__always) @discardableResult public mutating func insert(_ m: PaxosMessage) -> Bool {
        guard let k = Self.index(of: m) else {
            preconditionFailure("\(m) lies beyond PaxosMessageSet's layout; larger models hold a PaxosMessageList")
        }
        let bit: UInt64 = 1 << UInt64(k & 63)
        if word(k >> 6) & bit != 0 { return false }
        words[k >> 6] |= bit
        return true
    }

    /// The range's bits read at once: `acc`'s 1b messages of ballot `bal` are consecutive bits,
    /// `mbal` major, so the highest bit set is the highest vote. A scan visited each message
    /// through a closure, for every acceptor and ballot of every state the explorer expands.
    public func highestVoteReported(acc: Int, bal: Int, maxBallot: Int, values: Int) -> Int? {
        guard let first = Self.index(of: .phase1b(acc: acc, bal: bal, mbal: -1, mval: -1)),
              let last = Self.index(of: .phase1b(acc: acc, bal: bal, mbal: maxBallot, mval: values - 1)) else {
            return highestVoteReportedByScan(acc: acc, bal: bal, maxBallot: maxBallot, values: values)
        }
        // At most (maxBallot + 2) * (maxValues + 1) bits, 24.
        let bits = self.bits(from: first, count: last - first + 1)
        if bits == 0 { return nil }
        return (63 - bits.leadingZeroBitCount) / (Self.maxValues + 1) - 1
    }

    /// The 1a messages are the first bits, the 2a messages `maxValues` bits a ballot from
    /// `first2a`: read as words, each ballot's proposals moved to `values` bits.
    public func ballotsAndProposals(maxBallot: Int, values: Int) -> (ballots: Int, proposals: Int) {
        guard maxBallot < Self.ballots && values <= Self.maxValues else {
            return ballotsAndProposalsByScan(maxBallot: maxBallot, values: values)
        }
        let ballots = Int(truncatingIfNeeded: word(0) & ((1 << UInt64(maxBallot + 1)) - 1))
        // The 2a range, (maxBallot + 1) * maxValues bits (at most 15).
        let bits = self.bits(from: Self.first2a, count: (maxBallot + 1) * Self.maxValues)
        var proposals = 0
        let row: UInt64 = (1 << UInt64(values)) - 1
        for b in 0...maxBallot {
            proposals |= Int(truncatingIfNeeded: (bits >> UInt64(b * Self.maxValues)) & row) << (b * values)
        }
        return (ballots, proposals)
    }

    /// An acceptor's 2b messages are consecutive bits, ballot major: `maxValues` bits a ballot.
    @inline(__always) public func votes(of acc: Int) -> (bits: UInt64, stride: Int)? {
        guard acc >= 0 && acc < Self.maxAcceptors else { return nil }
        let row = Self.ballots * Self.maxValues
        return (UInt64(truncatingIfNeeded: allVotes >> UInt128(acc * row)) & ((1 << UInt64(row)) - 1), Self.maxValues)
    }

    /// An acceptor's 1b messages are consecutive bits, ballot major, then `mbal`: `maxValues +
    /// 1` bits an `mbal`, and 120 bits in all, which lie within three words.
    @inline(__always) public func reports(of acc: Int) -> (bits: UInt128, ballotStride: Int, stride: Int)? {
        let stride = Self.maxValues + 1, ballotStride = (Self.ballots + 1) * stride
        let width = Self.ballots * ballotStride
        guard acc >= 0 && acc < Self.maxAcceptors else { return nil }
        let first = Self.first1b + acc * width, w = first >> 6, shift = first & 63
        var bits = (UInt128(word(w + 1)) << 64 | UInt128(word(w))) >> UInt128(shift)
        if shift + width > 128 { bits |= UInt128(word(w + 2)) << UInt128(128 - shift) }
        return (bits & ((1 << UInt128(width)) - 1), ballotStride, stride)
    }

    /// The 2a messages are consecutive bits, ballot major: `maxValues` bits a ballot.
    @inline(__always) public func proposals() -> (bits: UInt64, stride: Int)? {
        (bits(from: Self.first2a, count: Self.ballots * Self.maxValues), Self.maxValues)
    }

    /// The 2b messages' bits, which lie in the last two words: read by constant indices, as a
    /// word at a computed index copied the whole array first.
    @inline(__always) private var allVotes: UInt128 {
        let w = Self.first2b >> 6
        return (UInt128(word(w + 1)) << 64 | UInt128(word(w))) >> UInt128(Self.first2b & 63)
    }

    /// `count` (1...64) consecutive bits from bit `first`, which lie within two words.
    @inline(__always) private func bits(from first: Int, count: Int) -> UInt64 {
        let w = first >> 6, shift = first & 63
        var bits = word(w) >> UInt64(shift)
        if shift + count > 64 { bits |= word(w + 1) << UInt64(64 - shift) }
        return count == 64 ? bits : bits & ((1 << UInt64(count)) - 1)
    }

    public var count: Int {
        var n = 0
        for w in 0..<Self.wordCount { n += word(w).nonzeroBitCount }
        return n
    }

    public var isEmpty: Bool { count == 0 }

    /// Calls `body` on the messages from `first` through `last`, in order, until it returns
    /// false: for example every 1b message of one acceptor and ballot, or every 2a message. Only
    /// those bits are visited. Returns whether `body` returned true throughout.
    @inline(__always) @discardableResult
    public func allSatisfy(from first: PaxosMessage, through last: PaxosMessage, _ body: (PaxosMessage) -> Bool) -> Bool {
        if let low = Self.index(of: first), let high = Self.index(of: last) {
            var position = low
            let end = high + 1
            while position < end {
                let w = position >> 6
                let rest = word(w) >> UInt64(position & 63)
                if rest == 0 {
                    position = (w + 1) << 6
                    continue
                }
                let k = position + rest.trailingZeroBitCount
                if k >= end { break }
                position = k + 1
                if !body(Self.message(at: k)) { return false }
            }
            return true
        }
        for m in self where m >= first && m <= last {
            if !body(m) { return false }
        }
        return true
    }

    public func makeIterator() -> Iterator { Iterator(words: words) }

    /// The set's messages in order: the next set bit.
    public struct Iterator: IteratorProtocol, Sequence {
        let words: InlineArray<11, UInt64>
        var position = 0

        @inline(__always) public mutating func next() -> PaxosMessage? {
            while position < PaxosMessageSet.capacity {
                let w = position >> 6
                let rest = words.span[w] >> UInt64(position & 63)
                if rest == 0 {
                    position = (w + 1) << 6
                    continue
                }
                let k = position + rest.trailingZeroBitCount
                guard k < PaxosMessageSet.capacity else { break }
                position = k + 1
                return PaxosMessageSet.message(at: k)
            }
            position = PaxosMessageSet.capacity
            return nil
        }
    }

    /// The kinds of message (bit 0 for 1a, 1 for 1b, 2 for 2a, 3 for 2b) of which one set holds a
    /// message the other does not. Each differing bit is classed by its position: a step sends
    /// one message, so there is one such bit or none, and the other words cost a comparison each
    /// (the explorer asks this of every successor; classing whole words by each kind's range cost
    /// it about a tenth of its instructions).
    @inline(__always) func kindsDiffering(from other: PaxosMessageSet) -> UInt8 {
        words.span.withUnsafeBufferPointer { x in
            other.words.span.withUnsafeBufferPointer { y in Self.kindsDiffering(x.baseAddress!, y.baseAddress!) }
        }
    }

    /// ``kindsDiffering(from:)`` of the sets at two addresses, read in place (the explorer's
    /// successors lie in its own memory; as values, both sets were copied first).
    @inline(__always) static func kindsDiffering(_ first: UnsafePointer<PaxosMessageSet>, _ second: UnsafePointer<PaxosMessageSet>) -> UInt8 {
        // The set's one stored property is its inline array of words, whose elements lie in
        // order from its start; `theChangedVariablesAreExact` compares the kinds read so with
        // those of a set of messages.
        kindsDiffering(UnsafeRawPointer(first).assumingMemoryBound(to: UInt64.self),
                       UnsafeRawPointer(second).assumingMemoryBound(to: UInt64.self))
    }

    @inline(__always) private static func kindsDiffering(_ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>) -> UInt8 {
        // Most of Paxos's steps send a message already sent: one pass of comparisons, which
        // the compiler vectorises, answers them.
        var any: UInt64 = 0
        for w in 0..<wordCount { any |= x[w] ^ y[w] }
        if any == 0 { return 0 }
        // Each kind's range of bits, its edge words masked: straight-line code, where classing
        // each differing bit visited all eleven words in a loop with branches.
        @inline(__always) func differ(from low: Int, to high: Int) -> Bool {
            let first = low >> 6, last = (high - 1) >> 6
            let lowMask = UInt64.max << UInt64(low & 63)
            let highMask = high & 63 == 0 ? UInt64.max : (1 << UInt64(high & 63)) - 1
            if first == last { return (x[first] ^ y[first]) & lowMask & highMask != 0 }
            var d = (x[first] ^ y[first]) & lowMask | (x[last] ^ y[last]) & highMask
            for w in (first + 1)..<last { d |= x[w] ^ y[w] }
            return d != 0
        }
        var kinds: UInt8 = differ(from: 0, to: first1b) ? 1 : 0
        if differ(from: first1b, to: first2a) { kinds |= 2 }
        if differ(from: first2a, to: first2b) { kinds |= 4 }
        if differ(from: first2b, to: capacity) { kinds |= 8 }
        return kinds
    }

    /// Each word: the bits are the set.
    @inline(__always) public func forEachWord(_ body: (UInt64) -> Void) {
        for w in 0..<Self.wordCount { body(word(w)) }
    }

    @inline(__always) public static func == (a: PaxosMessageSet, b: PaxosMessageSet) -> Bool {
        for w in 0..<wordCount where a.word(w) != b.word(w) { return false }
        return true
    }

    public func hash(into hasher: inout Hasher) { forEachWord { hasher.combine($0) } }

    /// Written as the sorted list of messages, as the array it replaces was.
    public func encode(to encoder: Encoder) throws { try Array(self).encode(to: encoder) }

    /// A message beyond the layout is an error, not a trap: files are input.
    public init(from decoder: Decoder) throws {
        let messages = try [PaxosMessage](from: decoder)
        if let m = messages.first(where: { !Self.holds($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(m) lies beyond the bounds of Paxos's explorer"))
        }
        self.init(messages)
    }
}
