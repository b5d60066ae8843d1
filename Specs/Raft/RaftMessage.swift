import QuorumCore

/// A log entry: the term of the leader that created it and a client value.
public struct Entry: Hashable, Codable, Sendable {
    public var term: Int
    public var value: Int
    public init(term: Int, value: Int) {
        self.term = term
        self.value = value
    }
}

/// A message of raft.tla, packed into one 64-bit word so that bags of messages sort, compare and
/// hash as integers. The history field `mlog` of the original is left out.
public struct RaftMessage: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public enum Kind: Int, Hashable, Codable, Sendable, CaseIterable {
        case requestVoteRequest, requestVoteResponse, appendEntriesRequest, appendEntriesResponse
    }

    public let key: UInt64

    init(key: UInt64) { self.key = key }

    /// A message from its packed fields: `a`, `b`, `c` and `flag` hold different fields for
    /// different kinds (see the accessors below); unused ones are 0.
    /// The symbolic encoding (RaftZ3) builds messages from these fields too.
    public init(kind: Kind, term: Int, source: Int, dest: Int, a: Int = 0, b: Int = 0, c: Int = 0,
                flag: Bool = false, entry: Entry? = nil) {
        precondition(Self.fits(term: term, source: source, dest: dest, a: a, b: b, c: c, entry: entry), "message field out of range")
        func f(_ x: Int, _ shift: UInt64) -> UInt64 { UInt64(x) << shift }
        key = f(kind.rawValue, 0) | f(term, 2) | f(source, 7) | f(dest, 10) | f(a, 13) | f(b, 18) | f(c, 23)
            | (flag ? 1 << Self.flagBit : 0) | (entry.map { 1 << 29 | f($0.term, 30) | f($0.value, 35) } ?? 0)
    }

    /// The packed word's fields, from the least significant bit: kind (2 bits), term (5), source
    /// and dest (3 each), `a`, `b`, `c` (5 each), the flag, whether there is an entry, its term (5)
    /// and value (2): 37 bits. Terms stay at most 16 (maxTerm 15 plus one), indices at most 8,
    /// servers at most 5 and values at most 3. The fields of greater weight come first in the
    /// messages' order, which is the words' order: a bag lists its messages (and so its Receive,
    /// DuplicateMessage and DropMessage steps) in the order wider fields gave, and traces are the same.
    public static func fits(term: Int, source: Int, dest: Int, a: Int, b: Int, c: Int, entry: Entry?) -> Bool {
        func within(_ x: Int, _ bits: Int) -> Bool { x >= 0 && x < 1 << bits }
        return within(term, 5) && within(source, 3) && within(dest, 3) && within(a, 5) && within(b, 5) && within(c, 5)
            && (entry.map { within($0.term, 5) && within($0.value, 2) } ?? true)
    }

    /// The flag's bit: RequestVoteResponse's mvoteGranted, AppendEntriesResponse's msuccess.
    static let flagBit: UInt64 = 28

    /// Always inlined: a shift and a mask, which the handlers read for every message received,
    /// cost less than the call the optimizer chose.
    @inline(__always) private func field(_ shift: Int, _ bits: Int) -> Int { Int((key >> UInt64(shift)) & ((1 << UInt64(bits)) - 1)) }

    public var kind: Kind { Kind(rawValue: field(0, 2))! }
    /// The packed fields, as the initializer takes them.
    public var a: Int { field(13, 5) }
    public var b: Int { field(18, 5) }
    public var c: Int { field(23, 5) }
    public var flag: Bool { field(28, 1) == 1 }
    public var term: Int { field(2, 5) }
    public var source: Int { field(7, 3) }
    public var dest: Int { field(10, 3) }
    /// RequestVoteRequest's mlastLogTerm.
    public var lastLogTerm: Int { a }
    /// RequestVoteRequest's mlastLogIndex.
    public var lastLogIndex: Int { b }
    /// RequestVoteResponse's mvoteGranted.
    public var voteGranted: Bool { flag }
    /// AppendEntriesRequest's mprevLogIndex.
    public var prevLogIndex: Int { a }
    /// AppendEntriesRequest's mprevLogTerm.
    public var prevLogTerm: Int { b }
    /// AppendEntriesRequest's mcommitIndex.
    public var commitIndex: Int { c }
    /// AppendEntriesRequest's mentries: at most one entry.
    public var entry: Entry? { field(29, 1) == 1 ? Entry(term: field(30, 5), value: field(35, 2)) : nil }
    /// AppendEntriesResponse's msuccess.
    public var success: Bool { flag }
    /// AppendEntriesResponse's mmatchIndex.
    public var matchIndex: Int { a }

    public static func requestVoteRequest(term: Int, lastLogTerm: Int, lastLogIndex: Int, source: Int, dest: Int) -> RaftMessage {
        RaftMessage(kind: .requestVoteRequest, term: term, source: source, dest: dest, a: lastLogTerm, b: lastLogIndex)
    }

    public static func requestVoteResponse(term: Int, voteGranted: Bool, source: Int, dest: Int) -> RaftMessage {
        RaftMessage(kind: .requestVoteResponse, term: term, source: source, dest: dest, flag: voteGranted)
    }

    public static func appendEntriesRequest(term: Int, prevLogIndex: Int, prevLogTerm: Int, entry: Entry?,
                                            commitIndex: Int, source: Int, dest: Int) -> RaftMessage {
        RaftMessage(kind: .appendEntriesRequest, term: term, source: source, dest: dest,
                    a: prevLogIndex, b: prevLogTerm, c: commitIndex, entry: entry)
    }

    public static func appendEntriesResponse(term: Int, success: Bool, matchIndex: Int, source: Int, dest: Int) -> RaftMessage {
        RaftMessage(kind: .appendEntriesResponse, term: term, source: source, dest: dest, a: matchIndex, flag: success)
    }

    public static func < (a: RaftMessage, b: RaftMessage) -> Bool { a.key < b.key }

    /// The message with source and destination renamed by `ps` and its entry mapped by `entry`.
    func renamed(servers ps: [Int], entry map: (Entry) -> Entry) -> RaftMessage {
        RaftMessage(kind: kind, term: term, source: ps[source], dest: ps[dest], a: a, b: b, c: c, flag: flag,
                    entry: entry.map(map))
    }

    public var description: String {
        let route = "\(Raft.serverName(source)) → \(Raft.serverName(dest))"
        switch kind {
        case .requestVoteRequest:
            return "\(route) RequestVoteRequest(term \(term), lastLogTerm \(lastLogTerm), lastLogIndex \(lastLogIndex))"
        case .requestVoteResponse:
            return "\(route) RequestVoteResponse(term \(term), \(voteGranted ? "granted" : "denied"))"
        case .appendEntriesRequest:
            let entries = entry.map { "[term \($0.term), v\($0.value + 1)]" } ?? "[]"
            return "\(route) AppendEntriesRequest(term \(term), prev \(prevLogIndex)/\(prevLogTerm), entries \(entries), commit \(commitIndex))"
        case .appendEntriesResponse:
            return "\(route) AppendEntriesResponse(term \(term), \(success ? "success" : "failure"), match \(matchIndex))"
        }
    }
}

