import Foundation

/// How a guided search (`quorum simulate --guided`) groups states and how far it walks.
///
/// Random runs rarely go deep into a protocol: a bug that needs four elections in a row (the Raft
/// paper's Figure 8) needs dozens of steps that each must be the right one, and a run from the
/// initial state gives up its progress at every restart or timeout. Breadth-first search reaches
/// it only after every shorter behaviour. A guided search keeps what random runs reach: it
/// archives one state per *cell* (a state's values of a few chosen variables) and starts each
/// walk from an archived state, taking the cells in turn, so that every cell reached becomes a
/// starting point (the "go-explore" scheme). Progress is kept, and the walks spread over every
/// combination of the chosen variables that the protocol can reach.
public struct Guidance: Sendable {
    /// The trace variables whose values make a state's cell; nil: every variable but the
    /// message variable (which would make nearly every state a cell of its own).
    public var cellVariables: [String]?
    /// Steps per walk, at most.
    public var walk: Int

    public init(cellVariables: [String]? = nil, walk: Int = 30) {
        self.cellVariables = cellVariables
        self.walk = walk
    }
}

/// One archived cell: the first state found in it and how it was reached.
@usableFromInline
struct ArchivedCell<System: TransitionSystem> {
    @usableFromInline let state: System.State
    /// The cell whose walk found this one (-1 for an initial state).
    @usableFromInline let parent: Int
    /// The steps from the parent's state to this one.
    @usableFromInline let actions: [System.Action]
    /// The initial state the chain of walks started from.
    @usableFromInline let root: Int

    @inlinable init(state: System.State, parent: Int, actions: [System.Action], root: Int) {
        self.state = state
        self.parent = parent
        self.actions = actions
        self.root = root
    }
}

extension Simulator {
    /// The guided search: `options.runs` walks of at most `guidance.walk` steps, walk `k` from
    /// cell `k mod cells` (the archive grows as walks find cells), every property checked after
    /// every step. One thread, so that the seed, the walk count and the guidance name the result.
    /// A failing walk's trace is the chain of walks that led to its cell, then the walk itself;
    /// it is shrunk as a random run's is.
    @inlinable func runGuided(_ guidance: Guidance) -> SimulationResult<System> {
        let start = Date()
        let deadline = options.timeout.map { start.addingTimeInterval($0) }
        var result = SimulationResult<System>()
        result.properties = invariants.map(\.name) + actionProperties.map(\.name)
        let names = system.traceVariables
        let selected = guidance.cellVariables.map { wanted in names.indices.filter { wanted.contains(names[$0]) } }
            ?? names.indices.filter { names[$0] != system.messageVariable }
        func cell(_ state: System.State) -> UInt64 {
            let values = system.traceValues(of: state)
            var f = SeedHasher()
            for k in selected { values[k].hash(into: &f) }
            return f.value
        }
        func finish() -> SimulationResult<System> {
            result.seconds = Date().timeIntervalSince(start)
            return result
        }

        var archive: [ArchivedCell<System>] = []
        var known: [UInt64: Int] = [:]
        for (k, initial) in initialStates.enumerated() {
            let active = active(from: initial)
            if let broken = invariants.indices.first(where: { active[$0] && !invariants[$0].holds(initial) }) {
                let (name, kind) = describe(broken)
                result.failure = .init(run: 0, property: name, kind: kind, original: Trace(initial: initial), shrunk: Trace(initial: initial))
                return finish()
            }
            let key = cell(initial)
            if known[key] == nil {
                known[key] = archive.count
                archive.append(ArchivedCell(state: initial, parent: -1, actions: [], root: k))
            }
        }
        observeCells(archive.map(\.state), into: &result)
        result.cells = archive.count
        guard !archive.isEmpty else { return finish() }  // a spec without initial states has nothing to walk

        /// The steps from the root's initial state to cell `c`.
        func path(to c: Int) -> [System.Action] {
            var chunks: [[System.Action]] = []
            var k = c
            while k >= 0 {
                chunks.append(archive[k].actions)
                k = archive[k].parent
            }
            return Array(chunks.reversed().joined())
        }

        var actions: [System.Action] = []
        var walk = 0
        while walk < options.runs {
            if Interruption.requested || (deadline.map { Date() >= $0 } ?? false) {
                result.stoppedByTimeout = true
                break
            }
            let origin = walk % archive.count
            var rng = SeededGenerator(seed: options.seed, run: walk)
            let initial = initialStates[archive[origin].root]
            let active = active(from: initial)
            var reads = [VariableSet](repeating: .max, count: parts.count)
            var state = archive[origin].state
            var walked: [System.Action] = []
            // Swarm weights, per kind of action and per walk, as random runs draw them.
            var weights: [Int: Int] = [:]
            result.runs += 1
            for _ in 0..<guidance.walk {
                actions.removeAll(keepingCapacity: true)
                system.enabledActions(in: state, into: &actions)
                var candidates = Array(actions.indices)
                var chosen: (index: Int, successor: System.State)? = nil
                while !candidates.isEmpty {
                    let w = candidates.map { k -> Int in
                        let kind = actions[k].kind
                        if let weight = weights[kind] { return weight }
                        let weight = swarmWeight(&rng)
                        weights[kind] = weight
                        return weight
                    }
                    let total = w.reduce(0, +)
                    var pick = rng.below(total == 0 ? candidates.count : total)
                    var position = 0
                    for (p, weight) in w.enumerated() {
                        let weight = total == 0 ? 1 : weight
                        if pick < weight {
                            position = p
                            break
                        }
                        pick -= weight
                    }
                    // A step that changes nothing (a restart of a server in its initial state)
                    // reaches nothing new: another is drawn.
                    let successor = system.apply(actions[candidates[position]], to: state)
                    if successor != state && system.isWithinBounds(successor) {
                        chosen = (candidates[position], successor)
                        break
                    }
                    candidates.remove(at: position)
                }
                guard let (index, successor) = chosen else { break }
                let action = actions[index]
                walked.append(action)
                result.steps += 1
                result.coverage[action.name, default: 0] += 1
                if let broken = firstBroken(active, state, action, successor, reads: &reads) {
                    let (name, kind) = describe(broken)
                    let trace = Trace(system, from: initial, actions: path(to: origin) + walked)
                    let shrunk = options.shrink ? shrink(trace, property: broken) : trace
                    result.failure = .init(run: walk, property: name, kind: kind, original: trace, shrunk: shrunk)
                    result.cells = archive.count
                    return finish()
                }
                state = successor
                let key = cell(state)
                if known[key] == nil {
                    known[key] = archive.count
                    archive.append(ArchivedCell(state: state, parent: origin, actions: walked, root: archive[origin].root))
                    observeCells([state], into: &result)
                }
            }
            walk += 1
        }
        result.cells = archive.count
        return finish()
    }

