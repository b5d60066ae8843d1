import Foundation
import QuorumCore

/// Shows that a symbolic encoding and the spec's pure functions allow the same transitions.
///
/// The reachable states are collected by a plain breadth-first search (within the spec's bounds);
/// for each state compared, the solver enumerates every successor the symbolic relation allows
/// (blocking each one found), and that set must equal the set of successors `enabledActions` and
/// `apply` compute within the spec's bounds. Both directions are checked: a transition only the spec allows, and one only
/// the encoding allows, are each reported.
public struct Conformance<Encoding: SymbolicEncoding>: Sendable {
    public let encoding: Encoding
    public let model: ModelIdentity

    public init(_ encoding: Encoding, model: ModelIdentity) {
        self.encoding = encoding
        self.model = model
    }

    public func check(_ options: ConformanceOptions) throws -> ConformanceReport {
        let start = DispatchTime.now()
        // With Z3's integers (prove's), then on the same states with bmc's bit-vectors, where an
        // integer bound too small for the encoding's values would make them wrap.
        let bits = options.bitVectors ? encoding.integerBound.map(BoundedModelChecker<Encoding>.bits(for:)) : nil
        let (reachable, all) = encoding.system.reachableStates(limit: options.maxStates)
        var compared = reachable
        if let sample = options.sample, sample < reachable.count {
            var generator = SeededGenerator(seed: options.seed)
            compared = Array(reachable.shuffled(using: &generator).prefix(sample))
        }
        // The compared states are split between workers, each with its own Z3 context; results
        // are put together in the order of the states, so they do not depend on the worker count.
        let workers = max(1, min(options.workers, compared.count))
        let parts = (0..<workers).map { w in Array(compared[(compared.count * w / workers)..<(compared.count * (w + 1) / workers)]) }
        var mismatches: [String] = []
        var successors = 0
        for width in [nil] + (bits.map { [$0] } ?? []) {
            let results = ResultSlots<Result<([String], Int), Error>>(count: workers)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                results.set(w, Result { try compare(parts[w], integerBits: width) })
            }
            for result in results.values {
                let (found, count) = try result!.get()
                mismatches += found.map { line in width.map { "with \($0)-bit integers: " + line } ?? line }
                if width == nil { successors += count }
            }
        }
        mismatches = Array(mismatches.prefix(10))
        var report = ConformanceReport(model: model, reachableStates: reachable.count, statesCompared: compared.count,
                                       successorsCompared: successors, mismatches: mismatches, seconds: seconds(since: start))
        report.allReachable = all
        report.integerBits = bits
        return report
    }

    /// Compares `states` in one fresh Z3 context; returns the mismatches and the successors compared.
    private func compare(_ states: [Encoding.System.State], integerBits: UInt32?) throws -> ([String], Int) {
        let system = encoding.system
        let context = Z3Context(integerBits: integerBits)
        let solver = Z3Solver(context, simple: true)
        let s = encoding.declare(in: context, prefix: "s")
        let t = encoding.declare(in: context, prefix: "t")
        solver.add(encoding.domain(t))
        let folding = states.first.flatMap { encoding.constant($0, in: context) } != nil
        if !folding {
            solver.add(encoding.domain(s))
            solver.add(encoding.next(from: s, to: t))
        }
        var mismatches: [String] = []
        var successors = 0
        for state in states {
            // Successors outside the bounds (TLC's state constraint) are outside the encoding's domain.
            let explicit = Set(system.enabledActions(in: state).map { system.apply($0, to: state) }.filter(system.isWithinBounds))
            successors += explicit.count
            var symbolic = Set<Encoding.System.State>()
            try solver.scoped {
                if folding, let constant = encoding.constant(state, in: context) {
                    solver.add(encoding.next(from: constant, to: t))
                } else {
                    solver.add(encoding.equals(s, state))
                }
                while case .satisfiable(let m) = try solver.check() {
                    let successor = try encoding.state(of: t, in: m)
                    guard symbolic.insert(successor).inserted else {
                        throw Z3Error("the encoding's state readout is not injective: the same successor came back twice")
                    }
                    solver.add(!encoding.equals(t, successor))
                }
            }
            for successor in symbolic.subtracting(explicit) {
                mismatches.append("only the encoding allows a step from \(describe(state)) to \(describe(successor))")
            }
            for successor in explicit.subtracting(symbolic) {
                let action = system.enabledActions(in: state).first { system.apply($0, to: state) == successor }!
                mismatches.append("only the spec allows \(action) from \(describe(state))")
            }
            if mismatches.count >= 10 { break }
        }
        return (mismatches, successors)
    }

    /// The reachable states within the spec's bounds, in breadth-first order, at most `limit`
    /// of them; and whether they are all of them.
    private func describe(_ state: Encoding.System.State) -> String {
        zip(encoding.system.traceVariables, encoding.system.traceValues(of: state))
            .map { "\($0.0) = \($0.1.text)" }.joined(separator: ", ")
    }
}

extension SymbolicModel {
    /// The engines of QuorumZ3 over `encoding`.
    public init<Encoding: SymbolicEncoding>(_ encoding: Encoding, model: ModelIdentity) {
        self.init(
            prove: { try Prover(encoding, model: model).prove($0) },
            bmc: { try BoundedModelChecker(encoding, model: model).run($0) },
            conform: { try Conformance(encoding, model: model).check($0) })
    }
}

/// One slot per worker for its result, written once each from concurrent workers.
private final class ResultSlots<Value>: @unchecked Sendable {
    private var slots: [Value?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Value) { lock.withLock { slots[index] = value } }
    var values: [Value?] { lock.withLock { slots } }
}
