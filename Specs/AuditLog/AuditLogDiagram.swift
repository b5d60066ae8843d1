import QuorumCore

extension AuditLog {
    /// Three lifelines: the stations appending to the true log, the replica, and the adversary;
    /// no messages. Labels show the true log, the replica with the auditor's verdict, and the edits.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard d.variables.contains("log"), d.variables.contains("replica") else { return nil }
        func records(_ v: ITFValue?) -> String {
            guard case .list(let xs)? = v else { return "?" }
            return xs.isEmpty ? "empty" : xs.map { ($0[field: "record"] ?? $0).text }.joined(separator: "·")
        }
        func labels(_ k: Int) -> [String] {
            ["log " + records(d.value("log", at: k)),
             records(d.value("replica", at: k)) + (d.value("auditorAccepts", at: k) == .bool(true) ? " (accepted)" : " (rejected)"),
             "edits " + (d.value("edits", at: k)?.text ?? "?")]
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let actor = switch d.steps[k].action { case "Append": 0; case "Sync": 1; default: 2 }
            rows.append(DiagramStep(actor: actor, labels: labels(k)))
        }
        return SequenceDiagram(lifelines: ["stations", "replica", "adversary"], steps: rows)
    }
}
