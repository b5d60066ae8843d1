/// The outcome of re-executing a trace file against a spec.
public struct ReplayReport: Sendable {
    /// Steps replayed (transitions).
    public let length: Int
    /// The invariants that fail in the last state, and the action properties that fail on the last step.
    public let failing: [String]
    /// True when the file names a violated property and the replay reproduced it.
    public let reproduced: Bool
    /// For a lasso: where its cycle starts (the loop closes, the cycle is fair, and the property's
    /// goal never holds on it).
    public var loop: Int? = nil
    /// For a counterexample to induction: what its first state satisfies (it need not be
    /// reachable, so the file shows that the assumption is not inductive, not that the spec is
    /// violated).
    public var induction: String? = nil
    /// Why the recorded property fails at the end, where the spec can say.
    public var explanation: Explanation? = nil
}

/// Why a property fails in a trace's last state (or on its last step): its text, the conjuncts
/// that are false there, and the variables those conjuncts read.
public struct Explanation: Sendable, Equatable {
    public let property: String
    public let summary: String
    public let failingConjuncts: [String]
    /// The variables the failing parts of the property read (empty when the spec does not record reads).
    public let reads: [String]

    /// One line for the terminal.
    public var text: String {
        var out = "\(property): \(summary)"
        if !failingConjuncts.isEmpty { out += "; false: " + failingConjuncts.joined(separator: ", ") }
        if !reads.isEmpty { out += "; it reads " + reads.joined(separator: ", ") }
        return out
    }
}

