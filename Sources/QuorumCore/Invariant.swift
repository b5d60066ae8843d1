/// A set of a state's variables, bit k for the spec's variable k: the variables an evaluation read,
/// or a step changed. `.max` stands for every variable (nothing known). A spec may also name
/// parts of its variables with bits from 32 on (Paxos's four kinds of message); a step that
/// changes a part sets the part's bit and its variable's.
public typealias VariableSet = UInt64

/// A named predicate on states, checked by the explorer on every state it generates.
///
/// Specs build these from a formula written once over a view of the state (see ``Logic``); the
/// closure is the formula specialised to concrete states.
public struct Invariant<State>: Sendable {
    public let name: String
    public let summary: String
    public let holds: @Sendable (State) -> Bool
    /// The named conjuncts of the invariant, for `quorum prove --drop` and for replaying a
    /// counterexample to induction found with some of them left out. Empty for an invariant that
    /// is not split into conjuncts.
    public let conjuncts: [(name: String, holds: @Sendable (State) -> Bool)]
    /// The same predicate as a conjunction of parts (one part, or its conjuncts), each adding to
    /// its second argument the variables its evaluation read. A part's verdict is a function of
    /// the values it read, so on a next state where none of them changed
    /// (``TransitionSystem/changedVariables(from:to:)``) it is the same, and the simulator skips
    /// it. Empty when the spec's view does not record reads.
    public let recordingReads: [@Sendable (State, inout VariableSet) -> Bool]
    /// Every variable the invariant can read, on any state (``Footprint``; `.max` when unknown).
    /// Its verdict on a next state that changed none of them (``TransitionSystem/changedVariables(from:to:)``)
    /// is its verdict on the state before, so the explorer checks a successor only for the
    /// invariants whose footprint the step touched: the parent has passed all of them.
    public let footprint: VariableSet
    /// The footprint of each of `conjuncts`, or empty: then a step that touches the invariant's
    /// footprint has only the conjuncts whose own footprint it touched evaluated, by `holdsAfter`.
    public let conjunctFootprints: [VariableSet]
    /// Given the variables a step changed from a state where the invariant held, whether it holds
    /// on the step's next state, evaluating only the conjuncts whose footprint the step touched
    /// (one evaluation, so that a spec's view of the state is made once). Nil without
    /// `conjunctFootprints`.
    public let holdsAfter: (@Sendable (State, VariableSet) -> Bool)?
    /// The invariant whose conjuncts are this one's first ones, when this one strengthens
    /// another (Paxos's InductiveInv is Inv and one conjunct more): on a state where the explorer
    /// has that one's verdict, this one's is that verdict and ``holdsBeyond``'s.
    public var strengthens: String? { strengthening?.name }
    /// Whether this invariant's own conjuncts (those after the strengthened invariant's) hold on
    /// a state reached by a step that changed the given variables (`.max`: every conjunct), from
    /// a state where they held.
    public var holdsBeyond: (@Sendable (State, VariableSet) -> Bool)? { strengthening?.holdsBeyond }
    /// Both, behind one reference: an invariant is copied in the explorer's inner loops, and a
    /// larger one made the Raft explorer's code copy each successor twice more (20 % slower).
    let strengthening: Strengthening?

    final class Strengthening: Sendable {
        let name: String
        let holdsBeyond: @Sendable (State, VariableSet) -> Bool
        init(_ name: String, _ holdsBeyond: @escaping @Sendable (State, VariableSet) -> Bool) {
            self.name = name
            self.holdsBeyond = holdsBeyond
        }
    }

    public init(_ name: String, _ summary: String, conjuncts: [(name: String, holds: @Sendable (State) -> Bool)] = [],
                recordingReads: [@Sendable (State, inout VariableSet) -> Bool] = [], footprint: VariableSet = .max,
                conjunctFootprints: [VariableSet] = [], holdsAfter: (@Sendable (State, VariableSet) -> Bool)? = nil,
                strengthens: (name: String, holdsBeyond: @Sendable (State, VariableSet) -> Bool)? = nil,
                holds: @escaping @Sendable (State) -> Bool) {
        precondition(conjunctFootprints.isEmpty || conjunctFootprints.count == conjuncts.count, "one footprint per conjunct")
        precondition((holdsAfter == nil) == conjunctFootprints.isEmpty, "conjuncts' footprints come with holdsAfter")
        strengthening = strengthens.map { Strengthening($0.name, $0.holdsBeyond) }
        self.name = name
        self.summary = summary
        self.holds = holds
        self.conjuncts = conjuncts
        self.recordingReads = recordingReads
        self.footprint = footprint
        self.conjunctFootprints = conjunctFootprints
        self.holdsAfter = holdsAfter
    }

