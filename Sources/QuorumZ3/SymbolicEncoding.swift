import QuorumCore

/// A spec's transition relation as solver formulas, at fixed sizes: what the prover, the bounded
/// model checker and the conformance check need to know of a spec.
///
/// A symbolic state is a set of solver constants (``Variables``); the spec's invariants are
/// evaluated on it from their one definition, through the spec's view protocol with the
/// ``Symbolic`` logic. The relation must allow exactly the transitions of the spec's pure
/// functions, which ``Conformance`` checks.
public protocol SymbolicEncoding: Sendable {
    associatedtype System: TransitionSystem
    associatedtype Variables

    var system: System { get }

    /// Fresh constants for one state; `prefix` keeps the names of different states apart.
    func declare(in context: Z3Context, prefix: String) -> Variables

    /// What every state satisfies by the types of its variables (the spec's `TypeOK`).
    func domain(_ s: Variables) -> Formula<Symbolic>

    func initial(_ s: Variables) -> Formula<Symbolic>

    /// `Next`, as one disjunct per instance of an action, each labelled with the action's name.
    func transitions(from s: Variables, to t: Variables) -> [(action: String, relation: Formula<Symbolic>)]

    /// A constraint every step satisfies whichever disjunct it takes, stated once instead of in
    /// every disjunct (for Raft: how the message bag changes given what the step adds and removes).
    func stepConstraint(from s: Variables, to t: Variables) -> Formula<Symbolic>

    /// The invariant named `name` on `s`, less the conjuncts named in `dropped`, from the same
    /// definition the explorer evaluates.
    func invariant(_ name: String, on s: Variables, without dropped: Set<String>) -> Formula<Symbolic>

    /// `s` equals the concrete `state`.
    func equals(_ s: Variables, _ state: System.State) -> Formula<Symbolic>

    /// `state` as constants of the encoding, or nil when the encoding cannot hold constants. With
    /// it, conformance checks build each state's successor relation with the state folded in,
    /// which is far smaller than the relation over a symbolic state pinned by equations.
    func constant(_ state: System.State, in context: Z3Context) -> Variables?

    /// The concrete state that `model` assigns to `s`.
    func state(of s: Variables, in model: Z3Model) throws -> System.State

    /// Sizes minimised in a counterexample to induction, in this order (Ivy's and mypyvy's way:
    /// the smallest bound for the first size, kept while the next is minimised).
    func measures(of s: Variables) -> [Measure]
}

/// A size of a symbolic state, such as "messages sent" or "highest ballot in use".
public struct Measure {
    public let name: String
    /// The bounds tried, smallest first; the last one always holds.
    public let bounds: ClosedRange<Int>
    /// The formula "this size is at most n".
    public let atMost: (Int) -> Formula<Symbolic>

    public init(_ name: String, bounds: ClosedRange<Int>, atMost: @escaping (Int) -> Formula<Symbolic>) {
        self.name = name
        self.bounds = bounds
        self.atMost = atMost
    }
}

extension SymbolicEncoding {
    public func stepConstraint(from s: Variables, to t: Variables) -> Formula<Symbolic> { Formula(true) }

    public func constant(_ state: System.State, in context: Z3Context) -> Variables? { nil }

    /// The conjunction of the named invariants.
    func invariants(_ names: [String], on s: Variables, without dropped: Set<String>) -> Formula<Symbolic> {
        names.reduce(Formula(true)) { $0 && invariant($1, on: s, without: dropped) }
    }

    /// `Next(s, t)`: the disjunction of every action instance, and the shared step constraint.
    func next(from s: Variables, to t: Variables) -> Formula<Symbolic> {
        stepConstraint(from: s, to: t) && transitions(from: s, to: t).reduce(Formula(false)) { $0 || $1.relation }
    }

    /// The concrete action of the spec that leads from `before` to `after` (the first one, in the
    /// spec's order), for turning a solver's sequence of states into a trace.
    func action(from before: System.State, to after: System.State) throws -> System.Action {
        guard let action = system.enabledActions(in: before).first(where: { system.apply($0, to: before) == after }) else {
            throw Z3Error("the solver's step has no action of the spec: the encoding and the spec disagree (run quorum conform)")
        }
        return action
    }
}
