import QuorumCore

extension Role: ByteValue {
    @inlinable public init(byteValue: Int) { self = Role(rawValue: byteValue)! }
    @inlinable public var byteValue: Int { rawValue }
}

/// One small value per server, packed into a word: `state.currentTerm[i]`.
public typealias PerServer = PerProcess

/// A log of at most eight entries in one word: entry `k` in bits `6k..<6k+6` (its term in the
/// low four, its value in the high two), the count in the top four bits, the bits of entries past
/// the count zero. Terms stay at most 15 (maxTerm's range; a successor one past the bound only
/// raises `currentTerm`) and values at most 3 (the values' range), so the word is the log: equal
/// logs have equal words, and the fingerprint takes it as it is. One word instead of three made a
/// Raft state 80 bytes smaller, and the state is copied for nearly every successor.
public struct RaftLog: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public static let capacity = 8
    static let maxTerm = 15, maxValue = 3
    private var bits: UInt64 = 0

    public init() {}

    public init(arrayLiteral entries: Entry...) {
        for e in entries { append(e) }
    }

    public var count: Int { Int(bits >> 60) }
    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// Entry at 0-based position `k` (entry `k + 1` of the spec).
    public subscript(k: Int) -> Entry {
        precondition(k >= 0 && k < count, "log index out of range")
        let e = Int(truncatingIfNeeded: bits >> UInt64(6 * k)) & 0x3F
        return Entry(term: e & 0xF, value: e >> 4)
    }

    /// Whether one more entry fits and `e` is one this log can hold.
    public func canAppend(_ e: Entry) -> Bool {
        count < Self.capacity && (0...Self.maxTerm).contains(e.term) && (0...Self.maxValue).contains(e.value)
    }

    public mutating func append(_ e: Entry) {
        precondition(count < Self.capacity, "a log holds at most \(Self.capacity) entries")
        precondition(canAppend(e), "entry out of range: terms 0...\(Self.maxTerm), values 0...\(Self.maxValue)")
        bits |= UInt64(e.term | e.value << 4) << UInt64(6 * count)
        bits += 1 << 60
    }

    public mutating func removeLast() {
        precondition(count > 0, "removeLast on an empty log")
        bits -= 1 << 60
        bits &= ~(UInt64(0x3F) << UInt64(6 * count))
    }

    func fingerprint<H: FingerprintHasher>(into f: inout H) {
        f.combine(bits)
    }
}

/// Written as its entries, and read back through ``RaftLog/canAppend(_:)``, so that a file
/// cannot make a log the packing does not hold.
extension RaftLog: Codable {
    public init(from decoder: Decoder) throws {
        for e in try [Entry](from: decoder) {
            guard canAppend(e) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a log entry out of range"))
            }
            append(e)
        }
    }

    public func encode(to encoder: Encoder) throws { try Array(self).encode(to: encoder) }
}

/// One row of small values per server: `nextIndex[i][j]`, `matchIndex[i][j]`; one log per server.
/// At most five servers, stored inline.
public struct PerServerRows<Row: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    private var r0, r1, r2, r3, r4: Row

    public init(repeating row: Row) {
        (r0, r1, r2, r3, r4) = (row, row, row, row, row)
    }

    /// Rows 0 to `count - 1`, in order, without the subscript's switch on each.
    @inline(__always) func forEach(upTo count: Int, _ body: (Row) -> Void) {
        body(r0)
        if count > 1 { body(r1) }
        if count > 2 { body(r2) }
        if count > 3 { body(r3) }
        if count > 4 { body(r4) }
    }

    /// The largest of `measure` over all five rows, those beyond the servers included (their
    /// rows keep the initial value).
    @inline(__always) func largest(_ measure: (Row) -> Int) -> Int {
        Swift.max(measure(r0), measure(r1), measure(r2), measure(r3), measure(r4))
    }

    public subscript(i: Int) -> Row {
        get {
            switch i {
            case 0: r0
            case 1: r1
            case 2: r2
            case 3: r3
            case 4: r4
            default: preconditionFailure("at most five servers")
            }
        }
        set {
            switch i {
            case 0: r0 = newValue
            case 1: r1 = newValue
            case 2: r2 = newValue
            case 3: r3 = newValue
            case 4: r4 = newValue
            default: preconditionFailure("at most five servers")
            }
        }
    }
}

/// `nextIndex[i][j]` or `matchIndex[i][j]`: a row of indices per server, each index plus one in
/// four bits (as ``PerServer`` holds a value plus one in a byte), three rows in the first word
/// and two in the second. Indices stay at most 9 (maxLogLength + 2, maxLogLength at most 7), so a
/// nibble holds them. Two words instead of five made a Raft state 48 bytes smaller with this
/// table's twin; a row reads and writes as a ``PerServer``.
public struct IndexRows: Hashable, Codable, Sendable {
    /// Rows 0–2, 20 bits each; rows 3–4.
    private(set) var low: UInt64 = 0, high: UInt64 = 0
    static let maxIndex = 14

    public init(repeating row: PerServer<Int>) {
        for i in 0..<5 { self[i] = row }
    }

    @inline(__always) static func place(_ i: Int) -> (high: Bool, shift: UInt64) { (i >= 3, UInt64((i >= 3 ? i - 3 : i) * 20)) }

    public subscript(i: Int) -> PerServer<Int> {
        @inline(__always) get {
            precondition(i >= 0 && i < 5, "at most five servers")
            let (high, shift) = Self.place(i)
            return PerServer(word: Self.bytes(ofNibbles: ((high ? self.high : low) >> shift) & 0xF_FFFF))
        }
        @inline(__always) set {
            precondition(i >= 0 && i < 5, "at most five servers")
            // Every byte at most 15 (an index plus one, at most maxIndex + 1) and none past the fifth.
            precondition(newValue.word & 0xF0_F0F0_F0F0 == 0 && newValue.word >> 40 == 0,
                         "an index holds at most \(Self.maxIndex), and a row five servers")
            let nibbles = Self.nibbles(ofBytes: newValue.word)
            let (high, shift) = Self.place(i)
            if high {
                self.high = self.high & ~(0xF_FFFF << shift) | nibbles << shift
            } else {
                low = low & ~(0xF_FFFF << shift) | nibbles << shift
            }
        }
    }

    /// Nibble `j` of `x` in byte `j`, for eight nibbles: each step moves the upper half of every
    /// group to the next group, as a loop over the nibbles would one at a time.
    @inline(__always) static func bytes(ofNibbles x: UInt64) -> UInt64 {
        var x = x
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
        return (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
    }

    /// The inverse of ``bytes(ofNibbles:)`` on bytes of at most 15.
    @inline(__always) static func nibbles(ofBytes x: UInt64) -> UInt64 {
        var x = x
        x = (x | x >> 4) & 0x00FF_00FF_00FF_00FF
        x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF
        return (x | x >> 16) & 0x0000_0000_FFFF_FFFF
    }
}