/// raft.tla's `messages`: a bag (multiset) of messages with copy counts, kept sorted by message.
///
/// A message whose last copy is received or dropped leaves the bag. (raft.tla writes the bag as a
/// function whose domain keeps such messages with count 0; see Specs/Raft/README.md.)
///
/// The bag is held inline, one word per distinct message (the message's 37 bits and its copy
/// count in the top byte), so that copying a state copies bytes and never touches the heap: no
/// allocation when a message is sent, no reference counting when a state is copied. It holds at
/// most ``capacity`` distinct messages, one more than the largest `maxMessages` bound, since a
/// successor may exceed the bound by one message before the explorer discards it. The number of
/// distinct messages lives in the first word's bits 48 to 55, above its message: the bag is then
/// 128 bytes, which the compiler copies with a few vector moves, where at 129 it called `memcpy`.
public struct MessageBag: Hashable, Codable, Sendable {
    public struct Item: Hashable, Codable, Sendable {
        public let message: RaftMessage
        public let count: Int
    }

    public static let capacity = 16
    private static let countShift: UInt64 = 56
    private static let distinctShift: UInt64 = 48
    private static let keyMask: UInt64 = (1 << distinctShift) - 1
    private static let distinctMask: UInt64 = 0xFF << distinctShift

    /// Sorted by message; the words past `distinct` are zero.
    private var words = InlineArray<16, UInt64>(repeating: 0)

    /// The number of distinct messages: the first word's bits 48 to 55.
    @inline(__always) private var distinct: Int { Int((word(0) >> Self.distinctShift) & 0xFF) }

    /// Word `k`, read through a span: `words[k]` with an index not known at compile time copies
    /// all 16 words first (Swift 6.3), and the bag is read on every step.
    @inline(__always) func word(_ k: Int) -> UInt64 { words.span[k] }

