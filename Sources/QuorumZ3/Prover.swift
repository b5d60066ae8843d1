import Foundation
import QuorumCore

/// Inductive-invariant checking: `Init => Inv` and, action by action, `Inv /\ A => Inv'`.
///
/// When an obligation fails, the counterexample to induction is minimised as Ivy and mypyvy do:
/// for each of the encoding's measures in turn (fewest messages, then fewest processes away from
/// their initial state, then smallest ballots or terms), the smallest bound under which a
/// counterexample still exists is found with incremental push/check/pop and kept.
public struct Prover<Encoding: SymbolicEncoding> {
    public let encoding: Encoding
    public let model: ModelIdentity

    public init(_ encoding: Encoding, model: ModelIdentity) {
        self.encoding = encoding
        self.model = model
    }

    /// The invariants, their kept conjuncts and the implied properties that no state of the
    /// domain violates (`domain /\ ~P` is unsatisfiable). The solver holds `domain(s)`.
    func tautologies(_ options: ProofOptions, known: [Invariant<Encoding.System.State>], dropped: Set<String>,
                     solver: Z3Solver, _ s: Encoding.Variables) throws -> [String] {
        var found: [String] = []
        func holdsEverywhere(_ formula: Formula<Symbolic>) throws -> Bool {
            try solver.scoped { () throws -> Bool in
                solver.add(!formula)
                if case .unsatisfiable = try solver.check() { return true }
                return false
            }
        }
        for name in options.invariants + options.implies {
            let implied = !options.invariants.contains(name)
            if try holdsEverywhere(encoding.invariant(name, on: s, without: implied ? [] : dropped)) {
                found.append(name)
                continue
            }
            guard !implied, let invariant = known.first(where: { $0.name == name }) else { continue }
            let names = invariant.conjuncts.map(\.name)
            for conjunct in names where !dropped.contains(conjunct) {
                if try holdsEverywhere(encoding.invariant(name, on: s, without: Set(names).subtracting([conjunct]))) {
                    found.append("\(name): \(conjunct)")
                }
            }
        }
        return found
    }

