import QuorumCore

/// A server's role: raft.tla's `state` variable.
public enum Role: Int, Hashable, Codable, Sendable {
    case follower, candidate, leader

    public var name: String {
        switch self {
        case .follower: "Follower"
        case .candidate: "Candidate"
        case .leader: "Leader"
        }
    }
}

/// The variables of raft.tla (without the history variables `elections`, `allLogs`, `voterLog`),
/// each a function of the server. Servers are 0..<n (at most five); `votedFor` is -1 for Nil; sets
/// of servers are bit sets; logs are 1-indexed in the spec and 0-indexed here (entry k of the spec
/// is `log[i][k-1]`).
///
/// Everything is stored inline in machine words (a log in one, each index table in two, the bag
/// in sixteen), so that a successor costs a copy of 256 bytes and no allocation; the code reads
/// as if they were arrays.
public struct RaftState: Hashable, Codable, Sendable, Fingerprintable {
    public var currentTerm: PerServer<Int>
    public var state: PerServer<Role>
    public var votedFor: PerServer<Int>
    public var log: PerServerRows<RaftLog>
    public var commitIndex: PerServer<Int>
    public var votesResponded: PerServer<Int>
    public var votesGranted: PerServer<Int>
    public var nextIndex: IndexRows
    public var matchIndex: IndexRows
    public var messages: MessageBag
    /// The number of servers, in the byte after the bag (129 bytes): the state then takes 250
    /// bytes instead of 257, and a copy of it takes `memcpy`'s path for at most 256 bytes, about
    /// half the instructions of its path for longer copies.
    private let serverCount: UInt8
    public var servers: Int { Int(serverCount) }

    enum CodingKeys: String, CodingKey {
        case currentTerm, state, votedFor, log, commitIndex, votesResponded, votesGranted, nextIndex, matchIndex, messages
        case serverCount = "servers"
    }

    public init(servers n: Int) {
        precondition(n >= 1 && n <= 5, "1 to 5 servers")
        serverCount = UInt8(n)
        currentTerm = PerServer(repeating: 1, count: n)
        state = PerServer(repeating: .follower, count: n)
        votedFor = PerServer(repeating: -1, count: n)
        log = PerServerRows(repeating: RaftLog())
        commitIndex = PerServer(repeating: 0, count: n)
        votesResponded = PerServer(repeating: 0, count: n)
        votesGranted = PerServer(repeating: 0, count: n)
        nextIndex = IndexRows(repeating: PerServer(repeating: 1, count: n))
        matchIndex = IndexRows(repeating: PerServer(repeating: 0, count: n))
        messages = MessageBag()
    }

    /// `LastTerm(log[i])`. Always inlined: `apply` and the vote handler read it for every
    /// RequestVote, and the call cost more than the read.
    @inline(__always) public func lastTerm(_ i: Int) -> Int { log[i].last?.term ?? 0 }

    /// The state with server `i` renamed `ps[i]` and value `v` renamed `pv[v]`.
    public func permuted(servers ps: [Int], values pv: [Int]) -> RaftState {
        func set(_ bits: Int) -> Int {
            var out = 0
            for i in 0..<servers where bits & (1 << i) != 0 { out |= 1 << ps[i] }
            return out
        }
        func entry(_ e: Entry) -> Entry { Entry(term: e.term, value: pv[e.value]) }
        var t = self
        for i in 0..<servers {
            let j = ps[i]
            t.currentTerm[j] = currentTerm[i]
            t.state[j] = state[i]
            t.votedFor[j] = votedFor[i] < 0 ? -1 : ps[votedFor[i]]
            t.commitIndex[j] = commitIndex[i]
            t.votesResponded[j] = set(votesResponded[i])
            t.votesGranted[j] = set(votesGranted[i])
            var log = RaftLog()
            for e in self.log[i] { log.append(entry(e)) }
            t.log[j] = log
            for k in 0..<servers {
                var next = t.nextIndex[j], match = t.matchIndex[j]
                next[ps[k]] = nextIndex[i][k]
                match[ps[k]] = matchIndex[i][k]
                t.nextIndex[j] = next
                t.matchIndex[j] = match
            }
        }
        var bag = MessageBag()
        for item in messages.items {
            let m = item.message.renamed(servers: ps, entry: entry)
            for _ in 0..<item.count { bag.add(m) }
        }
        t.messages = bag
        return t
    }

    /// The words are injective on states within every bound `quorum list` allows: fields share a
    /// word only in disjoint bits. `PerServer` stores a value plus one in a byte, so `state` (at most
    /// 3: two bits) and `votedFor` (at most 6, three bits, shifted by four) share bytes. A log is its
    /// word (``RaftLog``), and each ``IndexRows`` table its two words, the second only beyond three
    /// servers: it holds rows 3 and 4, which a state of three servers never changes. The vote sets need six bits a byte at five servers, so
    /// each has a word of its own. `FingerprintTests` audits this on every variant at the smallest
    /// and largest sizes.
    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        withUnsafePointer(to: self) { Self.feed($0, into: &f) }
    }

    /// The same words read in place: the explorer fingerprints nearly every successor, and
    /// taking the state as a value copied its 250 bytes first.
    public static func fingerprint(at state: UnsafePointer<RaftState>) -> UInt64 {
        var f = Fingerprinter()
        feed(state, into: &f)
        return f.value
    }

    @inline(__always) static func feed<H: FingerprintHasher>(_ s: UnsafePointer<RaftState>, into f: inout H) {
        f.combine(s.pointee.currentTerm.word)
        f.combine(s.pointee.state.word | s.pointee.votedFor.word << 4)
        f.combine(s.pointee.commitIndex.word)
        f.combine(s.pointee.votesResponded.word)
        f.combine(s.pointee.votesGranted.word)
        s.pointee.log.forEach(upTo: s.pointee.servers) { $0.fingerprint(into: &f) }
        f.combine(s.pointee.nextIndex.low)
        f.combine(s.pointee.matchIndex.low)
        if s.pointee.servers > 3 {
            f.combine(s.pointee.nextIndex.high)
            f.combine(s.pointee.matchIndex.high)
        }
        MessageBag.fingerprint(at: s.pointer(to: \.messages)!, into: &f)
    }
}
