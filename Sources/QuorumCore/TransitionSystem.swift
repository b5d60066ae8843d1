/// A protocol as plain data and pure functions: the contract every spec under `Specs/` fulfils.
///
/// Nothing here performs I/O or reads a clock: given the same state, `enabledActions` lists the same
/// actions in the same order and `apply` computes the same successor, which is what makes traces
/// replayable and results identical from run to run.
public protocol TransitionSystem: Sendable {
    associatedtype State: Hashable & Codable & Sendable & Fingerprintable
    associatedtype Action: Hashable & Codable & Sendable & TraceableAction

    /// The initial states, in a fixed order.
    var initialStates: [State] { get }

    /// Appends the actions enabled in `state`, in a deterministic order. An action appears once for
    /// every witness of the existentials in its definition (as TLC enumerates them), so that the
    /// number of states generated can be compared with TLC's.
    func enabledActions(in state: State, into actions: inout [Action])

    /// The enabled actions for which `include` holds, in the same order. Validation asks only
    /// for the steps the logs' next events can be, and a cluster's node only for its own: a
    /// guarded system tests `include` before it evaluates a candidate's step.
    func enabledActions(in state: State, into actions: inout [Action], where include: (Action) -> Bool)

    /// The successor of `state` under `action`. Only called with an action enabled in `state`.
    func apply(_ action: Action, to state: State) -> State

    /// Each action enabled in `state` with its successor, in the order of `enabledActions`:
    /// `body` gets the action's index among them, the action and the successor, and `actions`
    /// holds them all afterwards. What the explorer asks of every state. By default
    /// `enabledActions`, then `apply` to each; a ``GuardedSystem`` evaluates each action once for
    /// both (a spec written once that overrides `enabledActions` and `apply` with faster code of
    /// its own overrides this too, or its successors are the description's).
    func forEachSuccessor(of state: State, actions: inout [Action], _ body: (Int, Action, State) -> Void)

    /// ``forEachSuccessor(of:actions:_:)`` with each successor written over a state in memory the
    /// explorer owns, before `body` reads it there: the first at `successor`, each next one where
    /// `body` returned. A successor handed over as a value was copied for every call that took it
    /// (a Raft state is 250 bytes, and a model generates millions); through the pointer, the
    /// explorer's fingerprint, bounds and frame read the one copy in place, and it keeps a
    /// successor whose lookup it has put off by writing the next one elsewhere. By default
    /// `enabledActions`, then for each action the state copied there and
    /// ``apply(_:to:changing:)`` over the copy; a system that overrides
    /// ``forEachSuccessor(of:actions:_:)`` overrides this too (``GuardedSystem`` does).
    func forEachSuccessor(of state: State, actions: inout [Action], into successor: UnsafeMutablePointer<State>,
                          _ body: (Int, Action, UnsafeMutablePointer<State>) -> UnsafeMutablePointer<State>)

    /// `action`'s successor of `state`, written over `successor`, a copy of `state`: what
    /// ``forEachSuccessor(of:actions:into:_:)`` asks for each action by default. By default
    /// ``apply(_:to:)``'s successor assigned; a spec whose `apply` can change the copy in place
    /// implements this, and its `apply(_:to:)` with it, so that there is one body (Raft, Paxos).
    func apply(_ action: Action, to state: State, changing successor: inout State)

    /// The state constraint (TLC's CONSTRAINT): a successor outside the bounds is generated and
    /// checked, but neither stored nor explored further.
    func isWithinBounds(_ state: State) -> Bool

    /// ``isWithinBounds(_:)`` of a successor whose parent is within the bounds, given what the
    /// step changed (``changedVariables(between:and:by:)``, or every variable): a constraint
    /// on variables the step left alone holds as it did for the parent. What the explorer asks
    /// of every successor, whose parents all lie within the bounds. By default
    /// ``isWithinBounds(_:)``; a spec whose constraint reads several variables checks only
    /// those that changed (Raft: a `Restart` changes none of its terms, logs and messages).
    func isWithinBounds(_ state: State, changed: VariableSet) -> Bool

