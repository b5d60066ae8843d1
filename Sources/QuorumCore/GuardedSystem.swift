/// One step of an action under construction, in some ``Logic``: it reads the state before (`now`,
/// or subscripting the step itself) and records what the action assigns. Every slot the action
/// does not assign keeps its value, so UNCHANGED comes from the declaration, not from the action.
public struct Step<L: Logic, State: DeclaredState> {
    public let now: StateTerms<L, State>
    /// The assignments so far, in the order made (a later one to the same slot wins): a list, not
    /// a row of the state's width, since a step assigns a few slots of a state that may have
    /// thousands (a slot per possible message), and a guard that fails allocates nothing.
    @usableFromInline var changes: [(slot: Int, value: L.Integer)]

    @inlinable public init(_ now: StateTerms<L, State>) {
        self.now = now
        changes = []
    }

    /// The assigned value of each slot; nil for "unchanged".
    @inlinable public var assigned: [L.Integer?] {
        var out = [L.Integer?](repeating: nil, count: now.slots.count)
        for change in changes { out[change.slot] = change.value }
        return out
    }

    @inlinable public subscript<V: SlotValue>(_ path: KeyPath<State, V>) -> Slots<L, V> { now[path] }

    /// The slots after the step: assigned or unchanged.
    @inlinable public var next: [L.Integer] {
        var out = now.slots
        for change in changes { out[change.slot] = change.value }
        return out
    }

    /// Slot `k`'s value after the assignments so far.
    @inlinable func current(_ k: Int) -> L.Integer {
        for change in changes.reversed() where change.slot == k { return change.value }
        return now.slots[k]
    }

    @inlinable mutating func assign(_ k: Int, _ value: L.Integer) {
        changes.append((k, value))
    }

    @inlinable mutating func assign(_ range: Range<Int>, _ values: [L.Integer]) {
        for (k, x) in zip(range, values) { changes.append((k, x)) }
    }

    /// `x' = value`.
    @inlinable public mutating func set<V: SlotValue>(_ path: KeyPath<State, V>, _ value: V) {
        assign(now.layout.span(path), Slots<L, V>.constant(value, now.processes))
    }

    /// `x' = y`, for a value read from the state.
    @inlinable public mutating func set<V: SlotValue>(_ path: KeyPath<State, V>, _ value: Slots<L, V>) {
        assign(now.layout.span(path), Array(value.terms))
    }

    /// `f' = [f EXCEPT ![i] = value]`.
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, [E]>, _ i: Int, _ value: E) {
        assign(now[path][i].terms.indices, Slots<L, E>.constant(value, now.processes))
    }

    /// `S' = S \cup {element}`.
    @inlinable public mutating func insert<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E) {
        setMember(path, element, 1)
    }

    /// `S' = IF condition THEN S \cup {element} ELSE S`: a message whose fields are read from
    /// the state is sent by one such insertion per value the fields may take.
    @inlinable public mutating func insert<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E, if condition: Formula<L>) {
        if L.isFalse(condition.value) { return }
        setMember(now.layout.span(path).lowerBound, element) { L.ifThenElse(condition.value, L.literal(1), $0) }
    }

    /// `f' = [f EXCEPT ![i].field = value]`, for a record per process whose field is slot `k` of
    /// its value (a type that spreads a record over slots names its fields' slots).
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, [E]>, _ i: Int, slot k: Int, to value: Term<L>) {
        let terms = now[path][i].terms
        precondition(k < terms.count, "\(E.self) has no slot \(k)")
        assign(terms.startIndex + k, value.value)
    }

    /// Slot `k` of the variable at `path` becomes `value`: one field of a value held in several
    /// slots (a set's member, a record's field), computed in the step.
    @inlinable public mutating func set<V: SlotValue>(_ path: KeyPath<State, V>, slot k: Int, to value: Term<L>) {
        let span = now.layout.span(path)
        precondition(k < span.count, "\(V.self) has no slot \(k)")
        assign(span.lowerBound + k, value.value)
    }

    /// `S' = S \ {element}`.
    @inlinable public mutating func remove<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E) {
        setMember(path, element, 0)
    }

    /// `f' = [f EXCEPT ![i] = value]`, for a value of one slot computed in the step (a count).
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, [E]>, _ i: Int, to value: Term<L>) {
        let terms = now[path][i].terms
        precondition(terms.count == 1, "\(E.self) is not held in one slot")
        assign(terms.startIndex, value.value)
    }

    /// `x' = value`, for a variable of one slot and a value computed in the step (a count).
    @inlinable public mutating func set<V: SlotValue>(_ path: KeyPath<State, V>, to value: Term<L>) {
        let span = now.layout.span(path)
        precondition(span.count == 1, "\(V.self) is not held in one slot")
        assign(span.lowerBound, value.value)
    }

    /// `f' = [f EXCEPT ![i] = f[i] \cup {element}]`.
    @inlinable public mutating func insert<E: Enumerable & TraceValue & Comparable>(_ path: KeyPath<State, [Set<E>]>, _ i: Int, _ element: E) {
        setMember(now[path][i].terms.startIndex, element, 1)
    }

    @inlinable mutating func setMember<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E, _ bit: Int) {
        setMember(now.layout.span(path).lowerBound, element, bit)
    }

    @inlinable mutating func setMember<E: Enumerable>(_ start: Int, _ element: E, _ bit: Int) {
        setMember(start, element) { _ in L.literal(bit) }
    }

    /// The slot of `element` in the set starting at `start` becomes `value(its value so far)`.
    @inlinable mutating func setMember<E: Enumerable>(_ start: Int, _ element: E, _ value: (L.Integer) -> L.Integer) {
        guard let k = element.position(now.processes) else {
            preconditionFailure("\(element) is not in the universe of \(E.self)")
        }
        assign(start + k, value(current(start + k)))
    }
}

