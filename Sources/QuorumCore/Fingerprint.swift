/// What a state feeds its words to: the explorer's ``Fingerprinter``, or a ``FingerprintKey`` that
/// keeps the words themselves, which is how tests check that a spec's packing is injective.
public protocol FingerprintHasher {
    mutating func combine(_ word: UInt64)
}

extension FingerprintHasher {
    @inlinable public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }

    @inlinable public mutating func combine(bytes a: UInt8, _ b: UInt8 = 0, _ c: UInt8 = 0, _ d: UInt8 = 0) {
        combine(UInt64(a) | UInt64(b) << 8 | UInt64(c) << 16 | UInt64(d) << 24)
    }
}

/// A 64-bit hash defined by Quorum itself, stable across runs and machines (unlike Swift's
/// `Hasher`, which is seeded per process). The explorer's visited set stores these instead of states.
public struct Fingerprinter: FingerprintHasher {
    /// Two lanes, taking the words in turn, so that consecutive words' mixes do not wait for
    /// each other: each lane's chain of multiplications is half as long.
    @usableFromInline var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline var other: UInt64 = 0xD1B5_4A32_D192_ED03

    @inlinable public init() {}

    /// Each word goes through a bijective step, so two equally long inputs that differ in one
    /// word never collide (that word's lane differs from then on, the other lane is equal, and
    /// `value` is bijective in each lane given the other); the full mixer at the end, applied
    /// to both lanes, makes other collisions as rare as chance. That argument holds only if the
    /// words themselves are injective on states: a spec must never fold two fields into one
    /// word where their bits can overlap (see ``FingerprintKey``).
    @inlinable public mutating func combine(_ word: UInt64) {
        (state, other) = (other, Fingerprinter.step(state ^ word &+ 0x632B_E59B_D9B4_E019))
    }

    /// One multiplication by an odd constant and one xor-shift, both bijective: half of
    /// ``mix(_:)``, whose two rounds per word made the fingerprint an eighth of the explorer's
    /// instructions on Raft. Each word still goes through a multiplication, and the result
    /// through ``mix(_:)`` once per lane in ``value``.
    @inlinable static func step(_ x: UInt64) -> UInt64 {
        let z = x &* 0xBF58_476D_1CE4_E5B9
        return z ^ (z >> 31)
    }

    @inlinable public var value: UInt64 { Fingerprinter.mix(state ^ Fingerprinter.mix(other)) }

    /// The finalizer of SplitMix64 (Stafford's variant 13).
    @inlinable static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One lane of ``Fingerprinter``'s mixing: what run seeds, action kinds and guided-search cells
/// are hashed with. The seeds that docs and tests name pin its values, so it stays the single
/// lane ``Fingerprinter`` had before it took two.
public struct SeedHasher: FingerprintHasher {
    @usableFromInline var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inlinable public init() {}

    @inlinable public mutating func combine(_ word: UInt64) {
        state = Fingerprinter.mix(state ^ word &+ 0x632B_E59B_D9B4_E019)
    }

    @inlinable public var value: UInt64 { Fingerprinter.mix(state) }
}

/// The exact words a state feeds its fingerprint: the input to the hash, before hashing. Two
/// states with equal keys get equal fingerprints whatever the hash, so distinct states with equal
/// keys are a packing bug that the collision estimate does not cover; ``auditFingerprints(of:maxStates:walks:depth:recombinations:seed:)``
/// looks for them.
public struct FingerprintKey: FingerprintHasher, Hashable, Sendable {
    public private(set) var words: [UInt64] = []

    public init() {}

    public mutating func combine(_ word: UInt64) { words.append(word) }
}

/// A state that can feed itself to a ``FingerprintHasher``. Equal states must feed the same
/// words, and unequal states different sequences of words (the words must be injective on
/// states; the hash then only risks chance collisions).
public protocol Fingerprintable {
    func fingerprint<H: FingerprintHasher>(into f: inout H)

    /// The fingerprint of the state at `state`, read where it lies: the explorer's successors
    /// live in memory it owns (``TransitionSystem/forEachSuccessor(of:actions:into:_:)``), and a
    /// call that took the state as a value copied it first. By default ``fingerprint``; a state
    /// too large to copy cheaply feeds the same words from the pointer.
    static func fingerprint(at state: UnsafePointer<Self>) -> UInt64
}

extension Fingerprintable {
    /// Always inlined: the explorer takes the fingerprint of nearly every successor, and a call
    /// copied the state first.
    @inlinable @inline(__always) public var fingerprint: UInt64 {
        var f = Fingerprinter()
        fingerprint(into: &f)
        return f.value
    }

    @inlinable public static func fingerprint(at state: UnsafePointer<Self>) -> UInt64 { state.pointee.fingerprint }

    /// The words this state feeds its fingerprint.
    public var fingerprintKey: FingerprintKey {
        var k = FingerprintKey()
        fingerprint(into: &k)
        return k
    }
}
