/// The logs of a run's nodes: each node's events in the order it took them. The order between
/// nodes is what validation searches for.
public struct NodeLogs: Sendable {
    /// The nodes, in the order they first appear.
    public let nodes: [ITFValue]
    public let events: [[NodeEvent]]

    /// Groups events by node, keeping each node's events in the order they come.
    public init(_ all: [NodeEvent]) {
        var nodes: [ITFValue] = []
        var events: [[NodeEvent]] = []
        for e in all {
            if let k = nodes.firstIndex(of: e.node) {
                events[k].append(e)
            } else {
                nodes.append(e.node)
                events.append([e])
            }
        }
        self.nodes = nodes
        self.events = events
        timed = all.contains { $0.time != nil }
    }

    /// Whether any event says when it was taken (``NodeEvent/time``).
    public let timed: Bool

    public var count: Int { events.reduce(0) { $0 + $1.count } }
}

/// What a validation search may spend.
public struct ValidationOptions: Sendable {
    /// Configurations (a state and how far each node's log is taken) to visit before giving up.
    public var maxConfigurations: Int
    /// The steps no node logs that the search may insert, by action name; nil: every one the spec
    /// has. A network known not to duplicate messages is validated faster without the spec's
    /// duplication step.
    public var silentActions: Set<String>?
    public init(maxConfigurations: Int = 2_000_000, silentActions: Set<String>? = nil) {
        self.maxConfigurations = maxConfigurations
        self.silentActions = silentActions
    }
}

/// The outcome of validating nodes' logs against a spec (``TransitionSystem/validate(_:options:)``).
public struct Validation<System: TransitionSystem>: Sendable {
    public enum Verdict: String, Sendable {
        /// An interleaving of the logs is a behaviour of the spec: ``trace`` is one.
        case explained
        /// No interleaving is: ``trace`` goes as far as any does, and ``pending`` is what none can take next.
        case unexplained
        /// The search stopped at its limit before deciding.
        case undecided
    }

    public let verdict: Verdict
    /// The behaviour found: every event in order (explained), or one of the furthest prefixes.
    public let trace: Trace<System>
    /// For each step of ``trace``, the event it takes as (node, place in that node's log); nil
    /// for a step no node logs (the network's, a coordinator's).
    public let explains: [(node: Int, index: Int)?]
    /// The events in the logs.
    public let events: Int
    /// Unexplained: at the end of ``trace``, the next event of each node that has one left.
    public let pending: [NodeEvent]
    /// Why the spec does not take each pending event there, one line each.
    public let reasons: [String]
    /// Configurations visited.
    public let configurations: Int