/// A named invariant in some ``Logic``, with its named conjuncts (for `quorum prove --drop`).
///
/// An invariant `from` a named condition is claimed only of the behaviours that start where the
/// condition holds (TLA+'s `Init ∧ C ⇒ □P`): a ``ConditionedInvariant``.
public struct StateProperty<L: Logic> {
    public let name: String
    public let summary: String
    public let conjuncts: [(name: String, formula: Formula<L>)]
    public let condition: (name: String, formula: Formula<L>)?
    /// False for a property checked only when named (a proof's strengthening, which a mutant may
    /// break before the property it serves): see ``onRequest()``.
    public private(set) var byDefault = true

    @inlinable public init(_ name: String, _ summary: String, from condition: (name: String, formula: Formula<L>)? = nil,
                           _ formula: Formula<L>) {
        self.init(name, summary, from: condition, conjuncts: [(name, formula)])
    }

    @inlinable public init(_ name: String, _ summary: String, from condition: (name: String, formula: Formula<L>)? = nil,
                           conjuncts: [(name: String, formula: Formula<L>)]) {
        self.name = name
        self.summary = summary
        self.conjuncts = conjuncts
        self.condition = condition
    }

    @inlinable public var formula: Formula<L> { conjuncts.reduce(Formula(true)) { $0 && $1.formula } }

    /// The same property, checked by the explorer only when named.
    public func onRequest() -> StateProperty {
        var p = self
        p.byDefault = false
        return p
    }
}

/// A protocol written once: its variables declared (``DeclaredState``), its actions guarded
/// assignments over them and its invariants formulas, both generic over ``Logic``.
///
/// The explorer and the simulator run the concrete interpretation, derived here
/// (`enabledActions`, `apply`, `invariants`); the symbolic engines (QuorumZ3's `DerivedEncoding`)
/// interpret the same `step` and `properties` over solver terms, so that `prove`, `bmc` and
/// `conform` run on the spec with no encoding written by hand.
public protocol GuardedSystem: DeclaredSystem {
    /// Every instance of every action, one per witness of its existentials (as TLC enumerates
    /// them), in the order `enabledActions` lists the enabled ones.
    var actionInstances: [Action] { get }

    /// The instances worth trying in `state`, in the order of ``actionInstances``: by default
    /// all of them. A spec whose existentials range over sets that depend on the state (TLA+'s
    /// `\E m \in SUBSET sent`) may list only the witnesses the state offers, as TLC enumerates
    /// them; it must leave out no instance whose guard holds. The symbolic engines use every instance.
    func candidateInstances(in state: State, into candidates: inout [Action])

    /// The guard of `action` on `step.now`; its effect is recorded in `step`.
    func step<L: Logic>(_ action: Action, _ step: inout Step<L, State>) -> Formula<L>

    /// The spec's invariants, in the order they are checked.
    func properties<L: Logic>(of s: StateTerms<L, State>) -> [StateProperty<L>]

    /// What the variables' types allow beyond each slot's range (TLA+'s TypeOK where a slot's
    /// range is not the whole story, such as a log no longer than the model's bound): part of the
    /// symbolic engines' domain, and checked on every state read from a trace. True by default.
    func typeConstraint<L: Logic>(_ s: StateTerms<L, State>) -> Formula<L>
}

extension GuardedSystem {
    @inlinable public var layout: SlotLayout<State> { SlotLayout.shared(processNames) }

    @inlinable public func typeConstraint<L: Logic>(_ s: StateTerms<L, State>) -> Formula<L> { Formula(true) }

    /// A state read from a trace is one of the types: each variable's, and ``typeConstraint(_:)``.
    public func state(fromTraceValues values: [ITFValue]) -> State? {
        guard let state = readState(fromTraceValues: values),
              typeConstraint(StateTerms<Concrete, State>(state, layout: layout)).value else { return nil }
        return state
    }

    @inlinable public func candidateInstances(in state: State, into candidates: inout [Action]) {
        candidates += actionInstances
    }

    @inlinable public func enabledActions(in state: State, into actions: inout [Action]) {
        derivedEnabledActions(in: state, into: &actions)
    }