    /// Whether the invariant holds on `state`, reached by a step that changed `changed` from a
    /// state where it held: the conjuncts whose footprint the step left alone still hold.
    @inlinable public func holds(_ state: State, changed: VariableSet) -> Bool {
        if let holdsAfter, changed != .max { return holdsAfter(state, changed) }
        return holds(state)
    }

    /// The same invariant of another state type that maps onto this one: a spec's fast state,
    /// checked by the invariants of its described state.
    public func pulledBack<Other>(_ map: @escaping @Sendable (Other) -> State) -> Invariant<Other> {
        Invariant<Other>(name, summary, conjuncts: conjuncts.map { c in (c.name, { c.holds(map($0)) }) }) { holds(map($0)) }
    }

    /// Whether the invariant holds with the conjuncts named in `dropped` left out.
    public func holds(_ state: State, without dropped: Set<String>) -> Bool {
        if dropped.isEmpty || conjuncts.isEmpty { return holds(state) }
        return conjuncts.allSatisfy { dropped.contains($0.name) || $0.holds(state) }
    }
}

/// An invariant claimed only of the behaviours that start where a condition holds: TLA+'s
/// `Init ∧ C ⇒ □P`, such as bcastByz.tla's Unforg under InitNoBcast. The explorer checks it as the
/// temporal property `C ⇒ []P` (``always()``, among the spec's temporal properties); the symbolic
/// engines add C to the initial states, for `bmc` and for the `Init` obligation of `prove`, and a
/// counterexample to induction may assume it like any invariant.
public struct ConditionedInvariant<State>: Sendable {
    public let invariant: Invariant<State>
    /// The condition's name: two such invariants speak of the same behaviours when it is the same.
    public let condition: String
    public let initially: @Sendable (State) -> Bool
    /// False for an invariant the explorer checks only when named.
    public let byDefault: Bool

    public init(_ invariant: Invariant<State>, condition: String, byDefault: Bool = true,
                initially: @escaping @Sendable (State) -> Bool) {
        self.invariant = invariant
        self.condition = condition
        self.byDefault = byDefault
        self.initially = initially
    }

    public var name: String { invariant.name }

    /// The same invariant of another state type that maps onto this one.
    public func pulledBack<Other>(_ map: @escaping @Sendable (Other) -> State) -> ConditionedInvariant<Other> {
        ConditionedInvariant<Other>(invariant.pulledBack(map), condition: condition, byDefault: byDefault) { initially(map($0)) }
    }

    /// `C ⇒ []P`, for the temporal checker, the simulator and replay.
    public func always<Action>() -> TemporalProperty<State, Action> {
        let p = TemporalProperty<State, Action>.always(invariant.name, invariant.summary, from: initially, invariant.holds)
        return byDefault ? p : p.onRequest()
    }
}

/// A named predicate on a step (state, action, next state), such as Raft's "leader append-only".
public struct ActionProperty<State, Action>: Sendable {
    public let name: String
    public let summary: String
    public let holds: @Sendable (State, Action, State) -> Bool
    /// The property's frame, as in TLA+'s `[A]_v`: variables such that a step that changes none
    /// of them satisfies the property whatever else it does (Raft's LeaderAppendOnly holds on every
    /// step that leaves the logs alone). Engines skip such steps. Nil: no such promise.
    public let frame: VariableSet?

    public init(_ name: String, _ summary: String, frame: VariableSet? = nil,
                holds: @escaping @Sendable (State, Action, State) -> Bool) {
        self.name = name
        self.summary = summary
        self.holds = holds
        self.frame = frame
    }

    /// Whether the step satisfies the property, given the variables it changed.
    @inlinable public func holds(_ before: State, _ action: Action, _ after: State, changed: VariableSet) -> Bool {
        if let frame, frame & changed == 0 { return true }
        return holds(before, action, after)
    }
}
