import Foundation

/// How the simulator picks a step: a kind of action by its weight, then one of its actions that
/// the partition does not hold back and that stays within the bounds.
extension Simulator {
    /// Draws a kind by weight among the `present` kinds (uniformly when they all weigh zero), then
    /// one of its actions not excluded; an action whose successor is beyond the bounds is excluded
    /// and the draw repeated. Returns the action's index, its successor in `successor`, or nil
    /// when every action is excluded.
    @inlinable func choose(_ slots: Scratch, _ members: Scratch, _ present: inout [Int], _ total: Int, _ weights: [Int],
                _ rng: inout SeededGenerator, successor: inout System.State, of state: System.State,
                _ actions: [System.Action]) -> Int? {
        var total = total, uniform = false
        while !present.isEmpty {
            if total == 0 && !uniform { uniform = true }
            var pick = rng.below(uniform ? present.count : total)
            var chosen = present[0]
            for slot in present {
                let w = uniform ? 1 : weights[slot]
                if pick < w {
                    chosen = slot
                    break
                }
                pick -= w
            }
            var m = rng.below(members[chosen])
            var index = 0
            for k in actions.indices where slots[k] == chosen {
                if m == 0 {
                    index = k
                    break
                }
                m -= 1
            }
            successor = system.apply(actions[index], to: state)
            if system.isWithinBounds(successor) { return index }
            slots[index] = -1
            members[chosen] -= 1
            if members[chosen] == 0 {
                present.removeAll { $0 == chosen }
                total -= weights[chosen]
            }
        }
        return nil
    }
}

/// A buffer of integers that grows on request and is indexed without Array's uniqueness checks:
/// the simulator's per-action scratch space.
@usableFromInline
struct Scratch {
    @usableFromInline var buffer: UnsafeMutableBufferPointer<Int>

    @inlinable init() {
        buffer = .allocate(capacity: 64)
        buffer.initialize(repeating: 0)
    }

    /// Makes room for indices `0..<count`, keeping the values held.
    @inlinable mutating func reserve(_ count: Int) {
        guard count > buffer.count else { return }
        let larger = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, buffer.count * 2))
        larger.initialize(repeating: 0)
        for i in buffer.indices { larger[i] = buffer[i] }
        buffer.deallocate()
        buffer = larger
    }

    @inlinable subscript(i: Int) -> Int {
        get { buffer[i] }
        nonmutating set { buffer[i] = newValue }
    }

    @inlinable func deallocate() { buffer.deallocate() }
}
