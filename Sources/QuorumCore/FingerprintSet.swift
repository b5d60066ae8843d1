/// The explorer's visited set: 64-bit fingerprints in an open-addressing table with linear
/// probing that doubles when half full. About 16 bytes per state at the worst load, against
/// hundreds for a `Set` of full states.
public struct FingerprintSet {
    @usableFromInline var slots: [UInt64]
    @usableFromInline var mask: Int
    public private(set) var count = 0

    public init(capacity: Int = 1 << 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Zero marks an empty slot, so the one fingerprint that is zero is stored as one.
    @inlinable static func key(_ fingerprint: UInt64) -> UInt64 { fingerprint == 0 ? 1 : fingerprint }

    /// Inserts `fingerprint`; returns false when it was already present.
    public mutating func insert(_ fingerprint: UInt64) -> Bool {
        let key = Self.key(fingerprint)
        if (count + 1) * 2 > slots.count { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let slot = slots[i]
            if slot == 0 {
                slots[i] = key
                count += 1
                return true
            }
            if slot == key { return false }
            i = (i + 1) & mask
        }
    }

    public func contains(_ fingerprint: UInt64) -> Bool {
        let key = Self.key(fingerprint)
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return false }
            if slot == key { return true }
            i = (i + 1) & mask
        }
    }

    public var bytes: Int { slots.count * MemoryLayout<UInt64>.stride }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for key in old where key != 0 {
            var i = Int(truncatingIfNeeded: key) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = key
        }
    }
}