    @inlinable public func apply(_ action: Action, to state: State) -> State { derivedApply(action, to: state) }

    /// The enabled actions as the description defines them: the candidates whose guard holds. A
    /// spec may run faster code of its own, checked against this in its tests.
    @inlinable public func derivedEnabledActions(in state: State, into actions: inout [Action]) {
        let now = StateTerms<Concrete, State>(state, layout: layout)
        var candidates: [Action] = []
        candidateInstances(in: state, into: &candidates)
        for action in candidates {
            var s = Step(now)
            if step(action, &s).value { actions.append(action) }
        }
    }

    @inlinable public func enabledActions(in state: State, into actions: inout [Action], where include: (Action) -> Bool) {
        let now = StateTerms<Concrete, State>(state, layout: layout)
        var candidates: [Action] = []
        candidateInstances(in: state, into: &candidates)
        for action in candidates where include(action) {
            var s = Step(now)
            if step(action, &s).value { actions.append(action) }
        }
    }

    /// Each enabled action and its successor from one evaluation of its step: the state's slots
    /// are written once for all candidates, and an action's guard and assignments once for both.
    @inlinable public func forEachSuccessor(of state: State, actions: inout [Action], _ body: (Int, Action, State) -> Void) {
        actions.removeAll(keepingCapacity: true)
        let layout = layout
        let now = StateTerms<Concrete, State>(state, layout: layout)
        var candidates: [Action] = []
        candidateInstances(in: state, into: &candidates)
        for action in candidates {
            var s = Step(now)
            guard step(action, &s).value else { continue }
            actions.append(action)
            body(actions.count - 1, action, successor(of: state, s, layout))
        }
    }

    /// The same successors, each written over the explorer's memory.
    @inlinable public func forEachSuccessor(of state: State, actions: inout [Action], into successor: UnsafeMutablePointer<State>,
                                            _ body: (Int, Action, UnsafeMutablePointer<State>) -> UnsafeMutablePointer<State>) {
        var target = successor
        forEachSuccessor(of: state, actions: &actions) { k, action, next in
            target.pointee = next
            target = body(k, action, target)
        }
    }

    /// The successor as the description defines it: the step's assignments over `state`.
    @inlinable public func derivedApply(_ action: Action, to state: State) -> State {
        let layout = layout
        var s = Step(StateTerms<Concrete, State>(state, layout: layout))
        _ = step(action, &s)
        return successor(of: state, s, layout)
    }

    /// `state` with the assignments `step` recorded: each variable that owns an assigned slot
    /// takes its changes (a set inserts and removes members; other values read their slots back).
    @inlinable func successor(of state: State, _ step: Step<Concrete, State>, _ layout: SlotLayout<State>) -> State {
        layout.state(step.now.slots, changes: step.changes, from: state)
    }

    @inlinable public func isWithinBounds(_ state: State) -> Bool { true }

    /// The names of ``actionInstances``, each once, in their order.
    public var actionNames: [String] {
        var seen = Set<String>()
        return actionInstances.map(\.name).filter { seen.insert($0).inserted }
    }

    /// Each property claimed from every initial state, evaluated on concrete states, its
    /// conjuncts kept apart for `--drop`.
    @inlinable public var invariants: [Invariant<State>] {
        let described = properties(of: StateTerms<Concrete, State>(blank, layout: layout))
        return described.indices.filter { described[$0].condition == nil }.map { concreteInvariant($0, described[$0]) }
    }

    /// Each property claimed from the initial states that satisfy its condition.
    @inlinable public var conditionedInvariants: [ConditionedInvariant<State>] {
        let layout = layout
        let described = properties(of: StateTerms<Concrete, State>(blank, layout: layout))
        return described.indices.compactMap { k in
            guard let condition = described[k].condition else { return nil }
            return ConditionedInvariant(concreteInvariant(k, described[k]), condition: condition.name, byDefault: described[k].byDefault) {
                self.properties(of: StateTerms($0, layout: layout))[k].condition!.formula.value
            }
        }
    }

    /// The conditioned invariants as the temporal properties `C ⇒ []P`; a spec with temporal
    /// properties of its own lists these first.
    @inlinable public var temporalProperties: [TemporalProperty<State, Action>] { conditionedInvariants.map { $0.always() } }

    /// Property `k`, whose description is `property`, on concrete states.
    @inlinable func concreteInvariant(_ k: Int, _ property: StateProperty<Concrete>) -> Invariant<State> {
        let layout = layout
        let names = property.conjuncts.map(\.name)
        let conjuncts: [(name: String, holds: @Sendable (State) -> Bool)] = names.count < 2 ? [] : names.indices.map { j in
            (names[j], { self.properties(of: StateTerms($0, layout: layout))[k].conjuncts[j].formula.value })
        }
        return Invariant(property.name, property.summary, conjuncts: conjuncts) {
            self.properties(of: StateTerms($0, layout: layout))[k].formula.value
        }
    }
}
