/// Two distinct states that feed their fingerprint the same words, so that the explorer keeps one
/// and silently drops the other: a packing bug, not a chance collision.
public struct FingerprintCollision: Sendable, CustomStringConvertible {
    public let first: String
    public let second: String
    public var description: String { "distinct states with one fingerprint key:\n  \(first)\n  \(second)" }
}

/// What ``auditFingerprints(of:maxStates:walks:depth:recombinations:seed:)`` looked at and found.
public struct FingerprintAudit: Sendable {
    /// Distinct states compared (within the bounds, reached breadth-first or by random walks).
    public let states: Int
    public let collisions: [FingerprintCollision]
}

/// Looks for distinct states whose fingerprint keys (the words fed to the hash, not the hash) are
/// equal, over the first `maxStates` states reached breadth-first and over `walks` seeded random
/// walks of at most `depth` steps, which reach deeper than a bounded breadth-first search. States
/// are compared in full (`==`), so a key that leaves out or overlaps a field shows up here.
public func auditFingerprints<System: TransitionSystem>(
    of system: System, maxStates: Int, walks: Int, depth: Int, recombinations: Int = 0, seed: UInt64 = 1
) -> FingerprintAudit {
    var byKey: [FingerprintKey: System.State] = [:]
    var seen: [System.State] = []
    var collisions: [FingerprintCollision] = []
    /// Records `state`; returns whether it is new.
    func record(_ state: System.State) -> Bool {
        let key = state.fingerprintKey
        if let seen = byKey[key] {
            if seen != state && collisions.count < 10 {
                collisions.append(FingerprintCollision(first: "\(seen)", second: "\(state)"))
            }
            return false
        }
        byKey[key] = state
        seen.append(state)
        return true
    }

    var frontier = system.initialStates.filter { system.isWithinBounds($0) && record($0) }
    var actions: [System.Action] = []
    while !frontier.isEmpty && byKey.count < maxStates {
        var next: [System.State] = []
        for state in frontier where byKey.count < maxStates {
            actions.removeAll(keepingCapacity: true)
            system.enabledActions(in: state, into: &actions)
            for action in actions {
                let successor = system.apply(action, to: state)
                if system.isWithinBounds(successor) && record(successor) { next.append(successor) }
            }
        }
        frontier = next
    }

    let initial = system.initialStates.filter { system.isWithinBounds($0) }
    if !initial.isEmpty {
        for walk in 0..<walks {
            var random = SeededGenerator(seed: seed, run: walk)
            var state = initial[random.below(initial.count)]
            var successors: [System.State] = []
            for _ in 0..<depth {
                actions.removeAll(keepingCapacity: true)
                system.enabledActions(in: state, into: &actions)
                // Steps out of the bounds are skipped rather than ending the walk, so that walks
                // under tight bounds (one message in flight) still go deep.
                successors = actions.map { system.apply($0, to: state) }.filter { system.isWithinBounds($0) }
                guard !successors.isEmpty else { break }
                state = successors[random.below(successors.count)]
                _ = record(state)
            }
        }
    }

    // Recombination: states that differ in one process's entries of one or two variables are
    // where overlapping packed fields collide, and reachable states rarely come in such pairs.
    // Where the spec reads trace values back, the audit collects the values each variable (each
    // process's entry, for a function of the processes) took in the states seen, and builds states
    // from a few base states with every pair of such values put in place of their own; those
    // within the bounds are audited too, reachable or not.
    let reached = seen.count
    if reached > 1 && recombinations > 0 && system.state(fromTraceValues: system.traceValues(of: seen[0])) != nil {
        let rows = seen.map { system.traceValues(of: $0) }
        func value(_ row: [ITFValue], _ p: Place) -> ITFValue? {
            guard let k = p.entry else { return row[p.variable] }
            guard case .map(let pairs) = row[p.variable], k < pairs.count else { return nil }
            return pairs[k].value
        }
        func setting(_ row: [ITFValue], _ p: Place, _ x: ITFValue) -> [ITFValue] {
            var row = row
            if let k = p.entry, case .map(var pairs) = row[p.variable] {
                pairs[k] = ITFValue.Pair(key: pairs[k].key, value: x)
                row[p.variable] = .map(pairs)
            } else {
                row[p.variable] = x
            }
            return row
        }
        // A variable is a function of the processes when it is a map with the same keys in every state.
        var places: [Place] = []
        for v in rows[0].indices {
            if case .map(let first) = rows[0][v], !first.isEmpty,
               rows.allSatisfy({ if case .map(let p) = $0[v] { p.map(\.key) == first.map(\.key) } else { false } }) {
                places += first.indices.map { Place(variable: v, entry: $0) }
            } else {
                places.append(Place(variable: v, entry: nil))
            }
        }
        let perPool = 12
        var pools: [Place: [ITFValue]] = [:]
        for p in places {
            var distinct: [ITFValue] = []
            for row in rows { if let x = value(row, p), !distinct.contains(x) { distinct.append(x) } }
            // The first values found and the last (the deepest), when there are too many.
            pools[p] = distinct.count <= perPool ? distinct : Array(distinct.prefix(perPool / 2) + distinct.suffix(perPool / 2))
        }
        var random = SeededGenerator(seed: seed, run: -1)
        for base in 0..<recombinations {
            let row = rows[base == 0 ? 0 : random.below(reached)]
            for (i, p) in places.enumerated() {
                for q in places[i...] where q.entry == p.entry || q.entry == nil || p.entry == nil {
                    for x in pools[p]! {
                        let withX = setting(row, p, x)
                        for y in (p == q ? [x] : pools[q]!) {
                            if let state = system.state(fromTraceValues: setting(withX, q, y)), system.isWithinBounds(state) {
                                _ = record(state)
                            }
                        }
                    }
                }
            }
        }
    }
    return FingerprintAudit(states: byKey.count, collisions: collisions)
}

/// A variable of a trace row and, for a function of the processes, one process's entry (its index
/// among the map's keys).
private struct Place: Hashable {
    let variable: Int
    let entry: Int?
}
