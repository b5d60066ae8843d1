import QuorumCore

/// raft.tla's variables, declared once: what ``RaftDescription``'s actions and invariants read and
/// write, and from which its fingerprint, its trace values in and out and its slots are derived.
/// ``RaftState`` packs the same variables for the explorer's speed; ``init(_:)`` reads it.
///
/// A state one step past the bounds must be representable (the explorer generates it before it
/// discards it), so terms reach maxTerm + 1, logs maxLogLength + 1 entries and the bag maxMessages + 1
/// copies; ``RaftDescription/typeConstraint(_:)`` states the bounds themselves.
public struct RaftVariables: DeclaredState {
    public var currentTerm: [RaftTerm]
    public var state: [Role]
    public var votedFor: [Vote]
    public var log: [BoundedList<Entry>]
    public var commitIndex: [LogIndex]
    public var votesResponded: [Set<ProcessID>]
    public var votesGranted: [Set<ProcessID>]
    public var nextIndex: [[NextIndex]]
    public var matchIndex: [[LogIndex]]
    public var messages: Bag<RaftMessage>

    public static let variables: [StateVariable<RaftVariables>] = [
        StateVariable("currentTerm", \.currentTerm), StateVariable("state", \.state), StateVariable("votedFor", \.votedFor),
        StateVariable("log", \.log), StateVariable("commitIndex", \.commitIndex),
        StateVariable("votesResponded", \.votesResponded), StateVariable("votesGranted", \.votesGranted),
        StateVariable("nextIndex", \.nextIndex), StateVariable("matchIndex", \.matchIndex), StateVariable("messages", \.messages),
    ]

    /// raft.tla's `Init` at `servers` servers.
    public init(servers n: Int) {
        currentTerm = Array(repeating: RaftTerm(1), count: n)
        state = Array(repeating: .follower, count: n)
        votedFor = Array(repeating: Vote(-1), count: n)
        log = Array(repeating: [], count: n)
        commitIndex = Array(repeating: LogIndex(0), count: n)
        votesResponded = Array(repeating: [], count: n)
        votesGranted = Array(repeating: [], count: n)
        nextIndex = Array(repeating: Array(repeating: NextIndex(1), count: n), count: n)
        matchIndex = Array(repeating: Array(repeating: LogIndex(0), count: n), count: n)
        messages = Bag()
    }

    /// ``Raft``'s packed state, as the description's variables.
    public init(_ s: RaftState) {
        let all = 0..<s.servers
        func members(_ bits: Int) -> Set<ProcessID> { Set(all.filter { bits & (1 << $0) != 0 }.map { ProcessID($0) }) }
        currentTerm = all.map { RaftTerm(s.currentTerm[$0]) }
        state = all.map { s.state[$0] }
        votedFor = all.map { Vote(s.votedFor[$0]) }
        log = all.map { BoundedList(Array(s.log[$0])) }
        commitIndex = all.map { LogIndex(s.commitIndex[$0]) }
        votesResponded = all.map { members(s.votesResponded[$0]) }
        votesGranted = all.map { members(s.votesGranted[$0]) }
        nextIndex = all.map { i in all.map { NextIndex(s.nextIndex[i][$0]) } }
        matchIndex = all.map { i in all.map { LogIndex(s.matchIndex[i][$0]) } }
        messages = Bag()
        for item in s.messages.items {
            for _ in 0..<item.count { messages.add(item.message) }
        }
    }
}

extension RaftState {
    /// The description's variables, packed (at most five servers, as ``RaftState`` holds).
    public init(_ v: RaftVariables) {
        let all = 0..<v.currentTerm.count
        self.init(servers: all.count)
        func bits(_ set: Set<ProcessID>) -> Int { set.reduce(0) { $0 | 1 << $1.index } }
        for i in all {
            currentTerm[i] = v.currentTerm[i].value
            state[i] = v.state[i]
            votedFor[i] = v.votedFor[i].value
            var entries = RaftLog()
            for e in v.log[i].elements { entries.append(e) }
            log[i] = entries
            commitIndex[i] = v.commitIndex[i].value
            votesResponded[i] = bits(v.votesResponded[i])
            votesGranted[i] = bits(v.votesGranted[i])
            var next = nextIndex[i], match = matchIndex[i]
            for j in all {
                next[j] = v.nextIndex[i][j].value
                match[j] = v.matchIndex[i][j].value
            }
            nextIndex[i] = next
            matchIndex[i] = match
        }
        for (m, count) in zip(v.messages.elements, v.messages.counts) {
            for _ in 0..<count { messages.add(m) }
        }
    }
}

