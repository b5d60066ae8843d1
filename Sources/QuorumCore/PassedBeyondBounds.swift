/// Fingerprints of successors beyond the bounds on which every live invariant was found to
/// hold: one worker's table, direct-mapped and lossy (a newer fingerprint takes its slot).
///
/// The explorer checks the invariants on every successor beyond the bounds, as TLC does, and
/// such a successor is never stored, so the same one comes back from every parent that reaches
/// it: in the Raft reference model (servers 3, maxTerm 2, maxLogLength 0, maxMessages 1),
/// 1,846,830 evaluations met only 262,641 distinct states. A successor found here is such a
/// state, and every invariant still live holds on it: those its step touched were evaluated
/// there, and the others held on that parent and read nothing the step changed. Trusting a
/// fingerprint here is trusting it as the visited set does; missing one (a slot overwritten)
/// only costs the evaluation again. Figures and traces do not depend on it.
@usableFromInline
final class PassedBeyondBounds: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutableBufferPointer<UInt64>

    /// The explorer gives each worker 2^18 slots (2 MiB): on the Raft reference model, that
    /// took `quorum check` from 20.8 to 16.6 billion instructions (callgrind), against 17.6
    /// billion with 2^16.
    @usableFromInline init(slots count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: 0)
    }

    deinit { slots.deallocate() }

    @inlinable func slot(_ key: UInt64) -> Int { FingerprintSet.home(key, slots.count) }

    @inlinable func contains(_ fingerprint: UInt64) -> Bool {
        let key = FingerprintSet.key(fingerprint)
        return slots[slot(key)] == key
    }

    @inlinable func insert(_ fingerprint: UInt64) {
        let key = FingerprintSet.key(fingerprint)
        slots[slot(key)] = key
    }
}
