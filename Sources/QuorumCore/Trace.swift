/// A behaviour of a transition system: an initial state and the steps taken from it.
public struct Trace<System: TransitionSystem>: Sendable {
    public struct Step: Sendable {
        public let action: System.Action
        public let state: System.State
    }

    public let initial: System.State
    public var steps: [Step]
    /// For a lasso (an infinite behaviour of a temporal-property violation): the index of the
    /// state where the cycle starts. The last state equals that state, so states `loop...` repeat
    /// forever; `loop == length` means the behaviour stays in its last state (stutters) forever.
    public var loop: Int? = nil

    public init(initial: System.State, steps: [Step] = []) {
        self.initial = initial
        self.steps = steps
    }

    /// The number of steps (transitions), not states.
    public var length: Int { steps.count }
    public var last: System.State { steps.last?.state ?? initial }
    public var states: [System.State] { [initial] + steps.map(\.state) }

    public mutating func append(_ action: System.Action, _ state: System.State) {
        steps.append(Step(action: action, state: state))
    }

    /// The trace from `initial` that takes `actions` in turn, re-executing the pure functions.
    @inlinable public init(_ system: System, from initial: System.State, actions: some Sequence<System.Action>) {
        self.init(initial: initial)
        for action in actions { append(action, system.apply(action, to: last)) }
    }

    /// The trace from `initial` that takes, at each step, the enabled action of that index (in
    /// the order of ``TransitionSystem/enabledActions(in:into:)``). The engines keep only these
    /// indices, not actions or states; every counterexample they report is rebuilt here.
    @inlinable public init(_ system: System, from initial: System.State, enabledIndices: some Sequence<Int>) {
        self.init(initial: initial)
        take(enabledIndices: enabledIndices, of: system)
    }

    /// Takes, from the last state, the enabled action of each index in turn.
    @inlinable public mutating func take(enabledIndices: some Sequence<Int>, of system: System) {
        for k in enabledIndices {
            let action = system.enabledActions(in: last)[k]
            append(action, system.apply(action, to: last))
        }
    }
}

/// What kind of property a violation breaks.
public enum PropertyKind: String, Sendable, Codable {
    case invariant
    case actionProperty = "action property"
    case deadlock
    /// A ``TemporalProperty``: checked over the state graph, violated by a lasso or, for
    /// `C ⇒ []P`, by a finite trace.
    case temporal
}

/// A violated property and a shortest trace that shows it.
public struct Violation<System: TransitionSystem>: Sendable {
    public let property: String
    public let kind: PropertyKind
    public let trace: Trace<System>

    @inlinable public init(property: String, kind: PropertyKind, trace: Trace<System>) {
        self.property = property
        self.kind = kind
        self.trace = trace
    }
}
