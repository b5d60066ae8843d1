import Foundation
import QuorumCore

/// Bounded model checking: unrolls the symbolic relation one step at a time, and after each
/// unrolling asks whether the last state can violate an invariant. The first depth at which it
/// can is the length of a shortest counterexample, which is why its trace is as short as the
/// explorer's.
public struct BoundedModelChecker<Encoding: SymbolicEncoding> {
    public let encoding: Encoding
    public let model: ModelIdentity

    public init(_ encoding: Encoding, model: ModelIdentity) {
        self.encoding = encoding
        self.model = model
    }

    public func run(_ options: BMCOptions) throws -> BMCReport {
        let probe = encoding.declare(in: Z3Context(), prefix: "probe")
        let invariantNames = encoding.knownInvariants.map(\.name)
        let stepNames = encoding.system.actionProperties.map(\.name).filter {
            encoding.stepProperty($0, from: probe, to: probe) != nil
        }
        let names = options.invariants ?? invariantNames + stepNames
        for name in names where !invariantNames.contains(name) && !stepNames.contains(name) {
            throw UsageError("unknown property '\(name)' of \(model.spec); known: \((invariantNames + stepNames).joined(separator: ", "))")
        }
        // Invariants claimed from a condition on the initial states are searched for from those
        // states only, each condition on its own; the shortest violation of any search is the answer.
        let conditioned = encoding.system.conditionedInvariants
        let invariants = names.filter(invariantNames.contains), steps = names.filter(stepNames.contains)
        var groups: [(condition: String?, invariants: [String], steps: [String])] = []
        let plain = invariants.filter { name in !conditioned.contains { $0.name == name } }
        if !plain.isEmpty || !steps.isEmpty || invariants.isEmpty { groups.append((nil, plain, steps)) }
        for condition in conditioned.map(\.condition).reduce(into: [String](), { if !$0.contains($1) { $0.append($1) } }) {
            let members = invariants.filter { name in conditioned.contains { $0.name == name && $0.condition == condition } }
            if !members.isEmpty { groups.append((condition, members, [])) }
        }
        let start = DispatchTime.now()
        var reports: [BMCReport] = []
        for group in groups {
            reports.append(try run(options, invariants: group.invariants, steps: group.steps, condition: group.condition))
        }
        let chosen = reports.filter { $0.result == .violation }.min { $0.depthChecked < $1.depthChecked }
            ?? reports.first { $0.result == .unknown } ?? reports[0]
        return BMCReport(model: model, result: chosen.result, depthChecked: chosen.depthChecked, counterexample: chosen.counterexample,
                         unknownReason: chosen.unknownReason, seconds: seconds(since: start))
    }