    var invariants: [Invariant<State>] { get }
    var actionProperties: [ActionProperty<State, Action>] { get }
    /// Properties of behaviours (liveness, and safety from a given start), checked over the state
    /// graph by ``TemporalChecker``.
    var temporalProperties: [TemporalProperty<State, Action>] { get }
    /// Invariants claimed only from the initial states that satisfy a condition; each is also
    /// one of ``temporalProperties`` (its ``ConditionedInvariant/always()``).
    var conditionedInvariants: [ConditionedInvariant<State>] { get }

    /// Whether the spec declares symmetries (interchangeable servers, values…) for `--symmetry`.
    var hasSymmetry: Bool { get }

    /// How a state is written as bytes and read back, where the explorer's queues spill to disk
    /// (`--memory`) and where ranks send states to each other (`--distributed`): by default its
    /// memory when it holds no references, else its JSON; a ``GuardedSystem`` writes the slots
    /// where it differs from its blank state.
    var stateBytes: StateBytes<State> { get }

    /// Calls `body` with every state equivalent to `state` under the spec's symmetries, `state`
    /// included. With symmetry reduction the explorer stores one fingerprint per class: the
    /// smallest fingerprint among these.
    func forEachSymmetricImage(of state: State, _ body: (State) -> Void)

    /// Figures of a state worth reporting as "how deep did the runs go" (for Raft: the highest
    /// term, the longest log, the highest commit index). The same names in the same order for
    /// every state.
    func metrics(of state: State) -> [(String, Int)]

    /// The name of every action, in the order a coverage report lists them, so that it can name
    /// the actions that never fired; empty when the spec does not say (the report then lists the
    /// actions that fired, in the order they first did).
    var actionNames: [String] { get }

    /// The variables (bit k for variable k, numbered as the spec's invariants record their reads)
    /// whose values differ between two states. By default every variable, which makes the
    /// simulator evaluate every invariant after every step.
    func changedVariables(from before: State, to after: State) -> VariableSet

    /// ``changedVariables(from:to:)`` of the states at two addresses, read where they lie: the
    /// explorer asks it of every successor it generates, and as values both states were loaded
    /// whole. By default the value version.
    func changedVariables(between before: UnsafePointer<State>, and after: UnsafePointer<State>) -> VariableSet

    /// ``changedVariables(between:and:)`` of a successor and its parent by `action`, what the
    /// explorer asks of every successor: a spec that knows which variables an action can write
    /// compares only those, as the others were copied from the parent (Raft's most frequent
    /// actions write a fifth of its state). By default the full comparison; a spec that narrows
    /// it tests the two equal on its reachable states.
    func changedVariables(between before: UnsafePointer<State>, and after: UnsafePointer<State>, by action: Action) -> VariableSet

    /// The variable (an index of ``traceVariables``) that a bit of ``VariableSet`` beyond the
    /// variables stands for a part of (Raft's granted votes in flight, bit 32, are part of
    /// `messages`), so that an explanation of a violation names the variable; nil (the default)
    /// for a bit that stands for none.
    func variable(ofPart bit: Int) -> Int?

    /// The names of the state variables, in the order in which traces list them.
    var traceVariables: [String] { get }
    /// The value of each variable of ``traceVariables``, for trace files (ITF).
    func traceValues(of state: State) -> [ITFValue]
    /// The value of variable `k` of ``traceVariables``, the k-th of ``traceValues(of:)``, without
    /// the others (validation compares a node's own variables and skips the network's).
    func traceValue(of state: State, variable k: Int) -> ITFValue
    /// `state` with variable `k` of ``traceVariables`` read from `value`; nil when `value` is not
    /// a value of it. A cluster's node reads back only its message variable after each step.
    func state(_ state: State, with value: ITFValue, forVariable k: Int) -> State?

    /// The state whose ``traceValues(of:)`` are `values`, or nil when they describe none. Replaying
    /// a counterexample to induction needs it: such a trace starts in a state that need not be
    /// reachable, so it cannot be found among the initial states.
    func state(fromTraceValues values: [ITFValue]) -> State?

