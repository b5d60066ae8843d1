/// Fairness of a named action, as in TLA+'s `WF_vars(A)` and `SF_vars(A)`.
///
/// `matches` picks the spec's actions that are steps of A. As in TLA+, only steps that change the
/// state count: A is enabled in a state when some matching action leads to a different state
/// (within the bounds or not), and A is taken by a step that matches and changes the state.
public struct Fairness<State, Action>: Sendable {
    public enum Kind: String, Sendable {
        /// Weak fairness: A cannot stay enabled forever without being taken.
        case weak = "WF"
        /// Strong fairness: A cannot be enabled infinitely often without being taken.
        case strong = "SF"
    }

    public let kind: Kind
    public let name: String
    public let matches: @Sendable (State, Action) -> Bool

    public static func weak(_ name: String, where matches: @escaping @Sendable (State, Action) -> Bool) -> Fairness {
        Fairness(kind: .weak, name: name, matches: matches)
    }

    public static func strong(_ name: String, where matches: @escaping @Sendable (State, Action) -> Bool) -> Fairness {
        Fairness(kind: .strong, name: name, matches: matches)
    }

    /// "WF(Receive)".
    public var text: String { "\(kind.rawValue)(\(name))" }
}

/// A property of behaviours rather than of single states: checked over the whole bounded state
/// graph by ``TemporalChecker``, with its own fairness assumptions.
///
/// Four forms cover what specs state in practice (TLA+ notation):
/// - `C ⇒ []P` (``always(_:_:from:_:)``): on every behaviour that starts in a state satisfying C,
///   P holds forever. A violation is a finite trace, as for an invariant.
/// - `C ⇒ <>Q` (``eventually(_:_:from:_:fairness:)``): every fair behaviour that starts in C
///   reaches Q.
/// - `P ~> Q` (``leadsTo(_:_:_:_:fairness:)``): whenever P holds, Q holds then or later.
/// - `[]<>Q` (``infinitelyOften(_:_:_:fairness:)``): Q holds again and again.
///
/// A violation of the last three is a lasso: a prefix and a cycle that repeats forever, on which
/// the fairness assumptions hold and Q never does.
public struct TemporalProperty<State, Action>: Sendable {
    public enum Form: String, Sendable {
        case always
        case eventually
        case leadsTo = "leads-to"
        case infinitelyOften = "infinitely often"
    }

    public let name: String
    public let summary: String
    public let form: Form
    /// C for `always` and `eventually` (a condition on the first state), P for `leadsTo`, true
    /// for `infinitelyOften`.
    public let trigger: @Sendable (State) -> Bool
    /// P for `always`, Q for the others.
    public let goal: @Sendable (State) -> Bool
    public let fairness: [Fairness<State, Action>]
    /// A restriction on the behaviours considered (TLA+'s `[][R]_vars` as an assumption): only
    /// steps satisfying it are taken, for statements such as "with no failures, …". Nil: every step.
    public private(set) var steps: (name: String, allows: @Sendable (State, Action) -> Bool)? = nil
    /// Whether `quorum check` checks the property unless asked for others. A statement that is
    /// known not to hold (kept to show why, with its counterexample) is checked only on request.
    public private(set) var byDefault = true

    /// The same property for behaviours whose every step satisfies `allows` (described by `name`).
    public func assuming(_ name: String, _ allows: @escaping @Sendable (State, Action) -> Bool) -> TemporalProperty {
        var p = self
        p.steps = (name, allows)
        return p
    }

    /// The same property, checked only when named (`quorum check --invariant NAME`).
    public func onRequest() -> TemporalProperty {
        var p = self
        p.byDefault = false
        return p
    }

    public static func always(_ name: String, _ summary: String, from condition: @escaping @Sendable (State) -> Bool = { _ in true },
                              _ invariant: @escaping @Sendable (State) -> Bool) -> TemporalProperty {
        TemporalProperty(name: name, summary: summary, form: .always, trigger: condition, goal: invariant, fairness: [])
    }

    public static func eventually(_ name: String, _ summary: String, from condition: @escaping @Sendable (State) -> Bool = { _ in true },
                                  _ goal: @escaping @Sendable (State) -> Bool, fairness: [Fairness<State, Action>]) -> TemporalProperty {
        TemporalProperty(name: name, summary: summary, form: .eventually, trigger: condition, goal: goal, fairness: fairness)
    }

    public static func leadsTo(_ name: String, _ summary: String, _ premise: @escaping @Sendable (State) -> Bool,
                               _ goal: @escaping @Sendable (State) -> Bool, fairness: [Fairness<State, Action>]) -> TemporalProperty {
        TemporalProperty(name: name, summary: summary, form: .leadsTo, trigger: premise, goal: goal, fairness: fairness)
    }

    public static func infinitelyOften(_ name: String, _ summary: String, _ goal: @escaping @Sendable (State) -> Bool,
                                       fairness: [Fairness<State, Action>]) -> TemporalProperty {
        TemporalProperty(name: name, summary: summary, form: .infinitelyOften, trigger: { _ in true }, goal: goal, fairness: fairness)
    }

    /// "eventually, under WF(Step)" as `quorum list` shows it.
    public var assumptions: String {
        var conditions = fairness.map(\.text)
        if let steps { conditions.insert(steps.name, at: 0) }
        let text = conditions.isEmpty ? form.rawValue : form.rawValue + ", under " + conditions.joined(separator: " ∧ ")
        return byDefault ? text : text + "; checked on request only"
    }
}
