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
    /// The packed bytes (`@usableFromInline` so that the setter below inlines into specs).
    @usableFromInline var storage: UInt64
    public var word: UInt64 { storage }

    /// The values whose packed bytes ``word`` gives.
    @inlinable public init(word: UInt64) { storage = word }

    enum CodingKeys: String, CodingKey { case storage = "word" }

    @inlinable
    public init(repeating value: Value, count: Int) {
        storage = 0
        for i in 0..<count { self[i] = value }
    }

    /// Whether every value is at most `bound`, the bytes of processes beyond the count (-1)
    /// included: eight bytes compared without a loop over the count, which the explorer's bounds
    /// check (Raft's terms) ran for every successor.
    ///
    /// A byte is above `bound + 1` (0...127) exactly when adding `127 - (bound + 1)` sets its top
    /// bit, or the top bit was set already: a few word operations instead of a maximum over the
    /// bytes (about 30 instructions a successor on Raft). `allAtMostByBytes` is the definition;
    /// `PerProcessTests` compares the two.
    @inlinable @inline(__always) public func allAtMost(_ bound: Int) -> Bool where Value == Int {
        let byte = bound &+ 1
        guard byte >= 0 && byte <= 127 else { return allAtMostByBytes(bound) }
        let ones: UInt64 = 0x0101_0101_0101_0101
        return ((storage &+ ones &* UInt64(127 - byte)) | storage) & (ones &* 0x80) == 0
    }

    /// ``allAtMost(_:)``, byte by byte.
    @inlinable public func allAtMostByBytes(_ bound: Int) -> Bool where Value == Int {
        var largest: UInt64 = 0
        for k in 0..<8 { largest = Swift.max(largest, (storage >> UInt64(k &* 8)) & 0xFF) }
        return Int(largest) - 1 <= bound
    }

    public subscript(i: Int) -> Value {
        // Always inlined: a call (which the optimizer chose for the setter in Raft's `apply`) cost
        // more than the few instructions it runs.
        @inlinable @inline(__always) get { Value(byteValue: Int((storage >> UInt64(i &* 8)) & 0xFF) - 1) }
        @inlinable @inline(__always) set {
            let byte = newValue.byteValue + 1
            precondition(i >= 0 && i < 8 && byte >= 0 && byte <= 0xFF, "PerProcess holds 8 values in -1...254")
            let shift = UInt64(i * 8)
            storage = storage & ~(0xFF << shift) | UInt64(byte) << shift
        }
    }
}

