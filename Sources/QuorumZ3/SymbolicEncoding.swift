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

    /// `transitions`, each with the process that takes it, for bounded model checking's
    /// partial-order reduction. The default attributes none, which turns the reduction off.
    func attributedTransitions(from s: Variables, to t: Variables) -> [(action: String, relation: Formula<Symbolic>, actor: Actor?)]

    /// Whether the processes that ``attributedTransitions(from:to:)`` names are interchangeable:
    /// renaming them maps initial states to initial states, steps to steps and leaves every
    /// invariant's verdict alone. Any trace then has a renaming in which processes take their
    /// first steps in the order of their numbers, which the bounded model checker alone searches.
    var interchangeableProcesses: Bool { get }

    /// Integers in every formula of the encoding lie within ±`integerBound`, and so does the
    /// number of processes ``attributedTransitions(from:to:)`` names plus one, so that they fit
    /// bit-vectors (see ``Z3Context/integerBits``); nil when the encoding gives no bound.
    var integerBound: Int? { get }

    /// A constraint every step satisfies whichever disjunct it takes, stated once instead of in
    /// every disjunct (for Raft: how the message bag changes given what the step adds and removes).
    func stepConstraint(from s: Variables, to t: Variables) -> Formula<Symbolic>

    /// The invariant named `name` on `s`, less the conjuncts named in `dropped`, from the same
    /// definition the explorer evaluates.
    func invariant(_ name: String, on s: Variables, without dropped: Set<String>) -> Formula<Symbolic>

    /// C of `Init ∧ C ⇒ □P` on `s`, for an invariant claimed only from the initial states where
    /// C holds (``TransitionSystem/conditionedInvariants``); nil for any other name.
    func initialCondition(of name: String, on s: Variables) -> Formula<Symbolic>?

    /// The step property named `name` on the step from `s` to `t`, from the definition the explorer
    /// evaluates; nil when the spec has no step property of that name.
    func stepProperty(_ name: String, from s: Variables, to t: Variables) -> Formula<Symbolic>?

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

/// Who takes a step of `Next`, for partial-order reduction.
///
/// Two steps commute, and neither enables or disables the other, when they touch disjoint
/// variables. An attribution claims that the step reads and writes the variables of `process` and
/// no other process's, and, unless it is local, shared ones (such as the network). A local step of
/// one process is then independent of any step of another, so any trace can be reordered, without
/// changing its length or its last state, until no local step directly follows a step of a process
/// with a higher number; the bounded model checker searches only such traces.
public struct Actor: Sendable, Equatable {
    /// Numbered from 0; nil for a step that touches only shared variables (a network that loses a
    /// message), which counts as a process numbered above every other.
    public let process: Int?
    public let isLocal: Bool

    public init(process: Int?, isLocal: Bool) {
        self.process = process
        self.isLocal = isLocal
    }
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

    public func attributedTransitions(from s: Variables, to t: Variables) -> [(action: String, relation: Formula<Symbolic>, actor: Actor?)] {
        transitions(from: s, to: t).map { ($0.action, $0.relation, nil) }
    }

    public var integerBound: Int? { nil }

    public func stepProperty(_ name: String, from s: Variables, to t: Variables) -> Formula<Symbolic>? { nil }

    public func initialCondition(of name: String, on s: Variables) -> Formula<Symbolic>? { nil }

    /// Every invariant the symbolic engines know by name: the spec's, and those claimed from a condition.
    var knownInvariants: [Invariant<System.State>] {
        system.invariants + system.conditionedInvariants.map(\.invariant)
    }

    /// The condition the named invariants are claimed from (nil: every initial state), the same
    /// for all of them: invariants claimed from different initial states cannot be checked together.
    func condition(of names: [String]) throws -> String? {
        let conditioned = system.conditionedInvariants
        let conditions = Set(names.map { name in conditioned.first { $0.name == name }?.condition ?? "" })
        guard conditions.count <= 1 else {
            throw UsageError("\(names.joined(separator: ", ")) are claimed from different initial states ("
                + conditions.map { $0.isEmpty ? "every initial state" : $0 }.sorted().joined(separator: ", ") + "): check them apart")
        }
        return conditions.first.flatMap { $0.isEmpty ? nil : $0 }
    }

    public var interchangeableProcesses: Bool { false }

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
