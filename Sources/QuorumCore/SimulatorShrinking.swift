import Foundation

/// Shrinking a failing run: fewer steps, fewer processes, earlier deliveries, until no move helps.
extension Simulator {
    /// Replays `actions` from `initial`, replacing an action that is no longer enabled by an enabled
    /// one of the same kind, process and link, or else skipping it (and any that would leave the
    /// bounds), until `property` breaks. Returns the actions actually taken up to
    /// and including the breaking step, or nil when the property never breaks. Skipping, rather
    /// than rejecting, lets one removal take the steps that depended on it along.
    @inlinable func breaks(_ property: Int, _ initial: System.State, _ actions: [System.Action]) -> [System.Action]? {
        var state = initial
        if property < invariants.count && !(conditions[property]?(initial) ?? true) { return nil }
        if property < invariants.count && !invariants[property].holds(state) { return [] }
        var taken: [System.Action] = []
        for wanted in actions {
            let enabled = system.enabledActions(in: state)
            // An action no longer enabled as it was (a removed step changed a term or a message)
            // stands in for the same kind of step by the same process over the same link, if one
            // is enabled: a delivery of an earlier copy of the message, a vote in the current term.
            guard let action = enabled.contains(wanted) ? wanted : enabled.first(where: {
                $0.kind == wanted.kind && $0.process == wanted.process && $0.link.map { l in wanted.link.map { $0 == l } ?? false } ?? (wanted.link == nil)
            }) else { continue }
            let next = system.apply(action, to: state)
            guard system.isWithinBounds(next) else { continue }
            taken.append(action)
            if property < invariants.count {
                if !invariants[property].holds(next) { return taken }
            } else if !actionProperties[property - invariants.count].holds(state, action, next) {
                return taken
            }
            state = next
        }
        return nil
    }

    /// Shrinks a failing trace while what remains still breaks the same property, with three
    /// moves until none helps: remove steps (in halving chunks, then one by one; the steps that
    /// depended on a removed one go with it), drop every step of one process, and deliver an
    /// earlier message between the same two processes instead of a later one (after which the
    /// later message's send may go). The result is locally minimal for these moves.
    @inlinable func shrink(_ trace: Trace<System>, property: Int) -> Trace<System> {
        guard var actions = breaks(property, trace.initial, trace.steps.map(\.action)) else { return trace }
        /// The steps `candidate` actually takes up to the violation, when that is fewer than `current`.
        let shorter: ([System.Action], [System.Action]) -> [System.Action]? = { candidate, current in
            guard let taken = breaks(property, trace.initial, candidate), taken.count < current.count else { return nil }
            return taken
        }
        while true {
            let before = actions.count
            actions = removeSteps(actions, shorter)
            // Drop a process's whole activity.
            for p in Set(actions.compactMap(\.process)).sorted() {
                if let taken = shorter(actions.filter { $0.process != p }, actions) { actions = taken }
            }
            actions = substituteDeliveries(actions, property: property, initial: trace.initial, shorter)
            if actions.count == before { break }
        }
        return Trace(system, from: trace.initial, actions: actions)
    }

    @usableFromInline typealias Shorter = ([System.Action], [System.Action]) -> [System.Action]?

    /// Removal in halving chunks, then one step at a time.
    @inlinable func removeSteps(_ start: [System.Action], _ shorter: Shorter) -> [System.Action] {
        var actions = start
        var chunk = max(1, actions.count / 2)
        while true {
            var removed = false
            var from = 0
            while from < actions.count {
                var candidate = actions
                candidate.removeSubrange(from..<min(from + chunk, actions.count))
                if let taken = shorter(candidate, actions) {
                    actions = taken
                    removed = true
                } else {
                    from += chunk
                }
            }
            if chunk == 1 && !removed { break }
            if !removed { chunk = max(1, chunk / 2) }
        }
        return actions
    }

    /// For each delivery, tries each other delivery of the same kind between the same two processes
    /// enabled at that point, followed by step removal: a later copy of a message can often be
    /// replaced by an earlier one, and the later one's send then goes.
    @inlinable func substituteDeliveries(_ start: [System.Action], property: Int, initial: System.State,
                                      _ shorter: Shorter) -> [System.Action] {
        var actions = start
        var k = 0
        while k < actions.count {
            guard let link = actions[k].link else { k += 1; continue }
            var state = initial
            for action in actions[..<k] { state = system.apply(action, to: state) }
            let current = actions[k]
            let alternatives = system.enabledActions(in: state).filter { a in
                a != current && a.kind == current.kind && a.link.map { $0 == link } == true
            }
            search: for alternative in alternatives {
                var substituted = actions
                substituted[k] = alternative
                guard let taken = breaks(property, initial, substituted) else { continue }
                let reduced = removeSteps(taken, shorter)
                if reduced.count < actions.count {
                    actions = reduced
                    break search
                }
            }
            k += 1
        }
        return actions
    }
}
