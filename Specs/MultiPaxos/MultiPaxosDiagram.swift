import QuorumCore

extension MultiPaxos {
    /// One lifeline per replica, labelled with its role, ballot and commit point; each step's new
    /// messages leave its replica, and a handler's message ends at the replica that handles it.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard let nodes = d.value("node", at: 0) else { return nil }
        let replicas = nodes.keyTexts
        func index(_ v: ITFValue?) -> Int? { v.flatMap { replicas.firstIndex(of: $0.text) } }
        func labels(_ k: Int) -> [String] {
            replicas.map { r in
                guard let node = d.value("node", at: k)?.value(at: r) else { return "?" }
                let leader = node[field: "leader"]?.text == r ? "leader" : "follower"
                return "\(leader) b\(node[field: "balMaxKnown"]?.text ?? "?") commit \(node[field: "commitUpTo"]?.text ?? "?")"
            }
        }
        func message(_ m: ITFValue) -> DiagramStep.Message {
            DiagramStep.Message(key: m.json, from: index(m[field: "src"]), to: nil, label: m[field: "type"]?.text ?? "?")
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let step = d.steps[k]
            var row = DiagramStep(actor: index(step.pick("self")), labels: labels(k))
            if let before = d.value("msgs", at: k - 1), let after = d.value("msgs", at: k) {
                row.sent = ITFValue.collectionChanges(before, after).added.map(message)
            }
            if let m = step.pick("m") { row.received = [message(m)] }
            rows.append(row)
        }
        return SequenceDiagram(lifelines: replicas, steps: rows)
    }
}
