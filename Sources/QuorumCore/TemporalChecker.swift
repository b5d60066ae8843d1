import Foundation

/// The figures and findings of a temporal check.
public struct TemporalResult<System: TransitionSystem>: Sendable {
    public var violations: [Violation<System>]
    /// States and edges of the bounded graph the properties were checked on.
    public var graphStates: Int
    public var graphEdges: Int
    public var seconds: Double
    /// Set when the graph could not be built completely: nothing was concluded.
    public var incomplete: String?

    @usableFromInline
    init(violations: [Violation<System>], graphStates: Int, graphEdges: Int, seconds: Double, incomplete: String?) {
        self.violations = violations
        self.graphStates = graphStates
        self.graphEdges = graphEdges
        self.seconds = seconds
        self.incomplete = incomplete
    }
}

/// Checks ``TemporalProperty``s over the reachable state graph within a system's bounds.
///
/// A liveness violation is a fair lasso: a shortest prefix to a state where the premise holds and
/// the goal does not, then a cycle of states where the goal never holds, on which every fairness
/// assumption is met (each weakly fair action is taken or disabled somewhere on the cycle; each
/// strongly fair one is taken or disabled all along). Cycles are found as the strongly connected
/// components of the graph restricted to ¬goal, refined as in Emerson and Lei's algorithm when a
/// strongly fair action is enabled but never taken inside a component. A behaviour may also stay in
/// one state forever (TLA+'s stuttering), which is fair when no fair action is enabled there.
///
/// Bounds: the graph stops at the spec's state constraint, so behaviours that leave the bounds are
/// not examined, and by default an action whose only steps leave the bounds still counts as
/// enabled. Every lasso found is then a real fair behaviour of the spec; "holds" means "holds for
/// every fair behaviour that stays within the bounds". With `boundedFairness` such an action counts
/// as disabled instead: the lassos are fair behaviours of the bounded model, which may stop making
/// progress only because the bound cut off the next step (TLC warns of the same effect).
public struct TemporalChecker<System: TransitionSystem> {
    public let system: System
    public let properties: [TemporalProperty<System.State, System.Action>]
    public var maxStates: Int?
    public var timeout: Double?
    /// Judge fairness on the bounded model: an action whose every step leaves the bounds counts
    /// as disabled, as if the bounds guarded the actions. Lassos may then exist only because of
    /// the bounds (a split vote in the last allowed term, say); by default they do not.
    public var boundedFairness: Bool
    /// Stop with an incomplete result before the graph would outgrow this many bytes (estimated).
    public var memoryBudget: Int?

    @inlinable public init(_ system: System, properties: [TemporalProperty<System.State, System.Action>]? = nil,
                maxStates: Int? = nil, timeout: Double? = nil, boundedFairness: Bool = false, memoryBudget: Int? = nil) {
        self.system = system
        self.properties = properties ?? system.temporalProperties.filter(\.byDefault)
        self.maxStates = maxStates
        self.timeout = timeout
        self.boundedFairness = boundedFairness
        self.memoryBudget = memoryBudget
    }

