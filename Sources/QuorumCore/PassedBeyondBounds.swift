import CPrefetch

/// Fingerprints of successors beyond the bounds on which every live invariant was found to
/// hold: one worker's table, lossy, in buckets of four slots (a full bucket gives a slot to a
/// newer fingerprint).
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

    /// The explorer gives each worker 2^18 slots (2 MiB). Direct-mapped, that took `quorum
    /// check` on the Raft reference model from 20.8 to 16.6 billion instructions (callgrind),
    /// against 17.6 billion with 2^16; in buckets of four, which keep more of the 262,641
    /// states it meets, the same memory evaluates the invariants fewer times again. A bucket
    /// is 32 bytes within one cache line: the table starts on a line.
    @usableFromInline init(slots count: Int) {
        let count = max(4, count)
        slots = UnsafeMutableBufferPointer(
            start: UnsafeMutableRawPointer.allocate(byteCount: count * 8, alignment: 64).bindMemory(to: UInt64.self, capacity: count),
            count: count)
        slots.initialize(repeating: 0)
    }

    deinit { UnsafeMutableRawPointer(slots.baseAddress!).deallocate() }

    /// The first slot of the key's bucket, by its high bits (the slot within it by its low bits).
    @inlinable func bucket(_ key: UInt64) -> Int { FingerprintSet.home(key, slots.count / 4) &* 4 }

    /// Always inlined into the explorer's loop, like the visited set's lookup.
    @inlinable @inline(__always) func contains(_ fingerprint: UInt64) -> Bool {
        let key = FingerprintSet.key(fingerprint), b = bucket(key)
        return slots[b] == key || slots[b + 1] == key || slots[b + 2] == key || slots[b + 3] == key
    }

    /// Asks for the cache line of the fingerprint's bucket, where ``contains(_:)`` will look.
    @inlinable @inline(__always) func prefetch(_ fingerprint: UInt64) {
        quorum_prefetch(slots.baseAddress! + bucket(FingerprintSet.key(fingerprint)))
    }

    @inlinable func insert(_ fingerprint: UInt64) {
        let key = FingerprintSet.key(fingerprint), b = bucket(key)
        for k in b..<(b + 4) {
            if slots[k] == key { return }
            if slots[k] == 0 {
                slots[k] = key
                return
            }
        }
        slots[b + Int(key & 3)] = key
    }
}