    /// Process `i` (an action's ``TraceableAction/process``) as traces and node logs name it:
    /// "s1" for Raft's first server. By default "p1", "p2", …; a spec with declared variables
    /// names its processes as its ``ProcessNames`` do.
    func processValue(_ i: Int) -> ITFValue
    /// How many processes the model has (processes are 0..<count), or nil where the spec does not
    /// say: `quorum validate` refuses logs of other nodes.
    var processCount: Int? { get }

    /// The node of a running cluster that takes `action` (``NodeMachine``): by default the
    /// action's process. A spec whose actions of no process belong to some node says which (Paxos's
    /// proposer actions go to the node that owns the ballot); nil: no node takes it.
    func node(of action: Action) -> Int?

    /// The variable that holds the messages in flight as a set that only grows (Paxos's and
    /// TwoPhaseCommit's `msgs`): what the nodes of a running cluster exchange. Nil (the default)
    /// for a spec that cannot run as a cluster.
    var messageVariable: String? { get }

    /// `action` as traces record it when taken from `state`: by default the action itself. A
    /// description whose instances name where a message sits rather than the message (Raft's
    /// `Receive` at a place of the bag) records the spec's own action, so that its traces (bmc's,
    /// for one) replay on the spec's faster functions. It keeps the action's ``TraceableAction/name``
    /// (validation picks candidates for a log's next event by name before it evaluates them).
    func recorded(_ action: Action, from state: State) -> any TraceableAction

    /// For a spec of single-decree agreement (Paxos), the value `state` shows decided, as a
    /// trace writes it; nil when none is, or the spec decides no value (the default). A cluster
    /// runs such a spec once per slot of a replicated log (``SlotAgreement``), and a node reads
    /// a slot's outcome here, from the spec's own definition of chosen.
    func decision(in state: State) -> ITFValue?
}

extension TransitionSystem {
    @inlinable public func forEachSuccessor(of state: State, actions: inout [Action], _ body: (Int, Action, State) -> Void) {
        actions.removeAll(keepingCapacity: true)
        enabledActions(in: state, into: &actions)
        for k in actions.indices { body(k, actions[k], apply(actions[k], to: state)) }
    }

    /// Inlinable, so that the explorer's loop body is inlined into it where it is specialised: out
    /// of line, its closure was a call per successor (on Paxos that cost more than writing in
    /// place saved).
    @inlinable public func forEachSuccessor(of state: State, actions: inout [Action], into successor: UnsafeMutablePointer<State>,
                                            _ body: (Int, Action, UnsafeMutablePointer<State>) -> UnsafeMutablePointer<State>) {
        actions.removeAll(keepingCapacity: true)
        enabledActions(in: state, into: &actions)
        var target = successor
        for k in actions.indices {
            target.pointee = state
            apply(actions[k], to: state, changing: &target.pointee)
            target = body(k, actions[k], target)
        }
    }

    /// The same, every successor written at `successor`.
    @inlinable public func forEachSuccessor(of state: State, actions: inout [Action], into successor: UnsafeMutablePointer<State>,
                                            _ body: (Int, Action) -> Void) {
        forEachSuccessor(of: state, actions: &actions, into: successor) { k, action, at in
            body(k, action)
            return at
        }
    }

    @inlinable public func apply(_ action: Action, to state: State, changing successor: inout State) {
        successor = apply(action, to: state)
    }

    @inlinable public func isWithinBounds(_ state: State, changed: VariableSet) -> Bool { isWithinBounds(state) }

    public func enabledActions(in state: State, into actions: inout [Action], where include: (Action) -> Bool) {
        let first = actions.count
        enabledActions(in: state, into: &actions)
        var kept = first
        for k in first..<actions.count where include(actions[k]) {
            actions.swapAt(kept, k)
            kept += 1
        }
        actions.removeSubrange(kept...)
    }

    public func traceValue(of state: State, variable k: Int) -> ITFValue { traceValues(of: state)[k] }

    public func variable(ofPart bit: Int) -> Int? { nil }

