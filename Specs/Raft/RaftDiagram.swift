import QuorumCore

extension Raft {
    /// Raft's trace as a sequence diagram: a lifeline per server labelled with its role, its term,
    /// its log as the terms of its entries and its commit index ("Leader t3 log[2 3] c1": the
    /// stories Raft's counterexamples tell, Figure 8 among them, are about an entry's term);
    /// an arrow per message from the step that sent it to the Receive that consumed it (or the
    /// DropMessage that lost it); copies made by DuplicateMessage marked as such.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard let terms = d.value("currentTerm", at: 0), d.variables.contains("messages") else { return nil }
        let servers = terms.keyTexts
        func index(_ v: ITFValue?) -> Int? { v.flatMap { servers.firstIndex(of: $0.text) } }
        func labels(_ k: Int) -> [String] {
            servers.map { s in
                var label = "\(d.value("state", at: k)?.value(at: s)?.text ?? "?") t\(d.value("currentTerm", at: k)?.value(at: s)?.text ?? "?")"
                if case .list(let entries)? = d.value("log", at: k)?.value(at: s) {
                    label += " log[" + entries.map { $0[field: "term"]?.text ?? "?" }.joined(separator: " ") + "]"
                }
                if let commit = d.value("commitIndex", at: k)?.value(at: s) { label += " c" + commit.text }
                return label
            }
        }
        func message(_ m: ITFValue) -> DiagramStep.Message {
            var label = (m[field: "mtype"]?.text ?? "message").replacingOccurrences(of: "Request", with: "Req")
                .replacingOccurrences(of: "Response", with: "Resp") + " t" + (m[field: "mterm"]?.text ?? "?")
            if let granted = m[field: "mvoteGranted"] { label += granted == .bool(true) ? " ✓" : " ✗" }
            if let success = m[field: "msuccess"] { label += success == .bool(true) ? " ✓" : " ✗" }
            return DiagramStep.Message(key: m.json, from: index(m[field: "msource"]), to: index(m[field: "mdest"]), label: label)
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let step = d.steps[k]
            var row = DiagramStep(actor: index(step.pick("i")), labels: labels(k))
            let (added, removed) = ITFValue.collectionChanges(d.value("messages", at: k - 1)!, d.value("messages", at: k)!)
            switch step.action {
            case "DuplicateMessage": row.duplicated = added.map(message)
            case "DropMessage": row.dropped = removed.map(message)
            case "Receive":
                row.sent = added.map(message)
                if let m = step.pick("m") {
                    row.actor = index(m[field: "mdest"])
                    row.received = [message(m)]
                    if !removed.contains(m) { row.kept = [message(m)] }
                }
            default:
                row.sent = added.map(message)
                row.received = removed.map(message)
            }
            rows.append(row)
        }
        return SequenceDiagram(lifelines: servers, steps: rows)
    }
}
