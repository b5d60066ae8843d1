import QuorumCore

extension Paxos {
    /// Paxos's trace as a sequence diagram: a lifeline for the ballots' leaders and one per acceptor
    /// (labelled with maxBal and its last vote). 1a and 2a messages go to every acceptor, 1b to
    /// the leaders, 2b to everyone; an arrow ends where Phase1b, Phase2a or Phase2b acts on it.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard let maxBal = d.value("maxBal", at: 0), d.variables.contains("msgs") else { return nil }
        let acceptors = maxBal.keyTexts
        let lifelines = ["leaders"] + acceptors
        func index(_ v: ITFValue?) -> Int? { v.flatMap { acceptors.firstIndex(of: $0.text) }.map { $0 + 1 } }
        func labels(_ k: Int) -> [String] {
            [""] + acceptors.map { a in
                let vbal = d.value("maxVBal", at: k)?.value(at: a)?.intValue ?? -1
                let vote = vbal < 0 ? "" : " voted \(d.value("maxVal", at: k)?.value(at: a)?.text ?? "?")@\(vbal)"
                return "maxBal \(d.value("maxBal", at: k)?.value(at: a)?.text ?? "?")" + vote
            }
        }
        func message(_ m: ITFValue) -> DiagramStep.Message {
            let type = m[field: "type"]?.text ?? "?"
            var label = type + " b" + (m[field: "bal"]?.text ?? "?")
            if let val = m[field: "val"] { label += " " + val.text }
            if type == "1b", let mbal = m[field: "mbal"]?.intValue, mbal >= 0 { label += " (voted \(m[field: "mval"]?.text ?? "?")@\(mbal))" }
            let from = type == "1a" || type == "2a" ? 0 : index(m[field: "acc"])
            return DiagramStep.Message(key: m.json, from: from, to: type == "1b" ? 0 : nil, label: label)
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let step = d.steps[k]
            let acting = step.action == "Phase1a" || step.action == "Phase2a" ? 0 : index(step.pick("a"))
            var row = DiagramStep(actor: acting, labels: labels(k))
            row.sent = ITFValue.collectionChanges(d.value("msgs", at: k - 1)!, d.value("msgs", at: k)!).added.map(message)
            switch step.action {
            case "Phase1b":
                if let b = step.pick("m") { row.received = [message(.record([("type", .string("1a")), ("bal", b)]))] }
            case "Phase2b":
                if let m = step.pick("m"), let b = m[field: "bal"], let v = m[field: "val"] {
                    row.received = [message(.record([("type", .string("2a")), ("bal", b), ("val", v)]))]
                }
            case "Phase2a":
                // The 1b messages of the quorum Q that justified the proposal.
                let quorum = step.pick("Q")?.counted.map(\.0.text) ?? []
                row.received = (d.value("msgs", at: k - 1)?.counted.map(\.0) ?? []).filter { m in
                    m[field: "type"]?.text == "1b" && m[field: "bal"] == step.pick("b") && quorum.contains(m[field: "acc"]?.text ?? "")
                }.map(message)
            default:
                break
            }
            rows.append(row)
        }
        return SequenceDiagram(lifelines: lifelines, steps: rows)
    }
}