    public func prove(_ options: ProofOptions) throws -> ProofReport {
        let start = DispatchTime.now()
        let known = encoding.knownInvariants
        for name in options.invariants + options.implies where !known.contains(where: { $0.name == name }) {
            throw UsageError("unknown invariant '\(name)' of \(model.spec); known: \(known.map(\.name).joined(separator: ", "))")
        }
        // Invariants claimed from a condition C are proven from Init ∧ C, and then imply only
        // properties claimed from the same C.
        let condition = try encoding.condition(of: options.invariants)
        for property in options.implies {
            let claimed = try encoding.condition(of: [property])
            if claimed != condition && claimed != nil || condition != nil && claimed == nil {
                throw UsageError("\(property) is claimed from \(claimed ?? "every initial state"), but \(options.invariants.joined(separator: ", ")) from \(condition ?? "every initial state"): proving one does not prove the other")
            }
        }
        let conjuncts = Set(known.filter { options.invariants.contains($0.name) }.flatMap { $0.conjuncts.map(\.name) })
        for name in options.dropped where !conjuncts.contains(name) {
            throw UsageError("'\(name)' is not a conjunct of \(options.invariants.joined(separator: ", ")); its conjuncts: "
                + (conjuncts.isEmpty ? "none (it is not split into conjuncts)" : conjuncts.sorted().joined(separator: ", ")))
        }
        let dropped = Set(options.dropped)
        let context = Z3Context()
        let solver = Z3Solver(context, timeout: options.timeout, simple: true)
        let s = encoding.declare(in: context, prefix: "s")
        let t = encoding.declare(in: context, prefix: "t")
        solver.add(encoding.domain(s))
        let invS = encoding.invariants(options.invariants, on: s, without: dropped)
        var obligations: [ProofReport.Obligation] = []
        var unknown: String?

        func report(_ result: ProofReport.Result, _ counterexample: TraceDocument?, _ sizes: [(String, Int)]) throws -> ProofReport {
            // Once the proof is done, in a solver of its own: the proof's solver, and the
            // counterexample it finds, are the same with this check as without it.
            let vacuitySolver = Z3Solver(context, timeout: options.timeout, simple: true)
            vacuitySolver.add(encoding.domain(s))
            let vacuous = try tautologies(options, known: known, dropped: dropped, solver: vacuitySolver, s)
            var report = ProofReport(model: model, invariants: options.invariants, dropped: options.dropped, result: result,
                                     obligations: obligations, unknownReason: unknown, counterexample: counterexample,
                                     sizes: sizes, seconds: seconds(since: start))
            report.vacuous = vacuous
            return report
        }

        // Init => Inv.
        let initStart = DispatchTime.now()
        let initial = try solver.scoped { () throws -> Z3Outcome in
            solver.add(encoding.initial(s))
            if condition != nil, let c = encoding.initialCondition(of: options.invariants[0], on: s) { solver.add(c) }
            solver.add(!invS)
            return try solver.check()
        }
        switch initial {
        case .unsatisfiable:
            obligations.append(.init(name: "Init", holds: true, seconds: seconds(since: initStart)))
        case .unknown(let reason):
            obligations.append(.init(name: "Init", holds: nil, seconds: seconds(since: initStart)))
            unknown = reason
        case .satisfiable(let m):
            obligations.append(.init(name: "Init", holds: false, seconds: seconds(since: initStart)))
            let state = try encoding.state(of: s, in: m)
            let property = try firstViolated(options.invariants, in: state, without: dropped)
            let document = TraceDocument(Trace<Encoding.System>(initial: state), of: encoding.system, spec: model.spec,
                                         variant: model.variant, parameters: model.parameters, property: property,
                                         kind: condition == nil ? .invariant : .temporal)
            return try report(.notInductive, document, [])
        }

        // Inv => P for each property P it must imply: a counterexample is a single state.
        solver.add(invS)
        for property in options.implies {
            let implicationStart = DispatchTime.now()
            // No scoped(): when the implication fails, minimisation continues inside this scope.
            solver.push()
            solver.add(!encoding.invariant(property, on: s, without: []))
            let outcome = try solver.check()
            let name = "⇒ \(property)"
            switch outcome {
            case .unsatisfiable:
                solver.pop()
                obligations.append(.init(name: name, holds: true, seconds: seconds(since: implicationStart)))
            case .unknown(let reason):
                solver.pop()
                obligations.append(.init(name: name, holds: nil, seconds: seconds(since: implicationStart)))
                unknown = unknown ?? reason
            case .satisfiable:
                obligations.append(.init(name: name, holds: false, seconds: seconds(since: implicationStart)))
                let sizes = try minimize(solver, s, options)
                guard case .satisfiable(let m) = try solver.check() else {
                    throw Z3Error("the counterexample vanished while it was minimised")
                }
                let state = try encoding.state(of: s, in: m)
                let document = TraceDocument(Trace<Encoding.System>(initial: state), of: encoding.system, spec: model.spec,
                                             variant: model.variant, parameters: model.parameters, property: property,
                                             kind: .invariant, induction: .init(invariants: options.invariants, dropped: options.dropped))
                return try report(.notInductive, document, sizes)
            }
        }

        // Inv /\ A => Inv', grouped by action name, in the order the encoding lists the actions.
        solver.add(encoding.domain(t))
        solver.add(encoding.stepConstraint(from: s, to: t))
        let notInvT = !encoding.invariants(options.invariants, on: t, without: dropped)
        var groups: [(String, [Formula<Symbolic>])] = []
        for (action, relation) in encoding.transitions(from: s, to: t) {
            if let k = groups.firstIndex(where: { $0.0 == action }) { groups[k].1.append(relation) } else { groups.append((action, [relation])) }
        }
        var failing: [Formula<Symbolic>] = []
        for (action, relations) in groups {
            let obligationStart = DispatchTime.now()
            let step = relations.reduce(Formula(false)) { $0 || $1 }
            let outcome = try solver.scoped { () throws -> Z3Outcome in
                solver.add(step)
                solver.add(notInvT)
                return try solver.check()
            }
            switch outcome {
            case .unsatisfiable: obligations.append(.init(name: action, holds: true, seconds: seconds(since: obligationStart)))
            case .unknown(let reason):
                obligations.append(.init(name: action, holds: nil, seconds: seconds(since: obligationStart)))
                unknown = unknown ?? reason
            case .satisfiable:
                obligations.append(.init(name: action, holds: false, seconds: seconds(since: obligationStart)))
                failing.append(step)
            }
        }
        guard !failing.isEmpty else { return try report(unknown == nil ? .inductive : .unknown, nil, []) }

        // A counterexample to induction over every failing action, minimised measure by measure.
        solver.add(failing.reduce(Formula(false)) { $0 || $1 })
        solver.add(notInvT)
        let sizes = try minimize(solver, s, options)
        guard case .satisfiable(let m) = try solver.check() else {
            throw Z3Error("the counterexample to induction vanished while it was minimised")
        }
        let before = try encoding.state(of: s, in: m)
        let after = try encoding.state(of: t, in: m)
        let action = try encoding.action(from: before, to: after)
        var trace = Trace<Encoding.System>(initial: before)
        trace.append(action, after)
        let property = try firstViolated(options.invariants, in: after, without: dropped)
        let document = TraceDocument(trace, of: encoding.system, spec: model.spec, variant: model.variant,
                                     parameters: model.parameters, property: property, kind: .invariant,
                                     induction: .init(invariants: options.invariants, dropped: options.dropped))
        return try report(.notInductive, document, sizes)
    }

    /// Adds, measure by measure, the smallest bound under which the solver's assertions stay
    /// satisfiable; returns the bounds. Each bound stays asserted (in its own scope) for the rest
    /// of the solver's life, which is this proof's.
    private func minimize(_ solver: Z3Solver, _ s: Encoding.Variables, _ options: ProofOptions) throws -> [(String, Int)] {
        guard options.minimize else { return [] }
        var sizes: [(String, Int)] = []
        for measure in encoding.measures(of: s) {
            for bound in measure.bounds {
                solver.push()
                solver.add(measure.atMost(bound))
                if case .satisfiable = try solver.check() {
                    sizes.append((measure.name, bound))
                    break
                }
                solver.pop()
            }
        }
        return sizes
    }

    private func firstViolated(_ names: [String], in state: Encoding.System.State, without dropped: Set<String>) throws -> String {
        guard let name = encoding.knownInvariants.first(where: { names.contains($0.name) && !$0.holds(state, without: dropped) })?.name else {
            throw Z3Error("the solver's state violates \(names.joined(separator: ", ")) symbolically but not concretely: the encoding of the invariants is wrong")
        }
        return name
    }
}

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}
