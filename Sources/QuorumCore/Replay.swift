/// The outcome of re-executing a trace file against a spec.
public struct ReplayReport: Sendable {
    /// Steps replayed (transitions).
    public let length: Int
    /// The invariants that fail in the last state, and the action properties that fail on the last step.
    public let failing: [String]
    /// True when the file names a violated property and the replay reproduced it.
    public let reproduced: Bool
}

/// Why a trace file does not replay: the place where the file and the spec part ways.
public struct ReplayError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TransitionSystem {
    /// Re-executes `document`: the first state must be an initial state, every step's action must be
    /// enabled, and every state must be the one the pure functions compute.
    public func replay(_ document: TraceDocument) throws -> ReplayReport {
        guard document.variables == traceVariables else {
            throw ReplayError("the trace's variables \(document.variables) are not the spec's \(traceVariables)")
        }
        let dropped = Set(document.induction?.dropped ?? [])
        var state: State
        if let induction = document.induction {
            // A counterexample to induction starts anywhere the invariants hold.
            guard let first = self.state(fromTraceValues: document.steps[0].values),
                  traceValues(of: first) == document.steps[0].values else {
                throw ReplayError("state 0 is not a state of the spec")
            }
            for name in induction.invariants {
                guard let invariant = invariants.first(where: { $0.name == name }) else {
                    throw ReplayError("the trace assumes \(name), which the spec does not define")
                }
                for conjunct in dropped where !invariant.conjuncts.contains(where: { $0.name == conjunct }) {
                    throw ReplayError("the trace leaves out \(conjunct), which is not a conjunct of \(name)")
                }
                guard invariant.holds(first, without: dropped) else {
                    throw ReplayError("state 0 does not satisfy \(document.assumption), which a counterexample to induction assumes")
                }
            }
            state = first
        } else {
            guard let initial = initialStates.first(where: { traceValues(of: $0) == document.steps[0].values }) else {
                throw ReplayError("state 0 is not an initial state of the spec: "
                    + TraceDocument.changes(traceVariables, traceValues(of: initialStates[0]), document.steps[0].values).joined(separator: "; "))
            }
            state = initial
        }
        var lastStep: (State, Action)? = nil
        for (index, step) in document.steps.enumerated().dropFirst() {
            guard let action = enabledActions(in: state).first(where: { action in
                action.name == step.action && Self.picks(of: action) == step.picks
            }) else {
                throw ReplayError("step \(index): \(step.description) (\(step.action) \(step.picks.text)) is not enabled in the state before it")
            }
            let next = apply(action, to: state)
            let computed = traceValues(of: next)
            if computed != step.values {
                let changes = TraceDocument.changes(traceVariables, computed, step.values)
                throw ReplayError("step \(index): after \(action), the file differs from the spec: "
                    + changes.prefix(3).joined(separator: "; ") + " (spec → file)")
            }
            lastStep = (state, action)
            state = next
        }
        var failing = invariants.filter { !$0.holds(state, without: dropped) }.map(\.name)
        if let (before, action) = lastStep {
            failing += actionProperties.filter { !$0.holds(before, action, state) }.map(\.name)
        }
        if enabledActions(in: state).isEmpty { failing.append("Deadlock") }
        var reproduced = false
        if let property = document.property {
            guard failing.contains(property) else {
                throw ReplayError("the trace replays, but \(property) holds at its end: the recorded violation is not reproduced")
            }
            reproduced = true
        }
        return ReplayReport(length: document.steps.count - 1, failing: failing, reproduced: reproduced)
    }

    static func picks(of action: Action) -> ITFValue {
        .record(action.parameters.map { ($0.0, ITFValue.variant(tag: "Some", value: $0.1)) })
    }
}