/// A term: one slot, 1...maxTerm + 1.
public struct RaftTerm: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { 1...(names.size("maxTerm") + 1) }
}

/// A log index or commit index: one slot, 0...maxLogLength.
public struct LogIndex: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { 0...names.size("maxLogLength") }
}

/// A `nextIndex` entry: one slot, 1...maxLogLength + 1.
public struct NextIndex: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { 1...(names.size("maxLogLength") + 1) }
}

/// `votedFor`: a server, or Nil (-1): one slot, written as the server's name or "Nil".
public struct Vote: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ names: ProcessNames) -> ClosedRange<Int> { -1...(names.count - 1) }
    public func traceValue(_ names: ProcessNames) -> ITFValue { value < 0 ? .string("Nil") : names.value(value) }
    public init?(traceValue: ITFValue, _ names: ProcessNames) {
        if traceValue == .string("Nil") {
            value = -1
        } else {
            guard let i = names.index(of: traceValue) else { return nil }
            value = i
        }
    }
}

/// A role is one slot, written as raft.tla's string.
extension Role: SlotValue, Enumerable, TraceValue {
    public static func all(_ names: ProcessNames) -> [Role] { [.follower, .candidate, .leader] }
    public func position(_ names: ProcessNames) -> Int? { rawValue }
    public func traceValue(_ names: ProcessNames) -> ITFValue { .string(name) }
    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(rawValue) }
    public static func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>] { [0...2] }
    public static func slotCount(_ names: ProcessNames) -> Int { 1 }
    public func slots(_ names: ProcessNames, into out: inout [Int]) { out.append(rawValue) }
    public init(slots: ArraySlice<Int>, _ names: ProcessNames) { self = Role(rawValue: slots[slots.startIndex])! }
}

/// An entry is two slots, its term (1...maxTerm) and its value, written as a record.
extension Entry: SlotValue {
    public func traceValue(_ names: ProcessNames) -> ITFValue { Raft.traceValue(self) }
    public init?(traceValue v: ITFValue, _ names: ProcessNames) {
        guard let term = v[field: "term"]?.intValue, (1...names.size("maxTerm")).contains(term),
              let name = v[field: "value"]?.stringValue,
              let value = (0..<names.size("values")).first(where: { Raft.valueName($0) == name }) else { return nil }
        self.init(term: term, value: value)
    }
    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(term)
        f.combine(value)
    }
    public static func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>] { [1...names.size("maxTerm"), 0...(names.size("values") - 1)] }
    public static func slotCount(_ names: ProcessNames) -> Int { 2 }
    public func slots(_ names: ProcessNames, into out: inout [Int]) {
        out.append(term)
        out.append(value)
    }
    public init(slots: ArraySlice<Int>, _ names: ProcessNames) { self.init(term: slots[slots.startIndex], value: slots[slots.startIndex + 1]) }
}

/// A message is eleven slots, its packed word's fields from the most significant down, so that the
/// slots' lexicographic order is the messages' order (as ``Bag`` requires):
/// ``Field`` numbers them.
extension RaftMessage: SlotValue {
    /// The slots of a message, in order.
    public enum Field: Int, CaseIterable {
        case entryValue, entryTerm, hasEntry, flag, c, b, a, dest, source, term, kind
    }