    /// The deepest values of the spec's metrics, over the states archived.
    @inlinable func observeCells(_ states: [System.State], into result: inout SimulationResult<System>) {
        for state in states {
            for (name, value) in system.metrics(of: state) { result.deepest[name] = max(result.deepest[name] ?? value, value) }
        }
    }
}

extension ITFValue {
    /// Feeds the value to a fingerprint: a cell's identity in a guided search (two cells that
    /// collide only share their walks; nothing is left unchecked).
    @usableFromInline func hash(into f: inout SeedHasher) {
        func text(_ s: String) {
            f.combine(UInt64(s.utf8.count))
            var word: UInt64 = 0, n = 0
            for byte in s.utf8 {
                word = word << 8 | UInt64(byte)
                n += 1
                if n == 8 { f.combine(word); (word, n) = (0, 0) }
            }
            if n > 0 { f.combine(word) }
        }
        func all(_ tag: UInt64, _ xs: [ITFValue]) {
            f.combine(tag)
            f.combine(UInt64(xs.count))
            for x in xs { x.hash(into: &f) }
        }
        switch self {
        case .bool(let b): f.combine(b ? 1 : 2)
        case .int(let x): f.combine(3); f.combine(UInt64(bitPattern: Int64(x)))
        case .string(let s): f.combine(4); text(s)
        case .list(let xs): all(5, xs)
        case .record(let fields):
            f.combine(6)
            f.combine(UInt64(fields.count))
            for field in fields { text(field.name); field.value.hash(into: &f) }
        case .tuple(let xs): all(7, xs)
        case .set(let xs): all(8, xs)
        case .map(let pairs):
            f.combine(9)
            f.combine(UInt64(pairs.count))
            for pair in pairs { pair.key.hash(into: &f); pair.value.hash(into: &f) }
        case .variant(let tag, let value): f.combine(10); text(tag); value.hash(into: &f)
        case .unserializable(let s): f.combine(11); text(s)
        }
    }
}