/// Why a trace file does not replay: the place where the file and the spec part ways.
public struct ReplayError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension TransitionSystem {
    /// Re-executes `document`: the first state must be an initial state, every step's action must be
    /// enabled, every state must be the one the pure functions compute, and every state must lie
    /// within the bounds the file names (the last may leave them only where it shows an invariant
    /// or a step property failing, as the explorer checks those on successors beyond the bounds).
    /// A counterexample to induction starts in an arbitrary state that satisfies its assumption
    /// and takes at most one step; a lasso or a temporal trace must start in an initial state.
    public func replay(_ document: TraceDocument) throws -> ReplayReport {
        guard document.variables == traceVariables else {
            throw ReplayError("the trace's variables \(document.variables) are not the spec's \(traceVariables)")
        }
        let dropped = Set(document.induction?.dropped ?? [])
        // A counterexample to induction may assume, and break, an invariant claimed from a condition.
        let assumable = invariants + conditionedInvariants.map(\.invariant)
        let checked = document.induction == nil ? invariants : assumable
        let last = document.steps.count - 1
        let mayEndOutOfBounds = document.induction == nil && document.loop == nil
            && (document.propertyKind == .invariant || document.propertyKind == .actionProperty)
        func checkBounds(_ state: State, _ index: Int) throws {
            guard isWithinBounds(state) || (index == last && mayEndOutOfBounds) else {
                throw ReplayError("state \(index) leaves the bounds the file names (its #meta.parameters)"
                    + (index == last ? "" : "; the explorer would not have gone on from it"))
            }
        }
        var state: State
        if let induction = document.induction {
            // A counterexample to induction starts anywhere the invariants hold.
            guard document.loop == nil, document.propertyKind != .temporal else {
                throw ReplayError("a lasso or a temporal trace must start in an initial state, not in an arbitrary state satisfying \(document.assumption)")
            }
            guard last <= 1, document.property != nil else {
                throw ReplayError("a counterexample to induction is an arbitrary state satisfying \(document.assumption) and at most one step to a state that violates a named property; this file has \(last) steps"
                    + (document.property == nil ? " and names no property" : ""))
            }
            guard let first = self.state(fromTraceValues: document.steps[0].values),
                  traceValues(of: first) == document.steps[0].values else {
                throw ReplayError("state 0 is not a state of the spec within the bounds the file names")
            }
            try checkBounds(first, 0)
            for name in induction.invariants {
                guard let invariant = assumable.first(where: { $0.name == name }) else {
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
            try checkBounds(initial, 0)
        }
        var lastStep: (State, Action)? = nil
        var states = [state]
        var actions: [Action] = []
        for (index, step) in document.steps.enumerated().dropFirst() {
            guard let action = enabledActions(in: state).first(where: { action in
                action.name == step.action && Self.picks(of: action) == step.picks
            }) else {
                throw ReplayError("step \(index): \(step.description) (\(step.action) \(step.picks.text)) is not enabled in the state before it")
            }
            guard step.description == action.description else {
                throw ReplayError("step \(index): the file describes \(step.action) \(step.picks.text) as \"\(step.description)\", but the spec describes it as \"\(action.description)\"")
            }
            let next = apply(action, to: state)
            let computed = traceValues(of: next)
            if computed != step.values {
                let changes = TraceDocument.changes(traceVariables, computed, step.values)
                throw ReplayError("step \(index): after \(action), the file differs from the spec: "
                    + changes.prefix(3).joined(separator: "; ") + " (spec → file)")
            }
            try checkBounds(next, index)
            lastStep = (state, action)
            state = next
            states.append(next)
            actions.append(action)
        }
        if document.propertyKind == .temporal || document.loop != nil {
            return try replayTemporal(document, states: states, actions: actions)
        }
        var failing = checked.filter { !$0.holds(state, without: dropped) }.map(\.name)
        if let (before, action) = lastStep {
            failing += actionProperties.filter { !$0.holds(before, action, state) }.map(\.name)
        }
        if isWithinBounds(state) && enabledActions(in: state).isEmpty { failing.append("Deadlock") }
        var reproduced = false
        if let property = document.property {
            guard failing.contains(property) else {
                throw ReplayError("the trace replays, but \(property) holds at its end: the recorded violation is not reproduced")
            }
            reproduced = true
        }
        var report = ReplayReport(length: document.steps.count - 1, failing: failing, reproduced: reproduced,
                                  induction: document.induction == nil ? nil : document.assumption)
        report.explanation = document.property.flatMap { explain($0, in: state, dropped: dropped, among: checked) }
        return report
    }

    /// Why `property` fails in `state`: for an invariant, its false conjuncts and what its false
    /// parts read (variable k of ``traceVariables`` is bit k of the reads); for a step property,
    /// its text.
    func explain(_ property: String, in state: State, dropped: Set<String> = [], among invariants: [Invariant<State>]? = nil) -> Explanation? {
        if let invariant = (invariants ?? self.invariants).first(where: { $0.name == property }) {
            let conjuncts = invariant.conjuncts.filter { !dropped.contains($0.name) && !$0.holds(state) }.map(\.name)
            var reads: VariableSet = 0
            for part in invariant.recordingReads {
                var read: VariableSet = 0
                if !part(state, &read) { reads |= read }
            }
            // A bit that stands for part of a variable names that variable.
            var whole = reads
            for bit in min(traceVariables.count, 64)..<64 where reads & (1 << UInt64(bit)) != 0 {
                if let k = variable(ofPart: bit), traceVariables.indices.contains(k), k < 64 { whole |= 1 << UInt64(k) }
            }
            let names = reads == .max ? [] : traceVariables.indices.filter { $0 < 64 && whole & (1 << UInt64($0)) != 0 }.map { traceVariables[$0] }
            return Explanation(property: property, summary: invariant.summary, failingConjuncts: conjuncts, reads: names)
        }
        if let step = actionProperties.first(where: { $0.name == property }) {
            return Explanation(property: property, summary: step.summary, failingConjuncts: [], reads: [])
        }
        return nil
    }

    /// Checks that the replayed behaviour violates the temporal property the file names: for a
    /// lasso, that the loop closes, that the goal never holds where it must, and that the cycle is fair.
    private func replayTemporal(_ document: TraceDocument, states: [State], actions: [Action]) throws -> ReplayReport {
        guard let name = document.property, document.propertyKind == .temporal,
              let property = temporalProperties.first(where: { $0.name == name }) else {
            throw ReplayError("a trace with a loop must name a temporal property of the spec in #meta.violation")
        }
        let last = states.count - 1
        let length = document.steps.count - 1
        if property.form == .always {
            guard document.loop == nil else { throw ReplayError("\(name) is violated by a finite trace, but the file has a loop") }
            guard property.trigger(states[0]) else { throw ReplayError("state 0 does not meet the starting condition of \(name)") }
            guard !property.goal(states[last]) else {
                throw ReplayError("the trace replays, but \(name) holds at its end: the recorded violation is not reproduced")
            }
            return ReplayReport(length: length, failing: [name], reproduced: true)
        }
        guard let loop = document.loop else { throw ReplayError("\(name) is a liveness property: its counterexample needs a \"loop\"") }
        if let steps = property.steps, let k = actions.indices.first(where: { !steps.allows(states[$0], actions[$0]) }) {
            throw ReplayError("step \(k + 1) is not allowed by \(name)'s assumption (\(steps.name))")
        }
        guard states[last] == states[loop] else { throw ReplayError("the loop does not close: state \(last) is not state \(loop)") }
        let cycleStates = loop == last ? [states[last]] : Array(states[loop..<last])
        if cycleStates.contains(where: property.goal) {
            throw ReplayError("\(name)'s goal holds on the cycle: the behaviour does not violate it")
        }
        switch property.form {
        case .eventually:
            guard property.trigger(states[0]) else { throw ReplayError("state 0 does not meet the starting condition of \(name)") }
            if let k = states.firstIndex(where: property.goal) { throw ReplayError("\(name)'s goal holds in state \(k)") }
        case .leadsTo:
            // Some state where the premise holds must be followed by goal-free states only.
            let lastGood = states.lastIndex(where: property.goal) ?? -1
            guard states.indices.contains(where: { $0 > lastGood && property.trigger(states[$0]) }) else {
                throw ReplayError("no state where the premise of \(name) holds is followed only by states where its goal fails")
            }
        case .infinitelyOften, .always:
            break
        }
        for fairness in property.fairness {
            let cycleSteps = loop == last ? [] : Array(loop..<last)
            let taken = cycleSteps.contains { k in fairness.matches(states[k], actions[k]) && states[k + 1] != states[k] }
            let enabled = cycleStates.map { state in
                enabledActions(in: state).contains { action in
                    guard fairness.matches(state, action) else { return false }
                    let next = apply(action, to: state)
                    return next != state && (!document.boundedFairness || isWithinBounds(next))
                }
            }
            let fair = taken || (fairness.kind == .weak ? enabled.contains(false) : !enabled.contains(true))
            guard fair else { throw ReplayError("the cycle is not fair: \(fairness.text) is violated on it") }
        }
        return ReplayReport(length: length, failing: [name], reproduced: true, loop: loop)
    }

    static func picks(of action: Action) -> ITFValue {
        .record(action.parameters.map { ($0.0, ITFValue.variant(tag: "Some", value: $0.1)) })
    }
}