    public init() {}

    /// The distinct messages in flight, with their copy counts, in message order.
    public var items: Items { Items(bag: self) }

    public struct Items: RandomAccessCollection, Sendable {
        let bag: MessageBag
        public var startIndex: Int { 0 }
        public var endIndex: Int { Int(bag.distinct) }
        public subscript(k: Int) -> Item {
            let word = bag.word(k)
            return Item(message: RaftMessage(key: word & MessageBag.keyMask), count: Int(word >> MessageBag.countShift))
        }
    }

    @inline(__always) private func position(of m: RaftMessage) -> (index: Int, found: Bool) {
        withUnsafePointer(to: self) { Self.position(of: m.key, in: Self.words(at: $0)) }
    }

    public func count(of m: RaftMessage) -> Int {
        let p = position(of: m)
        return p.found ? Int(word(p.index) >> Self.countShift) : 0
    }

    /// Whether one more copy of `m` fits.
    public func canAdd(_ m: RaftMessage) -> Bool {
        let p = position(of: m)
        return p.found ? word(p.index) >> Self.countShift < 0xFF : Int(distinct) < Self.capacity
    }

    /// `WithMessage(m, messages)`.
    public mutating func add(_ m: RaftMessage) {
        withWords { w in
            let p = Self.position(of: m.key, in: w)
            if p.found {
                precondition(w[p.index] >> Self.countShift < 0xFF, "at most 255 copies of a message")
                w[p.index] += 1 << Self.countShift
                return
            }
            let n = Int((w[0] >> Self.distinctShift) & 0xFF)
            precondition(n < Self.capacity, "at most \(Self.capacity) distinct messages in flight")
            w[0] &= ~Self.distinctMask
            var k = n
            while k > p.index {
                w[k] = w[k - 1]
                k -= 1
            }
            w[p.index] = m.key | 1 << Self.countShift
            w[0] |= UInt64(n + 1) << Self.distinctShift
        }
    }

    /// `WithoutMessage(m, messages)`: one copy fewer; a message with no copies left leaves the bag.
    public mutating func remove(_ m: RaftMessage) {
        withWords { w in
            let p = Self.position(of: m.key, in: w)
            guard p.found else { return }
            if w[p.index] >> Self.countShift > 1 {
                w[p.index] -= 1 << Self.countShift
                return
            }
            let n = Int((w[0] >> Self.distinctShift) & 0xFF)
            w[0] &= ~Self.distinctMask
            for k in p.index..<(n - 1) { w[k] = w[k + 1] }
            w[n - 1] = 0
            if n > 1 { w[0] |= UInt64(n - 1) << Self.distinctShift }
        }
    }

    /// The bag's words in place, for `add` and `remove`: there, each read through ``word(_:)``
    /// copied all 16 words first (Swift 6.3), three to five copies of 128 bytes a call. The
    /// layout is that of ``words(at:)``.
    @inline(__always) private mutating func withWords<R>(_ body: (UnsafeMutablePointer<UInt64>) -> R) -> R {
        withUnsafeMutablePointer(to: &self) { body(UnsafeMutableRawPointer($0).assumingMemoryBound(to: UInt64.self)) }
    }

    /// Where the message with `key` is among the words at `w`, or would go.
    @inline(__always) private static func position(of key: UInt64, in w: UnsafePointer<UInt64>) -> (index: Int, found: Bool) {
        let n = Int((w[0] >> distinctShift) & 0xFF)
        var low = 0, high = n
        while low < high {
            let mid = (low + high) / 2
            if w[mid] & keyMask < key { low = mid + 1 } else { high = mid }
        }
        return (low, low < n && w[low] & keyMask == key)
    }

    /// Copies in flight, over all messages: all 16 words, since those past the count are zero.
    ///
    /// Swift 6.3 reads `words` at an index not known at compile time from a copy of all 16 words
    /// when the bag belongs to a value passed in; a loop with a constant trip count, which the
    /// compiler unrolls, reads them in place.
    @inline(__always) public var total: Int {
        words.span.withUnsafeBufferPointer { w in
            var total: UInt64 = 0
            for k in 0..<Self.capacity { total &+= w[k] >> Self.countShift }
            return Int(total)
        }
    }

    /// Whether `w` is a granted RequestVoteResponse: kind 1 in the low two bits, the flag set.
    @inline(__always) static func isVoteGrant(_ w: UInt64) -> Bool { w & 3 == 1 && w & (1 << RaftMessage.flagBit) != 0 }