    /// Events taken by ``trace``.
    public var taken: Int { explains.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}

/// A state of the validation search: the spec's state and how many events of each node's log are taken.
struct SearchConfiguration<State: Hashable>: Hashable {
    let state: State
    let cursors: [Int]
}

/// A configuration reached, with the step into it, so that the behaviour can be rebuilt.
struct SearchNode<State: Hashable, Action> {
    let configuration: SearchConfiguration<State>
    let parent: Int
    let action: Action?
    let explains: (node: Int, index: Int)?
}

extension TransitionSystem {
    /// Searches for an interleaving of the nodes' logs that is a behaviour of the spec: breadth
    /// first over configurations (a state and how far each node's log is taken), from every initial
    /// state. A step is either the next event of one node (an enabled action of that node with the
    /// event's name and parameters, whose successor has the event's state values) or a step that
    /// no node logs (an action of no process: the network dropping or duplicating a message),
    /// which may come anywhere. States beyond the model's bounds are not gone on from, as in `check`.
    ///
    /// Breadth first, the behaviour found is a shortest one, and the furthest prefix reported when
    /// none exists is the first found: the same logs give the same report. When no step may go
    /// unlogged (`silentActions` empty, as a cluster whose network logs its faults), every
    /// behaviour found takes one step per event, so the search goes depth first, in the same
    /// order: as short a behaviour, found without first visiting every interleaving of the nodes'
    /// independent events (which breadth first does, level by level, and which grows with every
    /// node and every logged fault).
    public func validate(_ logs: NodeLogs, options: ValidationOptions = ValidationOptions()) -> Validation<Self> {
        typealias Configuration = SearchConfiguration<State>
        typealias Node = SearchNode<State, Action>
        let variables = traceVariables
        var logOfProcess: [Int: Int?] = [:]
        func log(of process: Int) -> Int? {
            if let k = logOfProcess[process] { return k }
            let k = logs.nodes.firstIndex(of: processValue(process))
            logOfProcess[process] = k
            return k
        }
        // The network's own log, if the logs have one: the steps of no process it took (drops, copies).
        let networkLog = logs.nodes.firstIndex(of: NodeEvent.network)
        var nodes: [Node] = []
        var seen = Set<Configuration>()
        for state in initialStates {
            let c = Configuration(state: state, cursors: Array(repeating: 0, count: logs.nodes.count))
            if seen.insert(c).inserted { nodes.append(Node(configuration: c, parent: -1, action: nil, explains: nil)) }
        }
        /// The log whose next event may be `action`, a step of no process that a node takes and
        /// logs (Paxos's proposers, ``node(of:)``), when it names the action.
        func owner(_ action: Action, _ cursors: [Int]) -> Int? {
            guard let p = node(of: action), let k = log(of: p), cursors[k] < logs.events[k].count,
                  logs.events[k][cursors[k]].action == action.name else { return nil }
            return k
        }
        var furthest = 0, furthestTaken = -1, explained = 0
        var head = 0
        var actions: [Action] = []
        var verdict = Validation<Self>.Verdict.unexplained
        let depthFirst = options.silentActions?.isEmpty == true
        var stack = Array(nodes.indices.reversed())
        search: while depthFirst ? !stack.isEmpty : head < nodes.count {
            let at = depthFirst ? stack.removeLast() : head
            let current = nodes[at]
            let c = current.configuration
            let taken = c.cursors.reduce(0, +)
            if taken > furthestTaken { (furthest, furthestTaken) = (at, taken) }
            if taken == logs.count {
                verdict = .explained
                explained = at
                break
            }
            head += 1
            guard isWithinBounds(c.state) else { continue }
            actions.removeAll(keepingCapacity: true)
            // Only the steps an event can be (its process's next event, or the network's, allows
            // it: the same name and parameters), and silent steps as the options allow; tested
            // before a candidate's step is evaluated.
            enabledActions(in: c.state, into: &actions) { action in
                if let process = action.process {
                    guard let k = log(of: process), c.cursors[k] < logs.events[k].count else { return false }
                    let event = logs.events[k][c.cursors[k]]
                    return event.action == action.name && event.allows(recorded(action, from: c.state))
                }
                if let n = networkLog, c.cursors[n] < logs.events[n].count, logs.events[n][c.cursors[n]].action == action.name,
                   logs.events[n][c.cursors[n]].allows(recorded(action, from: c.state)) { return true }
                if let k = owner(action, c.cursors), logs.events[k][c.cursors[k]].allows(recorded(action, from: c.state)) { return true }
                return options.silentActions.map { $0.contains(action.name) } ?? true
            }
            /// Records a successor; false once the search has reached its limit.
            func add(_ next: State, _ cursors: [Int], _ action: Action, _ explains: (node: Int, index: Int)?) -> Bool {
                let successor = Configuration(state: next, cursors: cursors)
                guard seen.insert(successor).inserted else { return true }
                nodes.append(Node(configuration: successor, parent: at, action: action, explains: explains))
                return nodes.count < options.maxConfigurations
            }
            let firstNew = nodes.count
            defer {
                if depthFirst {
                    // The network's events first: it dropped or copied a datagram as it passed,
                    // before anyone received it, and a message it dropped late would fill the bag.
                    let new = firstNew..<nodes.count
                    let network = new.filter { networkLog != nil && nodes[$0].explains?.node == networkLog }
                    var ordered = network + new.filter { !network.contains($0) }
                    if logs.timed {
                        // Events in the order they were taken: on a shared clock, a behaviour.
                        func time(_ j: Int) -> Double { nodes[j].explains.flatMap { logs.events[$0.node][$0.index].time } ?? .infinity }
                        ordered = ordered.enumerated().sorted { (time($0.element), $0.offset) < (time($1.element), $1.offset) }.map(\.element)
                    }
                    stack += ordered.reversed()
                }
            }
            for action in actions {
                var cursors = c.cursors
                if let process = action.process {
                    guard let k = log(of: process), cursors[k] < logs.events[k].count else { continue }
                    let event = logs.events[k][cursors[k]]
                    guard event.allows(recorded(action, from: c.state)) else { continue }
                    let next = apply(action, to: c.state)
                    guard event.agrees(with: { traceValue(of: next, variable: $0) }, variables) == nil else { continue }
                    cursors[k] += 1
                    if !add(next, cursors, action, (k, cursors[k] - 1)) { verdict = .undecided; break search }
                    continue
                }
                // A step of no process: the next event of the node that takes it, or of the
                // network's log, if it names it, or a step no one logs.
                if let k = owner(action, cursors), logs.events[k][cursors[k]].allows(recorded(action, from: c.state)) {
                    let next = apply(action, to: c.state)
                    if logs.events[k][cursors[k]].agrees(with: { traceValue(of: next, variable: $0) }, variables) == nil {
                        cursors[k] += 1
                        if !add(next, cursors, action, (k, cursors[k] - 1)) { verdict = .undecided; break search }
                        cursors[k] -= 1
                    }
                }
                if let n = networkLog, cursors[n] < logs.events[n].count, logs.events[n][cursors[n]].allows(recorded(action, from: c.state)) {
                    cursors[n] += 1
                    if !add(apply(action, to: c.state), cursors, action, (n, cursors[n] - 1)) { verdict = .undecided; break search }
                    cursors[n] -= 1
                }
                if let allowed = options.silentActions, !allowed.contains(action.name) { continue }
                if !add(apply(action, to: c.state), cursors, action, nil) { verdict = .undecided; break search }
            }
        }
        var path: [Int] = []
        var k = verdict == .explained ? explained : furthest
        while k >= 0 {
            path.append(k)
            k = nodes[k].parent
        }
        path.reverse()
        var trace = Trace<Self>(initial: nodes[path[0]].configuration.state)
        for k in path.dropFirst() { trace.append(nodes[k].action!, nodes[k].configuration.state) }
        let end = nodes[path.last!].configuration
        let pending = verdict == .explained ? [] : logs.events.indices.compactMap { k in
            end.cursors[k] < logs.events[k].count ? logs.events[k][end.cursors[k]] : nil
        }
        return Validation(verdict: verdict, trace: trace, explains: path.dropFirst().map { nodes[$0].explains },
                          events: logs.count, pending: pending,
                          reasons: pending.map { reason($0, in: end.state, logs: logs, variables: variables) },
                          configurations: nodes.count)
    }

