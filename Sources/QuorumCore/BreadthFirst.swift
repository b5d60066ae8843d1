import Foundation

/// The breadth-first loop of the engines that keep whole states: the temporal checker's search
/// for a violation of `C ⇒ []P` and the reachable states `conform` samples. States are numbered
/// in the order they are found (so numbers follow distance from the first ones), each is expanded
/// once, and the limits every engine obeys are checked in one place. The explorer proper keeps
/// fingerprints, not states, and runs level by level on every core (``Explorer``).
///
/// The liveness graph (``StateGraph``) runs a loop of its own with the same ``Limits``: through
/// this one's closures it cost 2.7 % more instructions on a Raft liveness check (callgrind), the
/// edge loop being the hottest of the temporal checker.
@usableFromInline
struct BreadthFirst<System: TransitionSystem> {
    @usableFromInline let system: System
    @usableFromInline var store = StateStore<System.State>()
    /// The states numbered below this one are expanded.
    @usableFromInline var expanded = 0

    @inlinable init(_ system: System) { self.system = system }

    /// What may stop a search before it has expanded every state.
    @usableFromInline
    struct Limits {
        @usableFromInline var maxStates: Int?
        @usableFromInline var deadline: Date?
        @usableFromInline var memoryBudget: Int?
        /// Whether the memory that `memoryBudget` bounds holds full states (a liveness graph).
        @usableFromInline var fullStates: Bool

        @inlinable init(maxStates: Int? = nil, deadline: Date? = nil, memoryBudget: Int? = nil, fullStates: Bool = false) {
            self.maxStates = maxStates
            self.deadline = deadline
            self.memoryBudget = memoryBudget
            self.fullStates = fullStates
        }

        /// The limit reached with `states` found and `expanded` of them expanded, if any; clocks
        /// and memory (`bytes()`) are read every 4,096 states.
        @inlinable func reached(states: Int, expanded: Int, bytes: () -> Int) -> StopReason? {
            if let maxStates, states > maxStates { return .maxStates(maxStates) }
            guard expanded % 4096 == 0 else { return nil }
            if let deadline, Date() >= deadline { return .timeout(nil) }
            if Interruption.requested { return .interrupted }
            if let memoryBudget, bytes() > memoryBudget { return .memory(memoryBudget, fullStates: fullStates) }
            return nil
        }
    }

    /// Expands the stored states in order until none is left, `successor` returns false, or a
    /// limit is reached, which it returns. `successor(&store, source, state, k, action, next)` sees
    /// each successor of state number `source`, the `k`-th enabled action's, in the order of
    /// `enabledActions`, within the bounds or not; it stores what it keeps. `done(source)` follows each expansion.
    /// `bytes(states)` is what the search holds, for `--memory`; clocks and memory are read every
    /// 4,096 states.
    @inlinable @inline(__always) mutating func run(
        _ limits: Limits, bytes: (Int) -> Int,
        successor: (inout StateStore<System.State>, Int, borrowing System.State, Int, System.Action, consuming System.State) -> Bool,
        done: (Int) -> Void = { _ in }
    ) -> StopReason? {
        var actions: [System.Action] = []
        while expanded < store.count {
            if let reason = limits.reached(states: store.count, expanded: expanded, bytes: { bytes(store.count) }) { return reason }
            let source = expanded
            let state = store[source]
            var stopped = false
            system.forEachSuccessor(of: state, actions: &actions) { k, action, next in
                if !stopped && !successor(&store, source, state, k, action, next) { stopped = true }
            }
            if stopped { return nil }
            done(source)
            expanded += 1
        }
        return nil
    }
}

extension TransitionSystem {
    /// The states reachable within the bounds, breadth first, and whether they are all of them:
    /// the search expands no state once `limit` are found (the last expansion may pass it).
    @inlinable public func reachableStates(limit: Int) -> (states: [State], complete: Bool) {
        var search = BreadthFirst(self)
        for state in initialStates { search.store.insert(state) }
        let reason = search.run(.init(maxStates: limit - 1), bytes: { _ in 0 }) { store, _, _, _, _, next in
            if isWithinBounds(next) { store.insert(next) }
            return true
        }
        return (search.store.states, reason == nil)
    }
}
