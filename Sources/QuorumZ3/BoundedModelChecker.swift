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
        let start = DispatchTime.now()
        let known = encoding.system.invariants.map(\.name)
        let names = options.invariants ?? known
        for name in names where !known.contains(name) {
            throw UsageError("unknown invariant '\(name)' of \(model.spec); known: \(known.joined(separator: ", "))")
        }
        let context = Z3Context()
        let solver = Z3Solver(context, timeout: options.timeout, simple: true)
        var states = [encoding.declare(in: context, prefix: "s0")]
        solver.add(encoding.domain(states[0]))
        solver.add(encoding.initial(states[0]))
        for depth in 0...options.maxDepth {
            let depthStart = DispatchTime.now()
            if depth > 0 {
                let next = encoding.declare(in: context, prefix: "s\(depth)")
                solver.add(encoding.domain(next))
                solver.add(encoding.next(from: states[depth - 1], to: next))
                states.append(next)
            }
            let outcome = try solver.scoped { () throws -> Z3Outcome in
                solver.add(!encoding.invariants(names, on: states[depth], without: []))
                return try solver.check()
            }
            options.progress?(depth, seconds(since: depthStart))
            switch outcome {
            case .unsatisfiable:
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
                guard let violated = encoding.system.invariants.first(where: { names.contains($0.name) && !$0.holds(trace.last) }) else {
                    throw Z3Error("the solver's last state violates the invariants symbolically but not concretely: the encoding is wrong")
                }
                let document = TraceDocument(trace, of: encoding.system, spec: model.spec, variant: model.variant,
                                             parameters: model.parameters, property: violated.name, kind: .invariant)
                return BMCReport(model: model, result: .violation, depthChecked: depth, counterexample: document,
                                 unknownReason: nil, seconds: seconds(since: start))
            }
        }
        return BMCReport(model: model, result: .ok, depthChecked: options.maxDepth, counterexample: nil,
                         unknownReason: nil, seconds: seconds(since: start))
    }
}