    /// Why `event` is not a step from `state`: the closest the spec comes to it.
    func reason(_ event: NodeEvent, in state: State, logs: NodeLogs, variables: [String]) -> String {
        let mine = enabledActions(in: state).filter { action in
            action.process.map { processValue($0) == event.node }
                ?? (event.node == NodeEvent.network || node(of: action).map { processValue($0) == event.node } ?? false)
        }
        let named = mine.filter { recorded($0, from: state).name == event.action }
        guard !named.isEmpty else {
            let others = Set(mine.map(\.name)).sorted()
            return "\(event.node.text) has no \(event.action) step enabled here"
                + (others.isEmpty ? "" : " (it could take: \(others.joined(separator: ", ")))")
        }
        let matching = named.filter { event.allows(recorded($0, from: state)) }
        guard let action = matching.first else {
            return "no enabled \(event.action) of \(event.node.text) has these parameters; enabled: "
                + named.prefix(3).map(\.description).joined(separator: "; ") + (named.count > 3 ? "; …" : "")
        }
        let next = apply(action, to: state)
        if let difference = event.agrees(with: traceValues(of: next), variables) {
            return "after \(action), \(difference)"
        }
        return "\(action) leaves the model's bounds (give larger bounds with --set)"
    }
}

extension NodeEvent {
    /// The action, as traces record it (``TransitionSystem/recorded(_:from:)``), is this event's:
    /// same name, and every parameter the event gives has the action's value.
    @inlinable func allows(_ action: any TraceableAction) -> Bool {
        guard action.name == self.action else { return false }
        if parameters.isEmpty { return true }
        let given = action.parameters
        return parameters.allSatisfy { p in given.contains { $0.0 == p.name && $0.1 == p.value } }
    }

