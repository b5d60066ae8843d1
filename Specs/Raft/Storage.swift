import QuorumCore

extension Role: ByteValue {
    @inlinable public init(byteValue: Int) { self = Role(rawValue: byteValue)! }
    @inlinable public var byteValue: Int { rawValue }
}

/// One small value per server, packed into a word: `state.currentTerm[i]`.
public typealias PerServer = PerProcess

/// A log of at most eight entries, each a term and a value of one byte, held inline.
public struct RaftLog: Hashable, Codable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral {
    public static let capacity = 8
    private var terms: UInt64 = 0
    private var values: UInt64 = 0
    public private(set) var count: Int = 0

    public init() {}

    public init(arrayLiteral entries: Entry...) {
        for e in entries { append(e) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    /// Entry at 0-based position `k` (entry `k + 1` of the spec).
    public subscript(k: Int) -> Entry {
        precondition(k >= 0 && k < count, "log index out of range")
        let shift = UInt64(k * 8)
        return Entry(term: Int((terms >> shift) & 0xFF), value: Int((values >> shift) & 0xFF))
    }

    public mutating func append(_ e: Entry) {
        precondition(count < Self.capacity, "a log holds at most \(Self.capacity) entries")
        precondition(e.term >= 0 && e.term <= 0xFF && e.value >= 0 && e.value <= 0xFF, "entry out of range")
        let shift = UInt64(count * 8)
        terms |= UInt64(e.term) << shift
        values |= UInt64(e.value) << shift
        count += 1
    }

    public mutating func removeLast() {
        precondition(count > 0, "removeLast on an empty log")
        count -= 1
        let mask = ~(UInt64(0xFF) << UInt64(count * 8))
        terms &= mask
        values &= mask
    }

    /// The count shares the terms' word in its top four bits, which the eighth entry's term leaves
    /// free while terms stay at most 15 (maxTerm's range).
    func fingerprint<H: FingerprintHasher>(into f: inout H) {
        f.combine(terms | UInt64(count) << 60)
        f.combine(values)
    }
}

/// One row of small values per server: `nextIndex[i][j]`, `matchIndex[i][j]`; one log per server.
/// At most five servers, stored inline.
public struct PerServerRows<Row: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    private var r0, r1, r2, r3, r4: Row

    public init(repeating row: Row) {
        (r0, r1, r2, r3, r4) = (row, row, row, row, row)
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
