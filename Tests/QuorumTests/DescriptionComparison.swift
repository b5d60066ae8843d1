import QuorumCore

/// How a spec's fast functions compare with its one description, breadth first from the initial
/// states: the states compared, whether that was every reachable one, and each disagreement.
struct DescriptionComparison {
    var states = 0
    var exhausted = false
    var disagreements: [String] = []
}

/// Compares `model` with `description` on the first `limit` states found breadth first: the same
/// enabled actions in the same order (the description's instances read as the model's actions by
/// `action`, in the state it is taken from), the same successors, the same trace values, each state read back from its trace
/// values; and on every `every`-th state, that the description's candidates leave out no
/// instance whose guard holds. States past the model's bounds are compared as successors and not expanded.
func compare<Model: TransitionSystem, Description: GuardedSystem>(
    _ model: Model, with description: Description, limit: Int, every: Int = 7,
    described: (Model.State) -> Description.State, action: (Description.State, Description.Action) -> Model.Action
) -> DescriptionComparison {
    var result = DescriptionComparison()
    var seen: Set<Model.State> = [], frontier = model.initialStates, next: [Model.State] = []
    if model.initialStates.map(described) != description.initialStates { result.disagreements.append("initial states") }
    while !frontier.isEmpty && seen.count < limit {
        for s in frontier where seen.count < limit && seen.insert(s).inserted {
            let actions = model.enabledActions(in: s), v = described(s)
            var derived: [Description.Action] = []
            description.derivedEnabledActions(in: v, into: &derived)
            if actions != derived.map({ action(v, $0) }) { result.disagreements.append("actions in \(v)") }
            if seen.count % every == 1 {
                let all = description.actionInstances.filter { a in
                    var step = Step(StateTerms<Concrete, Description.State>(v, layout: description.layout))
                    return description.step(a, &step).value
                }
                if all != derived { result.disagreements.append("candidates in \(v)") }
            }
            for (a, d) in zip(actions, derived) {
                let t = model.apply(a, to: s)
                if described(t) != description.derivedApply(d, to: v) { result.disagreements.append("\(a) from \(v)") }
                if model.isWithinBounds(t) { next.append(t) }
            }
            let values = model.traceValues(of: s)
            if values != description.traceValues(of: v) { result.disagreements.append("trace values of \(v)") }
            if description.state(fromTraceValues: values) != v { result.disagreements.append("read back: \(values)") }
        }
        frontier = next
        next = []
    }
    result.states = seen.count
    result.exhausted = frontier.isEmpty
    if model.traceVariables != description.traceVariables { result.disagreements.append("trace variables") }
    return result
}
