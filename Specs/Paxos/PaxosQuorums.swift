/// A model's quorums as one bit per set of acceptors: bit q is set when the acceptors of q's
/// bits form a quorum. Up to eight acceptors: 256 bits, in plain words.
///
/// Why not the list of lists that ``PaxosView/quorums`` gives: the concrete view is made for each
/// invariant of each new state, and a view holding that list retained and released it, and was
/// destroyed through an outlined generic function, every time (about a twentieth of the
/// explorer's instructions on Paxos).
public struct PaxosQuorums: Sendable, Sequence {
    private var words = InlineArray<4, UInt64>(repeating: 0)
    /// The acceptors of some quorum, as bits.
    public private(set) var members = 0

    /// The quorums `sets`, each a bit set of acceptors below eight.
    public init<S: Sequence<Int>>(_ sets: S) {
        for q in sets {
            precondition(q >= 0 && q < 256, "a quorum is a set of acceptors below eight")
            words[q >> 6] |= 1 << UInt64(q & 63)
            members |= q
        }
    }

    /// The quorums, each a bit set of acceptors, in increasing order. A sequence rather than a
    /// method taking a closure: the explorer's loops over it are inlined, where a closure was a
    /// call per quorum.
    public func makeIterator() -> Iterator { Iterator(words: words) }

    /// The next set bit.
    public struct Iterator: IteratorProtocol {
        let words: InlineArray<4, UInt64>
        var w = 0
        var bits: UInt64 = 0

        init(words: InlineArray<4, UInt64>) {
            self.words = words
            bits = words[0]
        }

        @inline(__always) public mutating func next() -> Int? {
            while bits == 0 {
                w += 1
                guard w < 4 else { return nil }
                bits = words.span[w]
            }
            let q = w << 6 | bits.trailingZeroBitCount
            bits &= bits &- 1
            return q
        }
    }

    /// The quorums as lists of acceptors, in increasing order of their bit sets.
    public var lists: [[Int]] { map { q in (0..<8).filter { q & (1 << $0) != 0 } } }
}
