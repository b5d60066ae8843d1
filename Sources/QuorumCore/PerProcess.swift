/// A value that fits in one byte of packed storage.
public protocol ByteValue {
    init(byteValue: Int)
    var byteValue: Int { get }
}

extension Int: ByteValue {
    @inlinable public init(byteValue: Int) { self = byteValue }
    @inlinable public var byteValue: Int { self }
}

/// One small value per process (server, acceptor; at most eight), packed into a single word, so
/// that copying and hashing a state costs a few instructions instead of an array allocation. Reads
/// like an array: `state.currentTerm[i]`. Values range over -1...254.
public struct PerProcess<Value: ByteValue>: Hashable, Codable, Sendable {
    public private(set) var word: UInt64

    public init(repeating value: Value, count: Int) {
        word = 0
        for i in 0..<count { self[i] = value }
    }

    public subscript(i: Int) -> Value {
        @inlinable get { Value(byteValue: Int((word >> UInt64(i &* 8)) & 0xFF) - 1) }
        set {
            let byte = newValue.byteValue + 1
            precondition(i >= 0 && i < 8 && byte >= 0 && byte <= 0xFF, "PerProcess holds 8 values in -1...254")
            let shift = UInt64(i * 8)
            word = word & ~(0xFF << shift) | UInt64(byte) << shift
        }
    }
}

