import CPrefetch

/// The explorer's visited set: 64-bit fingerprints in an open-addressing table with linear
/// probing. Past 2^19 slots (4 MiB) it is kept between 60 % and 75 % full, so that it costs 10.7
/// to 13.4 bytes per state; below, between 37.5 % and 75 %.
///
/// A fingerprint's slot is its high bits scaled to the table's size (Lemire's multiply-shift
/// range reduction), which works for any size: a large table grows by a quarter at a time instead
/// of doubling, and never runs half empty. A small one doubles: each growth rehashes the whole
/// table into a new one, and by quarters that was about four times the final table's worth of
/// rehashing, a twentieth of the time on Paxos's reference model. Fingerprints are mixed by
/// ``Fingerprinter``, so their high bits are as good as their low ones.
public struct FingerprintSet {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var stored = 0
    public var count: Int { stored }
    /// The count at which the table grows: three quarters of the slots.
    @usableFromInline var limit: Int

    public init(capacity: Int = 1 << 12) {
        let size = max(16, capacity * 4 / 3 + 1)
        slots = Array(repeating: 0, count: size)
        limit = size * 3 / 4
    }

    /// Zero marks an empty slot, so the one fingerprint that is zero is stored as one.
    @inlinable static func key(_ fingerprint: UInt64) -> UInt64 { fingerprint == 0 ? 1 : fingerprint }

    @inlinable static func home(_ key: UInt64, _ size: Int) -> Int {
        Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// Inserts `fingerprint`; returns false when it was already present. Always inlined, as
    /// ``Reader/contains(_:)`` is: with the prefetches, the optimizer called both out of line
    /// in Paxos's successor loop.
    @inlinable @inline(__always)
    public mutating func insert(_ fingerprint: UInt64) -> Bool {
        let key = Self.key(fingerprint)
        if stored >= limit { grow() }
        return slots.withUnsafeMutableBufferPointer { slots in
            let size = slots.count
            var i = Self.home(key, size)
            while true {
                let slot = slots[i]
                if slot == 0 {
                    slots[i] = key
                    stored += 1
                    return true
                }
                if slot == key { return false }
                i += 1
                if i == size { i = 0 }
            }
        }
    }

    public func contains(_ fingerprint: UInt64) -> Bool { withReader { $0.contains(fingerprint) } }

    /// Asks for the cache line of the fingerprint's home slot, where ``insert(_:)`` will look:
    /// the explorer asks a few inserts ahead.
    @inlinable @inline(__always)
    public func prefetch(_ fingerprint: UInt64) {
        slots.withUnsafeBufferPointer { Reader(slots: $0).prefetch(fingerprint) }
    }

    /// Read-only access for many threads at once, while no thread inserts: the explorer's workers
    /// drop successors already visited before one thread inserts the rest.
    public struct Reader: @unchecked Sendable {
        @usableFromInline let slots: UnsafeBufferPointer<UInt64>

        @inlinable init(slots: UnsafeBufferPointer<UInt64>) { self.slots = slots }

        @inlinable @inline(__always)
        public func contains(_ fingerprint: UInt64) -> Bool {
            let key = FingerprintSet.key(fingerprint)
            let size = slots.count
            var i = FingerprintSet.home(key, size)
            while true {
                let slot = slots[i]
                if slot == 0 { return false }
                if slot == key { return true }
                i += 1
                if i == size { i = 0 }
            }
        }

        /// Asks for the cache line of the fingerprint's home slot, where ``contains(_:)`` will look.
        @inlinable @inline(__always)
        public func prefetch(_ fingerprint: UInt64) {
            quorum_prefetch(slots.baseAddress! + FingerprintSet.home(FingerprintSet.key(fingerprint), slots.count))
        }
    }

    @inlinable
    public func withReader<R>(_ body: (Reader) throws -> R) rethrows -> R {
        try slots.withUnsafeBufferPointer { try body(Reader(slots: $0)) }
    }

    public var bytes: Int { slots.count * MemoryLayout<UInt64>.stride }

    /// The bytes the table will hold once `more` further fingerprints are inserted, counting the
    /// old and the new table side by side while it grows.
    public func bytes(after more: Int) -> Int {
        var size = slots.count, needed = count + more
        var peak = bytes
        while needed > size * 3 / 4 {
            peak = max(peak, (size + Self.grown(size)) * MemoryLayout<UInt64>.stride)
            size = Self.grown(size)
        }
        return peak
    }

    static func grown(_ size: Int) -> Int { size <= 1 << 19 ? size * 2 : size + size / 4 }

    @usableFromInline
    mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: Self.grown(old.count))
        limit = slots.count * 3 / 4
        slots.withUnsafeMutableBufferPointer { slots in
            let size = slots.count
            for key in old where key != 0 {
                var i = Self.home(key, size)
                while slots[i] != 0 {
                    i += 1
                    if i == size { i = 0 }
                }
                slots[i] = key
            }
        }
    }
}
