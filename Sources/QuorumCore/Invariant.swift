/// A named predicate on states, checked by the explorer on every state it generates.
///
/// Specs build these from a formula written once over a view of the state (see ``Logic``); the
/// closure is the formula specialised to concrete states.
public struct Invariant<State>: Sendable {
    public let name: String
    public let summary: String
    public let holds: @Sendable (State) -> Bool

    public init(_ name: String, _ summary: String, holds: @escaping @Sendable (State) -> Bool) {
        self.name = name
        self.summary = summary
        self.holds = holds
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