    public func state(_ state: State, with value: ITFValue, forVariable k: Int) -> State? {
        var values = traceValues(of: state)
        guard values.indices.contains(k) else { return nil }
        values[k] = value
        return self.state(fromTraceValues: values)
    }

    public func enabledActions(in state: State) -> [Action] {
        var actions: [Action] = []
        enabledActions(in: state, into: &actions)
        return actions
    }

    public var actionProperties: [ActionProperty<State, Action>] { [] }

    public func recorded(_ action: Action, from state: State) -> any TraceableAction { action }

    public func decision(in state: State) -> ITFValue? { nil }

    public var temporalProperties: [TemporalProperty<State, Action>] { [] }

    public var conditionedInvariants: [ConditionedInvariant<State>] { [] }

    public func state(fromTraceValues values: [ITFValue]) -> State? { nil }

    public var hasSymmetry: Bool { false }

    public var stateBytes: StateBytes<State> { .standard }

    public func processValue(_ i: Int) -> ITFValue { .string("p\(i + 1)") }

    public var processCount: Int? { nil }

    public func node(of action: Action) -> Int? { action.process }

    public var messageVariable: String? { nil }

    public func metrics(of state: State) -> [(String, Int)] { [] }

    public var actionNames: [String] { [] }

    public func changedVariables(from before: State, to after: State) -> VariableSet { .max }

    @inlinable public func changedVariables(between before: UnsafePointer<State>, and after: UnsafePointer<State>) -> VariableSet {
        changedVariables(from: before.pointee, to: after.pointee)
    }

    @inlinable public func changedVariables(between before: UnsafePointer<State>, and after: UnsafePointer<State>,
                                            by action: Action) -> VariableSet {
        changedVariables(between: before, and: after)
    }

    public func forEachSymmetricImage(of state: State, _ body: (State) -> Void) { body(state) }

    /// The fingerprint of `state`'s symmetry class: the smallest fingerprint of its images, mixed
    /// again, since the smallest of several hashes has its high bits biased towards zero and the
    /// visited set places fingerprints by their high bits.
    @inlinable public func symmetricFingerprint(_ state: State) -> UInt64 {
        var smallest = UInt64.max
        forEachSymmetricImage(of: state) { smallest = min(smallest, $0.fingerprint) }
        return Fingerprinter.mix(smallest)
    }
}

/// All permutations of `0..<n`, the identity first, in a fixed order.
public func permutations(of n: Int) -> [[Int]] {
    guard n > 0 else { return [[]] }
    var result: [[Int]] = []
    func extend(_ prefix: [Int], _ rest: [Int]) {
        if rest.isEmpty { result.append(prefix); return }
        for (k, x) in rest.enumerated() {
            var remaining = rest
            remaining.remove(at: k)
            extend(prefix + [x], remaining)
        }
    }
    extend([], Array(0..<n))
    return result
}

/// What a trace records about an action: its name and its parameters, following Quint's
/// model-based-testing convention (`mbt::actionTaken`, `mbt::nondetPicks`).
public protocol TraceableAction: CustomStringConvertible {
    var name: String { get }
    var parameters: [(String, ITFValue)] { get }
    /// A small number per kind of action (the enum case), which the simulator uses to weigh kinds
    /// without comparing names; by default derived from `name`.
    var kind: Int { get }
    /// For an action that delivers a message between two processes, the sender and the receiver
    /// (process indices, below 64): the simulator's network partitions hold such deliveries back.
    /// Nil for every other action (the default).
    var link: (from: Int, to: Int)? { get }
    /// The process (server, acceptor, station) whose step this is, or nil for a step of the
    /// network or the environment. The simulator's shrinker tries dropping a process's steps.
    var process: Int? { get }
}

extension TraceableAction {
    public var link: (from: Int, to: Int)? { nil }

    public var process: Int? { link?.to }

    public var kind: Int {
        var f = SeedHasher()
        for byte in name.utf8 { f.combine(UInt64(byte)) }
        return Int(truncatingIfNeeded: f.value >> 1)
    }
}
