import QuorumCore

extension TwoPhaseCommit {
    /// The TM and one lifeline per RM, labelled with their states; Prepared goes to the TM, Commit
    /// and Abort to every RM, and arrows end where TMRcvPrepared or RMRcv…Msg acts on them.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard let rmState = d.value("rmState", at: 0) else { return nil }
        let rms = rmState.keyTexts
        func index(_ v: ITFValue?) -> Int? { v.flatMap { rms.firstIndex(of: $0.text) }.map { $0 + 1 } }
        func labels(_ k: Int) -> [String] {
            [d.value("tmState", at: k)?.text ?? "?"] + rms.map { d.value("rmState", at: k)?.value(at: $0)?.text ?? "?" }
        }
        func message(_ m: ITFValue) -> DiagramStep.Message {
            let type = m[field: "type"]?.text ?? "?"
            return DiagramStep.Message(key: m.json, from: type == "Prepared" ? index(m[field: "rm"]) : 0,
                                       to: type == "Prepared" ? 0 : nil, label: type)
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let step = d.steps[k]
            let rm = index(step.pick("rm"))
            var row = DiagramStep(actor: step.action.hasPrefix("TM") ? 0 : rm, labels: labels(k))
            row.sent = ITFValue.collectionChanges(d.value("msgs", at: k - 1)!, d.value("msgs", at: k)!).added.map(message)
            switch step.action {
            case "TMRcvPrepared":
                if let name = step.pick("rm") { row.received = [message(.record([("type", .string("Prepared")), ("rm", name)]))] }
            case "RMRcvCommitMsg": row.received = [message(.record([("type", .string("Commit"))]))]
            case "RMRcvAbortMsg": row.received = [message(.record([("type", .string("Abort"))]))]
            default: break
            }
            rows.append(row)
        }
        return SequenceDiagram(lifelines: ["TM"] + rms, steps: rows)
    }
}
