/// One step of an action under construction, in some ``Logic``: it reads the state before (`now`,
/// or subscripting the step itself) and records what the action assigns. Every slot the action
/// does not assign keeps its value, so UNCHANGED comes from the declaration, not from the action.
public struct Step<L: Logic, State: DeclaredState> {
    public let now: StateTerms<L, State>
    /// The assigned value of each slot; nil for "unchanged".
    @inlinable public var assigned: [L.Integer?] { storage }
    @usableFromInline var storage: [L.Integer?]

    @inlinable public init(_ now: StateTerms<L, State>) {
        self.now = now
        storage = Array(repeating: nil, count: now.slots.count)
    }

    @inlinable public subscript<V: SlotValue>(_ path: KeyPath<State, V>) -> Slots<L, V> { now[path] }

    /// The slots after the step: assigned or unchanged.
    @inlinable public var next: [L.Integer] { zip(assigned, now.slots).map { $0 ?? $1 } }

    @inlinable mutating func assign(_ range: Range<Int>, _ values: [L.Integer]) {
        for (k, x) in zip(range, values) { storage[k] = x }
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

    /// `S' = S \ {element}`.
    @inlinable public mutating func remove<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E) {
        setMember(path, element, 0)
    }

    @inlinable mutating func setMember<E: Enumerable>(_ path: KeyPath<State, Set<E>>, _ element: E, _ bit: Int) {
        let span = now.layout.span(path)
        guard let k = E.all(now.processes).firstIndex(of: element) else {
            preconditionFailure("\(element) is not in the universe of \(path)")
        }
        storage[span.lowerBound + k] = L.literal(bit)
    }
}

/// A named invariant in some ``Logic``, with its named conjuncts (for `quorum prove --drop`).
public struct StateProperty<L: Logic> {
    public let name: String
    public let summary: String
    public let conjuncts: [(name: String, formula: Formula<L>)]

    @inlinable public init(_ name: String, _ summary: String, _ formula: Formula<L>) {
        self.init(name, summary, conjuncts: [(name, formula)])
    }

    @inlinable public init(_ name: String, _ summary: String, conjuncts: [(name: String, formula: Formula<L>)]) {
        self.name = name
        self.summary = summary
        self.conjuncts = conjuncts
    }

    @inlinable public var formula: Formula<L> { conjuncts.reduce(Formula(true)) { $0 && $1.formula } }
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

    /// The guard of `action` on `step.now`; its effect is recorded in `step`.
    func step<L: Logic>(_ action: Action, _ step: inout Step<L, State>) -> Formula<L>

    /// The spec's invariants, in the order they are checked.
    func properties<L: Logic>(of s: StateTerms<L, State>) -> [StateProperty<L>]
}

extension GuardedSystem {
    @inlinable public var layout: SlotLayout<State> { SlotLayout.shared(processNames) }

    @inlinable public func enabledActions(in state: State, into actions: inout [Action]) {
        let now = StateTerms<Concrete, State>(state, layout: layout)
        for action in actionInstances {
            var s = Step(now)
            if step(action, &s).value { actions.append(action) }
        }
    }

    @inlinable public func apply(_ action: Action, to state: State) -> State {
        let layout = layout
        var s = Step(StateTerms<Concrete, State>(state, layout: layout))
        _ = step(action, &s)
        return layout.state(s.next, assigned: s.assigned.map { $0 != nil }, from: state)
    }

    @inlinable public func isWithinBounds(_ state: State) -> Bool { true }

    /// Each property, evaluated on concrete states, its conjuncts kept apart for `--drop`.
    @inlinable public var invariants: [Invariant<State>] {
        let layout = layout
        let described = properties(of: StateTerms<Concrete, State>(blank, layout: layout))
        return described.indices.map { k in
            let names = described[k].conjuncts.map(\.name)
            let conjuncts: [(name: String, holds: @Sendable (State) -> Bool)] = names.count < 2 ? [] : names.indices.map { j in
                (names[j], { self.properties(of: StateTerms($0, layout: layout))[k].conjuncts[j].formula.value })
            }
            return Invariant(described[k].name, described[k].summary, conjuncts: conjuncts) {
                self.properties(of: StateTerms($0, layout: layout))[k].formula.value
            }
        }
    }
}
