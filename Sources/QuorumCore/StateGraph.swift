import Foundation

/// The reachable state graph within a system's bounds, held in memory with full states, for the
/// checks that need edges and not only states: temporal properties.
///
/// Edges are stored per source state (compressed rows). Every edge keeps the index of its action
/// among those enabled in the source, so that traces re-execute the pure functions, and a bit per
/// fairness constraint that the step satisfies (the action matches and the state changes). Every
/// state keeps a bit per constraint that is enabled there, counting steps that leave the bounds:
/// fairness is judged on the spec, not on its bounded cut.
/// A bit per fairness assumption (or per property's step assumption): 32 of each at most, so that
/// an edge costs 16 bytes (target, action index, fairness bits, assumption bits).
@usableFromInline typealias FairnessBits = UInt32

@usableFromInline
struct StateGraph<System: TransitionSystem> {
    @usableFromInline var store = StateStore<System.State>()
    @inlinable var states: [System.State] { store.states }
    /// Edges of state s: `targets[rowStart[s]..<rowStart[s + 1]]`.
    @usableFromInline var rowStart: [Int] = [0]
    @usableFromInline var targets: [Int32] = []
    @usableFromInline var actionIndex: [UInt32] = []
    @usableFromInline var taken: [FairnessBits] = []
    /// Bit p set when the step is excluded by the step assumption of property p.
    @usableFromInline var excluded: [FairnessBits] = []
    @usableFromInline var enabled: [FairnessBits] = []
    @usableFromInline var initial: [Int32] = []
    @usableFromInline var statesGenerated = 0
    @usableFromInline var incomplete: String? = nil

    @inlinable func edges(of s: Int32) -> Range<Int> { rowStart[Int(s)]..<rowStart[Int(s) + 1] }

    /// The graph's size by its layout: each state with its slots in the store, a row start and its
    /// enabled bits, and 16 bytes per edge. Heap storage inside states is not counted.
    @inlinable static func estimatedBytes(states: Int, edges: Int) -> Int {
        states * (StateStore<System.State>.bytesPerState + 16) + edges * 16
    }

    /// Breadth-first, so the state ids follow distance from the initial states.
    @inlinable init(_ system: System, fairness: [Fairness<System.State, System.Action>],
         assumptions: [(@Sendable (System.State, System.Action) -> Bool)?] = [], boundedFairness: Bool = false,
         maxStates: Int?, deadline: Date?, memoryBudget: Int? = nil) {
        for state in system.initialStates {
            statesGenerated += 1
            guard system.isWithinBounds(state) else { continue }
            let (s, new) = store.insert(state)
            if new { initial.append(Int32(s)) }
        }
        var actions: [System.Action] = []
        let limits = BreadthFirst<System>.Limits(maxStates: maxStates, deadline: deadline, memoryBudget: memoryBudget, fullStates: true)
        var next = 0
        while next < states.count {
            if let reason = limits.reached(states: states.count, expanded: next, bytes: { Self.estimatedBytes(states: states.count, edges: targets.count) }) {
                incomplete = reason.description
                break
            }
            let state = states[next]
            actions.removeAll(keepingCapacity: true)
            system.enabledActions(in: state, into: &actions)
            var enabledHere: FairnessBits = 0
            for (k, action) in actions.enumerated() {
                let successor = system.apply(action, to: state)
                statesGenerated += 1
                var bits: FairnessBits = 0
                if successor != state {
                    for (j, f) in fairness.enumerated() where f.matches(state, action) { bits |= 1 << FairnessBits(j) }
                }
                let inside = system.isWithinBounds(successor)
                if inside || !boundedFairness { enabledHere |= bits }
                guard inside else { continue }
                targets.append(Int32(store.insert(successor).id))
                actionIndex.append(UInt32(k))
                taken.append(bits)
                var out: FairnessBits = 0
                for (p, allows) in assumptions.enumerated() where allows.map({ !$0(state, action) }) ?? false { out |= 1 << FairnessBits(p) }
                excluded.append(out)
            }
            enabled.append(enabledHere)
            rowStart.append(targets.count)
            next += 1
        }
        if incomplete != nil {
            // States discovered but not expanded keep no edges; the result is reported incomplete.
            while enabled.count < states.count {
                enabled.append(0)
                rowStart.append(targets.count)
            }
        }
    }
}
