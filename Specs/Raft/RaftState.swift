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
/// each a function of the server. Servers are 0..<n; `votedFor` is -1 for Nil; sets of servers are
/// bit sets; logs are 1-indexed in the spec and 0-indexed here (entry k of the spec is `log[i][k-1]`).
public struct RaftState: Hashable, Codable, Sendable, Fingerprintable {
    public var currentTerm: [Int]
    public var state: [Role]
    public var votedFor: [Int]
    public var log: [[Entry]]
    public var commitIndex: [Int]
    public var votesResponded: [Int]
    public var votesGranted: [Int]
    public var nextIndex: [[Int]]
    public var matchIndex: [[Int]]
    public var messages: MessageBag

    public init(servers n: Int) {
        currentTerm = Array(repeating: 1, count: n)
        state = Array(repeating: .follower, count: n)
        votedFor = Array(repeating: -1, count: n)
        log = Array(repeating: [], count: n)
        commitIndex = Array(repeating: 0, count: n)
        votesResponded = Array(repeating: 0, count: n)
        votesGranted = Array(repeating: 0, count: n)
        nextIndex = Array(repeating: Array(repeating: 1, count: n), count: n)
        matchIndex = Array(repeating: Array(repeating: 0, count: n), count: n)
        messages = MessageBag()
    }

    /// `LastTerm(log[i])`.
    public func lastTerm(_ i: Int) -> Int { log[i].last?.term ?? 0 }

    public func fingerprint(into f: inout Fingerprinter) {
        for i in currentTerm.indices {
            f.combine(UInt64(currentTerm[i]) | UInt64(state[i].rawValue) << 8 | UInt64(votedFor[i] + 1) << 16
                | UInt64(commitIndex[i]) << 24 | UInt64(votesResponded[i]) << 32 | UInt64(votesGranted[i]) << 40
                | UInt64(log[i].count) << 48)
            for e in log[i] { f.combine(UInt64(e.term) | UInt64(e.value) << 32) }
            var word: UInt64 = 0
            for j in currentTerm.indices { word = word << 8 | UInt64(nextIndex[i][j]) << 4 | UInt64(matchIndex[i][j]) }
            f.combine(word)
        }
        f.combine(messages.items.count)
        for item in messages.items { f.combine(item.message.key ^ UInt64(item.count) << 56) }
    }
}
