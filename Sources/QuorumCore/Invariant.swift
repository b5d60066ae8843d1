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

    public init(_ name: String, _ summary: String, conjuncts: [(name: String, holds: @Sendable (State) -> Bool)] = [],
                holds: @escaping @Sendable (State) -> Bool) {
        self.name = name
        self.summary = summary
        self.holds = holds
        self.conjuncts = conjuncts
    }

    /// Whether the invariant holds with the conjuncts named in `dropped` left out.
    public func holds(_ state: State, without dropped: Set<String>) -> Bool {
        if dropped.isEmpty || conjuncts.isEmpty { return holds(state) }
        return conjuncts.allSatisfy { dropped.contains($0.name) || $0.holds(state) }
    }
}

/// A named predicate on a step (state, action, next state), such as Raft's "leader append-only".
public struct ActionProperty<State, Action>: Sendable {
    public let name: String
    public let summary: String
    public let holds: @Sendable (State, Action, State) -> Bool

    public init(_ name: String, _ summary: String, holds: @escaping @Sendable (State, Action, State) -> Bool) {
        self.name = name
        self.summary = summary
        self.holds = holds
    }
}
