import QuorumCore

/// A message of Lamport's Paxos. Messages are never removed: `msgs` only grows, so a message
/// received twice is simply a message acted upon twice.
public enum PaxosMessage: Hashable, Comparable, Codable, Sendable {
    /// The leader of ballot `bal` asks acceptors to promise not to vote below it.
    case phase1a(bal: Int)
    /// Acceptor `acc` promises ballot `bal` and reports its highest vote (`mbal` = -1 and
    /// `mval` = -1 when it has none: Lamport's None).
    case phase1b(acc: Int, bal: Int, mbal: Int, mval: Int)
    /// The leader of ballot `bal` asks acceptors to vote for `val`.
    case phase2a(bal: Int, val: Int)
    /// Acceptor `acc` votes for `val` in ballot `bal`.
    case phase2b(acc: Int, bal: Int, val: Int)

    /// Eight bits a field, for fingerprints.
    @inlinable var packed: UInt64 {
        func b(_ x: Int) -> UInt64 { UInt64(UInt8(truncatingIfNeeded: x)) }
        switch self {
        case .phase1a(let bal): return 1 | b(bal) << 8
        case .phase1b(let acc, let bal, let mbal, let mval): return 2 | b(acc) << 8 | b(bal) << 16 | b(mbal) << 24 | b(mval) << 32
        case .phase2a(let bal, let val): return 3 | b(bal) << 8 | b(val) << 16
        case .phase2b(let acc, let bal, let val): return 4 | b(acc) << 8 | b(bal) << 16 | b(val) << 24
        }
    }
}

/// One small value per acceptor, packed into a word: `state.maxBal[a]`.
public typealias PerAcceptor = PerProcess

/// The explorer's state of Paxos: its messages as bits (``PaxosMessageSet``), so that a
/// successor is a copy of a few words, without allocation or reference counting.
public typealias PaxosState = PaxosStateOf<PaxosMessageSet>

/// The state of Paxos.tla: per acceptor `maxBal`, `maxVBal`, `maxVal` (-1 stands for -1 and for
/// None), and the set `msgs` of all messages ever sent, held as `Messages`: bits in the explorer
/// (``PaxosState``), a sorted list at a cluster's bounds (``PaxosAtAnyBounds``).
public struct PaxosStateOf<Messages: PaxosMessages>: Hashable, Codable, Sendable, Fingerprintable {
    public let acceptors: Int
    public var maxBal: PerAcceptor<Int>
    public var maxVBal: PerAcceptor<Int>
    public var maxVal: PerAcceptor<Int>
    public private(set) var msgs: Messages

    public init(acceptors: Int) {
        precondition(acceptors >= 1 && acceptors <= 8, "1 to 8 acceptors")
        self.acceptors = acceptors
        maxBal = PerAcceptor(repeating: -1, count: acceptors)
        maxVBal = PerAcceptor(repeating: -1, count: acceptors)
        maxVal = PerAcceptor(repeating: -1, count: acceptors)
        msgs = Messages()
    }

    /// `Send(m)`: msgs' = msgs ∪ {m}.
    @inline(__always) public mutating func send(_ m: PaxosMessage) { msgs.insert(m) }

    @inline(__always) public func contains(_ m: PaxosMessage) -> Bool { msgs.contains(m) }

    /// msgs' = the set of `messages` (in any order, repeats allowed).
    mutating func replaceMessages(_ messages: [PaxosMessage]) {
        msgs = Messages(messages)
    }

    /// The state with acceptor `a` renamed `pa[a]` and value `v` renamed `pv[v]`.
    public func permuted(acceptors pa: [Int], values pv: [Int]) -> Self {
        func value(_ v: Int) -> Int { v < 0 ? v : pv[v] }
        var t = self
        for a in 0..<acceptors {
            t.maxBal[pa[a]] = maxBal[a]
            t.maxVBal[pa[a]] = maxVBal[a]
            t.maxVal[pa[a]] = value(maxVal[a])
        }
        var renamed = Messages()
        for m in msgs {
            switch m {
            case .phase1a: renamed.insert(m)
            case .phase1b(let acc, let bal, let mbal, let mval): renamed.insert(.phase1b(acc: pa[acc], bal: bal, mbal: mbal, mval: value(mval)))
            case .phase2a(let bal, let val): renamed.insert(.phase2a(bal: bal, val: pv[val]))
            case .phase2b(let acc, let bal, let val): renamed.insert(.phase2b(acc: pa[acc], bal: bal, val: pv[val]))
            }
        }
        t.msgs = renamed
        return t
    }

    /// Each word once: the acceptors' words are injective (``PerProcess``), and so are the set's
    /// (``PaxosMessages/forEachWord(_:)``).
    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        withUnsafePointer(to: self) { Self.feed($0, into: &f) }
    }

    /// The same words read in place, where the explorer writes its successors: as a value the
    /// state was copied first.
    public static func fingerprint(at state: UnsafePointer<Self>) -> UInt64 {
        var f = Fingerprinter()
        feed(state, into: &f)
        return f.value
    }

    @inline(__always) static func feed<H: FingerprintHasher>(_ s: UnsafePointer<Self>, into f: inout H) {
        f.combine(s.pointee.maxBal.word)
        f.combine(s.pointee.maxVBal.word)
        f.combine(s.pointee.maxVal.word)
        s.pointee.msgs.forEachWord { f.combine($0) }
    }
}