    /// Whether the two bags hold different granted RequestVoteResponses, copies aside: the only
    /// part of the bag that Raft's invariants read (``RaftView/voteGrantInFlight(from:to:term:)``),
    /// so that a step that sends, duplicates or drops any other message leaves them alone.
    @inline(never) public func voteGrantsDiffer(from other: MessageBag) -> Bool {
        withUnsafePointer(to: self) { a in withUnsafePointer(to: other) { b in Self.voteGrantsDiffer(a, b) } }
    }

    /// ``voteGrantsDiffer(from:)`` of the bags at two addresses (``RaftVariable/changed(from:to:)``
    /// reads the explorer's successors where they lie).
    @inline(never) public static func voteGrantsDiffer(_ first: UnsafePointer<MessageBag>, _ second: UnsafePointer<MessageBag>) -> Bool {
        let x = words(at: first), y = words(at: second)
        var a = 0, b = 0
        let m = Int((x[0] >> Self.distinctShift) & 0xFF), n = Int((y[0] >> Self.distinctShift) & 0xFF)
        while true {
            while a < m && !Self.isVoteGrant(x[a]) { a += 1 }
            while b < n && !Self.isVoteGrant(y[b]) { b += 1 }
            if a == m || b == n { return (a == m) != (b == n) }
            if x[a] & Self.keyMask != y[b] & Self.keyMask { return true }
            a += 1
            b += 1
        }
    }

    /// Whether the bags at two addresses differ: all 16 words, as ``==(_:_:)`` compares them.
    @inlinable @inline(__always) public static func differ(_ first: UnsafePointer<MessageBag>, _ second: UnsafePointer<MessageBag>) -> Bool {
        let x = words(at: first), y = words(at: second)
        var differ: UInt64 = 0
        for k in 0..<capacity { differ |= x[k] ^ y[k] }
        return differ != 0
    }

    /// The words of the bag at `bag`, in place. The bag's one stored property is its inline array
    /// of words, whose elements lie in order from its start; `MessageBagTests` checks the words
    /// read here against the array's.
    @inlinable static func words(at bag: UnsafePointer<MessageBag>) -> UnsafePointer<UInt64> {
        UnsafeRawPointer(bag).assumingMemoryBound(to: UInt64.self)
    }

    /// Each distinct message as one word: the message and, in the top byte, its copies (and in
    /// the first word, the number of distinct messages).
    func forEachWord(_ body: (UInt64) -> Void) {
        for k in 0..<distinct { body(word(k)) }
    }

    /// The number of distinct messages, then each one's word (``forEachWord(_:)``), read through
    /// a buffer pointer: through ``items`` the fingerprint copied the bag and called `count`.
    @inline(__always) func fingerprint<H: FingerprintHasher>(into f: inout H) {
        words.span.withUnsafeBufferPointer { Self.feed($0.baseAddress!, into: &f) }
    }

    /// ``fingerprint(into:)`` of the bag at `bag`, read where it lies (``RaftState/fingerprint(at:)``).
    @inline(__always) static func fingerprint<H: FingerprintHasher>(at bag: UnsafePointer<MessageBag>, into f: inout H) {
        feed(words(at: bag), into: &f)
    }

    @inline(__always) private static func feed<H: FingerprintHasher>(_ w: UnsafePointer<UInt64>, into f: inout H) {
        let n = Int((w[0] >> Self.distinctShift) & 0xFF)
        f.combine(UInt64(n))
        for k in 0..<n { f.combine(w[k]) }
    }

    /// Always inlined: called with a state's bag, a call copies both bags first.
    @inline(__always) public static func == (a: MessageBag, b: MessageBag) -> Bool {
        // All 16 words, at fixed offsets (see ``total``): those past the count are zero, and the
        // count is in the first.
        a.words.span.withUnsafeBufferPointer { x in
            b.words.span.withUnsafeBufferPointer { y in
                var differ: UInt64 = 0
                for k in 0..<capacity { differ |= x[k] ^ y[k] }
                return differ == 0
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(distinct)
        forEachWord { hasher.combine($0) }
    }

    public init(from decoder: Decoder) throws {
        for item in try [Item](from: decoder) {
            guard item.count >= 1 else { continue }
            for _ in 0..<item.count {
                guard canAdd(item.message) else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "too many messages"))
                }
                add(item.message)
            }
        }
    }

    public func encode(to encoder: Encoder) throws { try Array(items).encode(to: encoder) }
}