    public static func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>] {
        let terms = names.size("maxTerm"), indices = names.size("maxLogLength"), wide = max(terms, indices)
        return [0...(names.size("values") - 1), 0...terms, 0...1, 0...1, 0...indices, 0...wide, 0...wide,
                0...(names.count - 1), 0...(names.count - 1), 1...terms, 0...3]
    }
    public static func slotCount(_ names: ProcessNames) -> Int { Field.allCases.count }

    public func slots(_ names: ProcessNames, into out: inout [Int]) {
        out += [entry?.value ?? 0, entry?.term ?? 0, entry == nil ? 0 : 1, flag ? 1 : 0, c, b, a, dest, source, term, kind.rawValue]
    }

    public init(slots: ArraySlice<Int>, _ names: ProcessNames) {
        func f(_ field: Field) -> Int { slots[slots.startIndex + field.rawValue] }
        self.init(kind: Kind(rawValue: f(.kind))!, term: f(.term), source: f(.source), dest: f(.dest), a: f(.a), b: f(.b), c: f(.c),
                  flag: f(.flag) == 1, entry: f(.hasEntry) == 1 ? Entry(term: f(.entryTerm), value: f(.entryValue)) : nil)
    }

    public func traceValue(_ names: ProcessNames) -> ITFValue { Raft.traceValue(self) }

    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(key) }

    /// The fields a kind does not use are 0: an entry only in AppendEntriesRequest, `a` and `b`
    /// not in RequestVoteResponse, `c` only in AppendEntriesRequest, the flag not in requests.
    public static func wellFormed<L: Logic>(_ m: Slots<L, RaftMessage>) -> Formula<L> {
        func f(_ field: Field) -> Term<L> { Term(value: m.terms[m.terms.startIndex + field.rawValue]) }
        let kind = f(.kind)
        func unused(_ field: Field, unless kinds: [Kind]) -> Formula<L> {
            forAll(Kind.allCases.filter { !kinds.contains($0) }) { k in kind == Term(k.rawValue) ==> f(field) == Term(0) }
        }
        return unused(.a, unless: [.requestVoteRequest, .appendEntriesRequest, .appendEntriesResponse])
            && unused(.b, unless: [.requestVoteRequest, .appendEntriesRequest])
            && unused(.c, unless: [.appendEntriesRequest])
            && unused(.flag, unless: [.requestVoteResponse, .appendEntriesResponse])
            && unused(.hasEntry, unless: [.appendEntriesRequest])
            && (f(.hasEntry) == Term(0) ==> f(.entryTerm) == Term(0) && f(.entryValue) == Term(0))
            && (f(.hasEntry) == Term(1) ==> f(.entryTerm) >= Term(1))
    }

    /// raft.tla's message record, each field in the domain the bounds give it (terms 1...maxTerm,
    /// indices 0...maxLogLength, at most one entry).
    public init?(traceValue v: ITFValue, _ names: ProcessNames) {
        let maxTerm = names.size("maxTerm"), maxLogLength = names.size("maxLogLength")
        func int(_ name: String, _ range: ClosedRange<Int>) -> Int? { v[field: name]?.intValue.flatMap { range.contains($0) ? $0 : nil } }
        func bool(_ name: String) -> Bool? { if case .bool(let b) = v[field: name] { b } else { nil } }
        let terms = 1...maxTerm, indices = 0...maxLogLength
        guard let term = int("mterm", terms), let source = v[field: "msource"].flatMap(names.index(of:)),
              let dest = v[field: "mdest"].flatMap(names.index(of:)) else { return nil }
        switch v[field: "mtype"]?.stringValue {
        case "RequestVoteRequest":
            guard let lt = int("mlastLogTerm", 0...maxTerm), let li = int("mlastLogIndex", indices) else { return nil }
            self = .requestVoteRequest(term: term, lastLogTerm: lt, lastLogIndex: li, source: source, dest: dest)
        case "RequestVoteResponse":
            guard let g = bool("mvoteGranted") else { return nil }
            self = .requestVoteResponse(term: term, voteGranted: g, source: source, dest: dest)
        case "AppendEntriesRequest":
            guard let p = int("mprevLogIndex", indices), let pt = int("mprevLogTerm", 0...maxTerm), let c = int("mcommitIndex", indices),
                  case .list(let entries) = v[field: "mentries"], entries.count <= min(1, maxLogLength) else { return nil }
            var e: Entry? = nil
            if let first = entries.first {
                guard let entry = Entry(traceValue: first, names) else { return nil }
                e = entry
            }
            self = .appendEntriesRequest(term: term, prevLogIndex: p, prevLogTerm: pt, entry: e, commitIndex: c, source: source, dest: dest)
        case "AppendEntriesResponse":
            guard let ok = bool("msuccess"), let mi = int("mmatchIndex", indices) else { return nil }
            self = .appendEntriesResponse(term: term, success: ok, matchIndex: mi, source: source, dest: dest)
        default:
            return nil
        }
    }
}
