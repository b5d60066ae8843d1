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