    /// Nil when the state after the step has the values the event gives; otherwise the first
    /// difference, in words.
    func agrees(with values: [ITFValue], _ variables: [String]) -> String? { agrees(with: { values[$0] }, variables) }

    /// The same, reading only the variables the event gives (variable k's value is `value(k)`).
    func agrees(with value: (Int) -> ITFValue, _ variables: [String]) -> String? {
        for field in state {
            guard let k = variables.firstIndex(of: field.name) else {
                return "the spec has no variable \(field.name)"
            }
            var value = value(k)
            if case .map(let pairs) = value, let mine = pairs.first(where: { $0.key == node }) { value = mine.value }
            if value != field.value {
                return "the spec gives \(field.name) = \(value.text), the log \(field.value.text)"
            }
        }
        return nil
    }
}

extension TransitionSystem {
    /// The logs a behaviour's nodes would write: each step of a process, in order, in that
    /// process's log, with the process's values of `stateVariables` after it. Steps of no
    /// process are not logged.
    public func nodeLogs(of trace: Trace<Self>, stateVariables: [String] = []) -> [NodeEvent] {
        let variables = traceVariables
        return trace.steps.compactMap { step in
            guard let process = step.action.process else { return nil }
            let node = processValue(process)
            let values = traceValues(of: step.state)
            let state: [(String, ITFValue)] = stateVariables.compactMap { name in
                guard let k = variables.firstIndex(of: name) else { return nil }
                if case .map(let pairs) = values[k], let mine = pairs.first(where: { $0.key == node }) { return (name, mine.value) }
                return (name, values[k])
            }
            return NodeEvent(node: node, action: step.action.name, parameters: step.action.parameters, state: state)
        }
    }
}

extension TransitionSystem {
    /// The behaviour a trace file records, rebuilt from its actions after it replays (``replay(_:)``
    /// checks every step): what `quorum node-logs` projects onto the nodes' logs.
    public func trace(of document: TraceDocument) throws -> Trace<Self> {
        _ = try replay(document)
        guard document.induction == nil,
              let initial = initialStates.first(where: { traceValues(of: $0) == document.steps[0].values }) else {
            throw ReplayError("the trace does not start in an initial state, so it is no run of the nodes")
        }
        var trace = Trace<Self>(initial: initial)
        for step in document.steps.dropFirst() {
            guard let action = enabledActions(in: trace.last).first(where: { $0.name == step.action && Self.picks(of: $0) == step.picks }) else {
                throw ReplayError("step \(trace.length + 1) is not enabled")
            }
            trace.append(action, apply(action, to: trace.last))
        }
        return trace
    }
}

/// A validation's outcome free of the system's types, for the command line.
public struct LogValidationReport: Sendable {
    public let verdict: String
    /// The behaviour found (explained) or the furthest prefix (otherwise), as a trace file.
    public let document: TraceDocument
    /// For each step of the document after its initial state, the event it takes (nil: a step no node logs).
    public let explains: [(node: Int, index: Int)?]
    public let events: Int
    public let taken: Int
    public let pending: [NodeEvent]
    public let reasons: [String]
    public let configurations: Int
    /// The invariants that fail in some state of the behaviour found, each with the first such state.
    public let violated: [(property: String, state: Int)]

    public init<System: TransitionSystem>(_ v: Validation<System>, system: System, spec: String, variant: String?,
                                          parameters: [(String, Int)]) {
        verdict = v.verdict.rawValue
        document = TraceDocument(v.trace, of: system, spec: spec, variant: variant, parameters: parameters, property: nil, kind: nil)
        explains = v.explains
        events = v.events
        taken = v.taken
        pending = v.pending
        reasons = v.reasons
        configurations = v.configurations
        let states = v.trace.states
        violated = system.invariants.compactMap { invariant in
            states.firstIndex { !invariant.holds($0) }.map { (invariant.name, $0) }
        }
    }
}