    @inlinable public func run() -> TemporalResult<System> {
        let start = Date()
        let deadline = timeout.map { start.addingTimeInterval($0) }
        var result = TemporalResult<System>(violations: [], graphStates: 0, graphEdges: 0, seconds: 0, incomplete: nil)
        // C ⇒ []P needs no graph: a breadth-first search from the states in C stops at the first
        // state that violates P.
        for property in properties where property.form == .always {
            switch safetyViolation(property, deadline: deadline) {
            case .success(let trace?):
                result.violations.append(Violation(property: property.name, kind: .temporal, trace: trace))
            case .success(nil):
                break
            case .failure(let reason):
                result.incomplete = reason.description
            }
        }
        let liveness = properties.filter { $0.form != .always }
        if !liveness.isEmpty && result.incomplete == nil {
            let fairness = liveness.flatMap(\.fairness)
            precondition(fairness.count <= FairnessBits.bitWidth, "at most \(FairnessBits.bitWidth) fairness assumptions over all temporal properties")
            precondition(liveness.count <= FairnessBits.bitWidth, "at most \(FairnessBits.bitWidth) liveness properties at once")
            let graph = StateGraph(system, fairness: fairness, assumptions: liveness.map { $0.steps?.allows },
                                   boundedFairness: boundedFairness, maxStates: maxStates, deadline: deadline,
                                   memoryBudget: memoryBudget)
            result.graphStates = graph.states.count
            result.graphEdges = graph.targets.count
            result.incomplete = graph.incomplete
            if graph.incomplete == nil {
                var offset = 0
                for (p, property) in liveness.enumerated() {
                    let bits = offset..<(offset + property.fairness.count)
                    offset += property.fairness.count
                    var search = LassoSearch(graph: graph, property: property, bits: bits, excludedBit: FairnessBits(1) << FairnessBits(p))
                    if let trace = search.counterexample(system) {
                        result.violations.append(Violation(property: property.name, kind: .temporal, trace: trace))
                    }
                }
            }
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    /// A shortest trace from an initial state satisfying the condition to a state violating the
    /// invariant, nil when there is none, or the limit that stopped the search.
    @inlinable func safetyViolation(_ property: TemporalProperty<System.State, System.Action>,
                         deadline: Date?) -> Result<Trace<System>?, UsageError> {
        var search = BreadthFirst(system)
        var parent: [(state: Int, action: Int)] = []
        func trace(to id: Int, in states: StateStore<System.State>) -> Trace<System> {
            var path: [Int] = []
            var cursor = id
            while parent[cursor].state >= 0 {
                path.append(parent[cursor].action)
                cursor = parent[cursor].state
            }
            return Trace(system, from: states[cursor], enabledIndices: path.reversed())
        }
        for state in system.initialStates where property.trigger(state) && search.store.id(of: state) == nil {
            if !property.goal(state) { return .success(Trace(initial: state)) }
            guard system.isWithinBounds(state) else { continue }
            search.store.insert(state)
            parent.append((-1, 0))
        }
        // A violating successor is reported even beyond the bounds (as the explorer does).
        var violation: Trace<System>? = nil
        let limits = BreadthFirst<System>.Limits(maxStates: maxStates, deadline: deadline, memoryBudget: memoryBudget)
        let stop = search.run(limits, bytes: { StateGraph<System>.estimatedBytes(states: $0, edges: 0) }) { store, source, _, k, _, successor in
            guard store.id(of: successor) == nil else { return true }
            let violates = !property.goal(successor)
            guard violates || system.isWithinBounds(successor) else { return true }
            store.insert(successor)
            parent.append((source, k))
            if violates { violation = trace(to: store.count - 1, in: store) }
            return !violates
        }
        if let stop { return .failure(UsageError(stop.description)) }
        return .success(violation)
    }
}

/// The search for one property's counterexample over a built graph.
@usableFromInline
struct LassoSearch<System: TransitionSystem> {
    @usableFromInline let graph: StateGraph<System>
    @usableFromInline let property: TemporalProperty<System.State, System.Action>
    @usableFromInline let weak: FairnessBits
    @usableFromInline let strong: FairnessBits
    /// The bit of `graph.excluded` for this property's step assumption.
    @usableFromInline let excludedBit: FairnessBits
    /// Component id per state for states on a fair cycle within ¬goal, -1 elsewhere.
    @usableFromInline var component: [Int32] = []

    @inlinable init(graph: StateGraph<System>, property: TemporalProperty<System.State, System.Action>, bits: Range<Int>, excludedBit: FairnessBits) {
        self.graph = graph
        self.property = property
        self.excludedBit = excludedBit
        var weak: FairnessBits = 0, strong: FairnessBits = 0
        for (j, f) in zip(bits, property.fairness) {
            if f.kind == .weak { weak |= 1 << FairnessBits(j) } else { strong |= 1 << FairnessBits(j) }
        }
        self.weak = weak
        self.strong = strong
    }

    @inlinable var fairMask: FairnessBits { weak | strong }

    /// Whether edge `e` is a step the property's behaviours may take (not stuttering, not excluded).
    @inlinable func usable(_ e: Int, from s: Int32) -> Bool { graph.targets[e] != s && graph.excluded[e] & excludedBit == 0 }

    @inlinable mutating func counterexample(_ system: System) -> Trace<System>? {
        let n = graph.states.count
        let bad = graph.states.map { !property.goal($0) }
        let trigger = graph.states.map(property.trigger)
        component = fairComponents(region: bad)
        let stutterFair = (0..<n).map { bad[$0] && graph.enabled[$0] & fairMask == 0 }
        func isTarget(_ s: Int32) -> Bool { stutterFair[Int(s)] || component[Int(s)] >= 0 }

        // Breadth-first over (state, phase): phase 0 before the premise holds, phase 1 after it,
        // confined to ¬goal. Entering phase 1 costs no step.
        let fromAnywhere = property.form != .eventually
        var parent = [Int32](repeating: -2, count: 2 * n)
        var via = [Int32](repeating: -1, count: 2 * n)
        var queue: [Int32] = []
        func discover(_ node: Int32, from p: Int32, edge: Int32) {
            guard parent[Int(node)] == -2 else { return }
            parent[Int(node)] = p
            via[Int(node)] = edge
            queue.append(node)
        }
        for s in graph.initial {
            if fromAnywhere { discover(2 * s, from: -1, edge: -1) }
            if trigger[Int(s)] && bad[Int(s)] { discover(2 * s + 1, from: fromAnywhere ? 2 * s : -1, edge: -1) }
        }
        var head = 0
        var found: Int32? = nil
        while head < queue.count {
            let node = queue[head]
            head += 1
            let s = node / 2
            if node % 2 == 1 && isTarget(s) { found = node; break }
            for e in graph.edges(of: s) where usable(e, from: s) {
                let t = graph.targets[e]
                if node % 2 == 0 {
                    discover(2 * t, from: node, edge: Int32(e))
                    if trigger[Int(t)] && bad[Int(t)] { discover(2 * t + 1, from: 2 * t, edge: -1) }
                } else if bad[Int(t)] {
                    discover(2 * t + 1, from: node, edge: Int32(e))
                }
            }
        }
        guard let found else { return nil }
        var edges: [Int] = []
        var cursor = found
        while parent[Int(cursor)] != -1 {
            if via[Int(cursor)] >= 0 { edges.append(Int(via[Int(cursor)])) }
            cursor = parent[Int(cursor)]
        }
        edges.reverse()
        let entry = found / 2
        if stutterFair[Int(entry)] {
            return trace(system, from: cursor / 2, edges: edges, loop: edges.count)
        }
        let cycle = fairCycle(through: entry)
        return trace(system, from: cursor / 2, edges: edges + cycle, loop: edges.count)
    }

    // MARK: Fair components

    /// Marks the states of ¬goal that lie on a fair cycle, by component.
    @inlinable func fairComponents(region: [Bool]) -> [Int32] {
        let n = graph.states.count
        var component = [Int32](repeating: -1, count: n)
        var member = [Int32](repeating: .min, count: n)
        var stamp: Int32 = 0
        var tarjan = Tarjan(count: n)
        let usable: (Int, Int32) -> Bool = { self.usable($0, from: $1) }
        var work = tarjan.components(of: (0..<Int32(n)).filter { region[Int($0)] }, graph: graph, usable: usable) { region[Int($0)] }
        var fairCount: Int32 = 0
        while let c = work.popLast() {
            stamp += 1
            for s in c { member[Int(s)] = stamp }
            var enabledAny: FairnessBits = 0, enabledAll: FairnessBits = ~0, takenInside: FairnessBits = 0
            for s in c {
                enabledAny |= graph.enabled[Int(s)]
                enabledAll &= graph.enabled[Int(s)]
                for e in graph.edges(of: s) where member[Int(graph.targets[e])] == stamp && usable(e, s) {
                    takenInside |= graph.taken[e]
                }
            }
            // A weakly fair action enabled all along and never taken: no cycle in c is fair.
            if weak & enabledAll & ~takenInside != 0 { continue }
            let starved = strong & enabledAny & ~takenInside
            if starved == 0 {
                for s in c { component[Int(s)] = fairCount }
                fairCount += 1
            } else {
                // A fair cycle must avoid the states where a starved strongly fair action is enabled.
                let rest = c.filter { graph.enabled[Int($0)] & starved == 0 }
                let restStamp = stamp
                for s in rest { member[Int(s)] = -restStamp }
                work += tarjan.components(of: rest, graph: graph, usable: usable) { member[Int($0)] == -restStamp }
            }
        }
        return component
    }

    /// A cycle from `entry` back to it inside its fair component that takes, or passes a state that
    /// disables, every fair action as the fairness kinds require.
    @inlinable func fairCycle(through entry: Int32) -> [Int] {
        let id = component[Int(entry)]
        let inside: (Int32) -> Bool = { self.component[Int($0)] == id }
        var members: [Int32] = []
        var edgesInside: [Int] = []
        for s in 0..<Int32(graph.states.count) where inside(s) {
            members.append(s)
            for e in graph.edges(of: s) where inside(graph.targets[e]) && usable(e, from: s) { edgesInside.append(e) }
        }
        // An edge to take, or (edge -1) a state to pass.
        var waypoints: [(edge: Int, state: Int32)] = []
        let enabledAny = members.reduce(FairnessBits(0)) { $0 | graph.enabled[Int($1)] }
        for bit in 0..<FairnessBits.bitWidth {
            let b = FairnessBits(1) << FairnessBits(bit)
            guard fairMask & b != 0 else { continue }
            if let e = edgesInside.first(where: { graph.taken[$0] & b != 0 }) {
                waypoints.append((e, -1))
            } else if weak & b != 0, let d = members.first(where: { graph.enabled[Int($0)] & b == 0 }) {
                waypoints.append((-1, d))
            } else {
                precondition(strong & b != 0 && enabledAny & b == 0, "a fair component meets every fairness assumption")
            }
        }
        if !waypoints.contains(where: { $0.edge >= 0 }) {
            // Any cycle will do; start it with an edge leaving the entry.
            waypoints.insert((edgesInside.first { graph.source(of: $0) == entry }!, -1), at: 0)
        }
        var cycle: [Int] = []
        var at = entry
        for waypoint in waypoints {
            if waypoint.edge >= 0 {
                let e = waypoint.edge
                cycle += shortestPath(from: [at], allowed: inside, to: { $0 == graph.source(of: e) })!.edges
                cycle.append(e)
                at = graph.targets[e]
            } else {
                cycle += shortestPath(from: [at], allowed: inside, to: { $0 == waypoint.state })!.edges
                at = waypoint.state
            }
        }
        cycle += shortestPath(from: [at], allowed: inside, to: { $0 == entry })!.edges
        return cycle
    }

    // MARK: Paths and traces

    /// Breadth-first from `starts` through `allowed` states to the first state satisfying `goal`.
    @inlinable func shortestPath(from starts: [Int32], allowed: (Int32) -> Bool, to goal: (Int32) -> Bool) -> (start: Int32, edges: [Int])? {
        var parentEdge: [Int32: Int] = [:]
        var queue: [Int32] = []
        for s in starts where parentEdge[s] == nil {
            parentEdge[s] = -1
            queue.append(s)
        }
        var head = 0
        while head < queue.count {
            let s = queue[head]
            head += 1
            if goal(s) {
                var edges: [Int] = []
                var cursor = s
                while let e = parentEdge[cursor], e >= 0 {
                    edges.append(e)
                    cursor = graph.source(of: e)
                }
                return (cursor, edges.reversed())
            }
            for e in graph.edges(of: s) where usable(e, from: s) {
                let t = graph.targets[e]
                if parentEdge[t] == nil && allowed(t) {
                    parentEdge[t] = e
                    queue.append(t)
                }
            }
        }
        return nil
    }

    /// Re-executes the pure functions along `edges`.
    @inlinable func trace(_ system: System, from start: Int32, edges: [Int], loop: Int?) -> Trace<System> {
        var trace = Trace(system, from: graph.states[Int(start)], enabledIndices: edges.map { Int(graph.actionIndex[$0]) })
        trace.loop = loop
        return trace
    }
}

extension StateGraph {
    /// The source state of edge `e` (a binary search over the rows).
    @inlinable func source(of e: Int) -> Int32 {
        var low = 0, high = rowStart.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if rowStart[mid] <= e { low = mid } else { high = mid }
        }
        return Int32(low)
    }
}

/// Tarjan's strongly connected components, iterative, over a subset of a graph's states. Only
/// components with an edge between two distinct states are returned: a single state is a cycle
/// only by stuttering, which the caller judges separately.
@usableFromInline
struct Tarjan {
    @usableFromInline var order: [Int32]
    @usableFromInline var low: [Int32]
    @usableFromInline var onStack: [Bool]

