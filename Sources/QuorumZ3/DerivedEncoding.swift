import QuorumCore

/// The symbolic encoding of a ``GuardedSystem``, derived from its one description: a state is
/// one integer constant per slot of its declared variables, the domain their ranges, `Next` the
/// disjunction of every action instance's guard and assignments (each unassigned slot unchanged),
/// and the invariants the spec's own formulas. Nothing here is specific to a spec, so there is
/// nothing to keep in step with its Swift functions; `conform` still checks that the two
/// interpretations agree, as a check of this file.
public struct DerivedEncoding<System: GuardedSystem>: SymbolicEncoding {
    public typealias Variables = StateTerms<Symbolic, System.State>

    public let system: System
    let layout: SlotLayout<System.State>

    public init(_ system: System) {
        self.system = system
        layout = system.layout
    }

    public func declare(in context: Z3Context, prefix: String) -> Variables {
        StateTerms(layout: layout, slots: layout.slotNames.map { .term(context.intConstant("\(prefix).\($0)")) })
    }

    /// Each slot within its range, each variable's slots well formed, and the spec's type constraint.
    public func domain(_ s: Variables) -> Formula<Symbolic> {
        zip(s.slots, layout.ranges).reduce(Formula(true)) { f, pair in
            let x = Term<Symbolic>(value: pair.0)
            return f && Term(pair.1.lowerBound) <= x && x <= Term(pair.1.upperBound)
        } && s.wellFormed && system.typeConstraint(s)
    }

    public func initial(_ s: Variables) -> Formula<Symbolic> {
        exists(system.initialStates) { equals(s, $0) }
    }

    public func transitions(from s: Variables, to t: Variables) -> [(action: String, relation: Formula<Symbolic>)] {
        attributedTransitions(from: s, to: t).map { ($0.action, $0.relation) }
    }

    /// Each instance as its own disjunct, attributed to nobody: the derived form does not know
    /// which slots belong to which process, so bounded model checking searches every interleaving.
    public func attributedTransitions(from s: Variables, to t: Variables) -> [(action: String, relation: Formula<Symbolic>, actor: Actor?)] {
        system.actionInstances.map { action in
            var step = Step(s)
            let enabled = system.step(action, &step)
            let next = zip(t.slots, step.next).reduce(enabled) { f, pair in f && Formula(value: Symbolic.equal(pair.0, pair.1)) }
            return (action.name, next, nil)
        }
    }

    /// The slots' ranges, a set's size (at most its universe) and the processes bound every integer.
    public var integerBound: Int? {
        (layout.ranges.flatMap { [abs($0.lowerBound), abs($0.upperBound)] } + [layout.ranges.count, layout.processes.count + 1]).max()! + 1
    }

    public func invariant(_ name: String, on s: Variables, without dropped: Set<String>) -> Formula<Symbolic> {
        guard let property = system.properties(of: s).first(where: { $0.name == name }) else { return Formula(false) }
        return property.conjuncts.reduce(Formula(true)) { dropped.contains($1.name) ? $0 : $0 && $1.formula }
    }

    public func initialCondition(of name: String, on s: Variables) -> Formula<Symbolic>? {
        system.properties(of: s).first(where: { $0.name == name })?.condition?.formula
    }

    public func equals(_ s: Variables, _ state: System.State) -> Formula<Symbolic> {
        zip(s.slots, layout.slots(of: state)).reduce(Formula(true)) { $0 && Formula(value: Symbolic.equal($1.0, .constant($1.1))) }
    }

    public func constant(_ state: System.State, in context: Z3Context) -> Variables? {
        StateTerms(layout: layout, slots: layout.slots(of: state).map { .constant($0) })
    }

    public func state(of s: Variables, in model: Z3Model) throws -> System.State {
        let slots = try s.slots.map { x -> Int in
            switch x {
            case .constant(let v): v
            case .term(let term): try model.int(term)
            }
        }
        return layout.state(slots, blank: system.blank)
    }

    /// Fewest slots away from their value in the spec's blank state (messages sent, set
    /// members, processes past their first state): the smallest counterexample to induction first.
    public func measures(of s: Variables) -> [Measure] {
        let terms = zip(s.slots, layout.slots(of: system.blank)).compactMap { x, start -> (Z3Expr, Int)? in
            if case .term(let t) = x { (t, start) } else { nil }
        }
        guard let context = terms.first?.0.context else { return [] }
        let busy = terms.map { $0.equals(context.literal($1)).not }
        return [Measure("slots away from the initial state", bounds: 0...busy.count) { Formula(context.atMost(busy, $0)) }]
    }
}

extension SpecDescriptor {
    /// The symbolic engines of the spec at these values: over its hand-written encoding, or
    /// derived from its one description when it is a ``GuardedSystem``.
    public func symbolicModel(_ values: [String: Int], variant: Variant? = nil) throws -> SymbolicModel {
        if let model = handWrittenSymbolicModel(values, variant: variant) { return model }
        guard let guardedSystem else {
            throw UsageError("\(name) has no symbolic encoding yet, so prove, bmc and conform cannot run on it")
        }
        let (system, identity) = guardedSystem(values, variant)
        return derivedModel(system, identity)
    }
}

private func derivedModel<System: GuardedSystem>(_ system: System, _ identity: ModelIdentity) -> SymbolicModel {
    SymbolicModel(DerivedEncoding(system), model: identity)
}
