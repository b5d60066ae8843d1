/// Full states held once, numbered in the order they arrive, and found again by value: the store of
/// the checks that keep whole states (the liveness graph, the search for `C ⇒ []P`).
///
/// A `Dictionary` from state to number would hold every state a second time as its key and hash
/// it with `Hasher`; this table holds, per state, its number and the high half of its fingerprint,
/// and compares full states only when those halves agree, so a lookup is exact.
@usableFromInline
struct StateStore<State: Hashable & Fingerprintable> {
    @inlinable init() {}
    @usableFromInline var states: [State] = []
    /// Empty (0), or the fingerprint's high 32 bits above the state's number plus one. The high
    /// bits also choose the slot, so that growing needs no fingerprints.
    @usableFromInline var slots = [UInt64](repeating: 0, count: 1024)

    @inlinable var count: Int { states.count }

    @inlinable subscript(id: Int) -> State { states[id] }

    /// The number of `state`, or nil when it is not stored.
    @inlinable func id(of state: State) -> Int? { probe(state).id }

    /// Stores `state` unless it is stored already; returns its number and whether it is new.
    @discardableResult
    @inlinable mutating func insert(_ state: State) -> (id: Int, inserted: Bool) {
        precondition(states.count < Int(UInt32.max - 1), "at most 2^32 - 2 states")
        if (states.count + 1) * 2 > slots.count { grow() }
        let (slot, tag, id) = probe(state)
        if let id { return (id, false) }
        states.append(state)
        slots[slot] = tag << 32 | UInt64(states.count)
        return (states.count - 1, true)
    }

    /// The slot holding `state`, with its number, or the empty slot where it would go.
    @inlinable func probe(_ state: State) -> (slot: Int, tag: UInt64, id: Int?) {
        let tag = state.fingerprint >> 32
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: tag) & mask
        while true {
            let slot = slots[i]
            if slot == 0 { return (i, tag, nil) }
            if slot >> 32 == tag, states[Int(slot & 0xFFFF_FFFF) - 1] == state { return (i, tag, Int(slot & 0xFFFF_FFFF) - 1) }
            i = (i + 1) & mask
        }
    }

    /// Bytes held: the states and the table.
    @inlinable var bytes: Int { states.capacity * MemoryLayout<State>.stride + slots.count * MemoryLayout<UInt64>.stride }

    /// Per state, at most (the table doubles when half full): the state and 16 bytes of table.
    @inlinable static var bytesPerState: Int { MemoryLayout<State>.stride + 16 }

    @inlinable mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot != 0 {
            var i = Int(truncatingIfNeeded: slot >> 32) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = slot
        }
    }
}