    /// One search: for `invariants` and `steps`, from the initial states where `condition` holds
    /// (nil: every initial state).
    func run(_ options: BMCOptions, invariants: [String], steps: [String], condition: String?) throws -> BMCReport {
        let start = DispatchTime.now()
        // Bit-vectors where the encoding bounds its integers: the unrolling becomes a propositional
        // problem, which Z3 solves far faster than with integer arithmetic (docs/PERFORMANCE.md).
        let bits = encoding.integerBound.map { Self.bits(for: $0) }
        let context = Z3Context(integerBits: bits)
        let solver = bits == nil ? Z3Solver(context, timeout: options.timeout, simple: true)
            : Z3Solver(context, logic: "QF_BV", timeout: options.timeout)
        var states = [encoding.declare(in: context, prefix: "s0")]
        /// The properties on the last state of a trace `depth` steps long and on its last step.
        func properties(_ depth: Int) -> Formula<Symbolic> {
            encoding.invariants(invariants, on: states[depth], without: [])
                && (depth == 0 ? Formula(true) : forAll(steps) { encoding.stepProperty($0, from: states[depth - 1], to: states[depth])! })
        }
        solver.add(encoding.domain(states[0]))
        solver.add(encoding.initial(states[0]))
        if let name = invariants.first, condition != nil, let c = encoding.initialCondition(of: name, on: states[0]) { solver.add(c) }
        var history = History()
        for depth in 0...options.maxDepth {
            let depthStart = DispatchTime.now()
            if depth > 0 {
                let next = encoding.declare(in: context, prefix: "s\(depth)")
                solver.add(encoding.domain(next))
                let disjuncts = encoding.attributedTransitions(from: states[depth - 1], to: next)
                let attributed = disjuncts.compactMap(\.actor)
                if options.reduction && attributed.count == disjuncts.count {
                    let process = reduce(step: depth, attributed, in: context, solver: solver, history: &history)
                    solver.add(encoding.stepConstraint(from: states[depth - 1], to: next)
                        && exists(zip(disjuncts, attributed)) { disjunct, actor in disjunct.relation && process(actor) })
                } else {
                    solver.add(encoding.next(from: states[depth - 1], to: next))
                }
                states.append(next)
            }
            let holds = properties(depth)
            let outcome = try solver.scoped { () throws -> Z3Outcome in
                solver.add(!holds)
                return try solver.check()
            }
            switch outcome {
            case .unsatisfiable:
                options.progress?(depth, seconds(since: depthStart))
                // No shorter trace violates a property, so a shortest one passes through states and
                // steps that satisfy them all: saying so prunes the search at the next depths.
                solver.add(holds)
                continue
            case .unknown(let reason):
                return BMCReport(model: model, result: .unknown, depthChecked: depth - 1, counterexample: nil,
                                 unknownReason: reason, seconds: seconds(since: start))
            case .satisfiable(let m):
                let concrete = try states.map { try encoding.state(of: $0, in: m) }
                var trace = Trace<Encoding.System>(initial: concrete[0])
                for (before, after) in zip(concrete, concrete.dropFirst()) {
                    trace.append(try encoding.action(from: before, to: after), after)
                }
                let action = trace.steps.last?.action, before = concrete[max(0, concrete.count - 2)]
                // An invariant claimed from a condition is the temporal property C ⇒ []P.
                let violated = encoding.knownInvariants.first { invariants.contains($0.name) && !$0.holds(trace.last) }
                    .map { ($0.name, condition == nil ? PropertyKind.invariant : .temporal) }
                    ?? action.flatMap { action in
                        encoding.system.actionProperties.first { steps.contains($0.name) && !$0.holds(before, action, trace.last) }
                    }.map { ($0.name, PropertyKind.actionProperty) }
                guard let violated else {
                    throw Z3Error("the solver's trace violates a property symbolically but not concretely: the encoding is wrong")
                }
                let document = TraceDocument(trace, of: encoding.system, spec: model.spec, variant: model.variant,
                                             parameters: model.parameters, property: violated.0, kind: violated.1)
                return BMCReport(model: model, result: .violation, depthChecked: depth, counterexample: document,
                                 unknownReason: nil, seconds: seconds(since: start))
            }
        }
        return BMCReport(model: model, result: .ok, depthChecked: options.maxDepth, counterexample: nil,
                         unknownReason: nil, seconds: seconds(since: start))
    }

    /// What the reduction remembers of the steps so far.
    struct History {
        /// Who took the last step: its number, and whether the step was local.
        var last: (process: Term<Symbolic>, local: Formula<Symbolic>)?
        /// The order of the last two steps, asserted once a step follows them: the last step of
        /// a trace is left free, so that a trace whose last step breaks a step property keeps
        /// that step when the steps before it are reordered.
        var pending: Formula<Symbolic>?
        /// Whether each process has taken a step.
        var acted: [Int: Formula<Symbolic>] = [:]
    }

    /// Names who takes step `step` and constrains it against the steps before: a local step never
    /// follows a step of a higher-numbered process (``Actor``), and with interchangeable processes,
    /// process q > 0 takes a step only after process q - 1 has. Returns, for an attribution, the
    /// formula "this step is taken so".
    func reduce(step: Int, _ attributed: [Actor], in context: Z3Context, solver: Z3Solver,
                history: inout History) -> (Actor) -> Formula<Symbolic> {
        let processes = Set(attributed.compactMap(\.process)).sorted()
        let network = (processes.last ?? -1) + 1
        let process = Term<Symbolic>(context.intConstant("step\(step).process"))
        let local = Formula<Symbolic>(context.boolConstant("step\(step).local"))
        if let pending = history.pending { solver.add(pending) }
        history.pending = history.last.map { last in local ==> last.process <= process }
        history.last = (process, local)
        if encoding.interchangeableProcesses && processes == Array(processes.indices) {
            var acted: [Int: Formula<Symbolic>] = [:]
            for q in processes {
                let now = Formula<Symbolic>(context.boolConstant("step\(step).acted[\(q)]"))
                solver.add(now <=> ((history.acted[q] ?? Formula(false)) || process == Term(q)))
                if q > 0 { solver.add(process == Term(q) ==> (history.acted[q - 1] ?? Formula(false))) }
                acted[q] = now
            }
            history.acted = acted
        }
        return { actor in process == Term(actor.process ?? network) && (local <=> Formula(actor.isLocal)) }
    }

    /// A signed width that holds ±`bound`.
    static func bits(for bound: Int) -> UInt32 {
        var bits: UInt32 = 2
        while 1 << (Int(bits) - 1) <= bound { bits += 1 }
        return bits
    }
}