    @inlinable init(count: Int) {
        order = Array(repeating: -1, count: count)
        low = Array(repeating: 0, count: count)
        onStack = Array(repeating: false, count: count)
    }

    @inlinable mutating func components<System>(of members: [Int32], graph: StateGraph<System>, usable: (Int, Int32) -> Bool,
                                     inside: (Int32) -> Bool) -> [[Int32]] {
        for s in members { order[Int(s)] = -1 }
        var counter: Int32 = 0
        var stack: [Int32] = []
        var result: [[Int32]] = []
        var calls: [(state: Int32, next: Int)] = []
        for root in members where order[Int(root)] == -1 {
            func visit(_ v: Int32) {
                order[Int(v)] = counter
                low[Int(v)] = counter
                counter += 1
                stack.append(v)
                onStack[Int(v)] = true
                calls.append((v, graph.rowStart[Int(v)]))
            }
            visit(root)
            while let (v, position) = calls.last {
                if position < graph.rowStart[Int(v) + 1] {
                    calls[calls.count - 1].next += 1
                    let w = graph.targets[position]
                    if !usable(position, v) || !inside(w) { continue }
                    if order[Int(w)] == -1 {
                        visit(w)
                    } else if onStack[Int(w)] {
                        low[Int(v)] = min(low[Int(v)], order[Int(w)])
                    }
                } else {
                    calls.removeLast()
                    if let caller = calls.last { low[Int(caller.state)] = min(low[Int(caller.state)], low[Int(v)]) }
                    if low[Int(v)] == order[Int(v)] {
                        var component: [Int32] = []
                        while true {
                            let w = stack.removeLast()
                            onStack[Int(w)] = false
                            component.append(w)
                            if w == v { break }
                        }
                        if component.count > 1 { result.append(component) }
                    }
                }
            }
        }
        return result
    }
}
