import QuorumCore

extension ResultBroadcast {
    /// A station per lifeline, labelled with its pc (and "faulty"); an ECHO goes to every station,
    /// and an arrow ends where a station's Receive first takes it in. A faulty station's echo has
    /// no send: it is there whenever a faulty station wants.
    public static func diagram(_ d: TraceDocument) -> SequenceDiagram? {
        guard let pc = d.value("pc", at: 0), d.variables.contains("sent") else { return nil }
        let stations = pc.keyTexts
        let faulty = d.value("Faulty", at: 0)?.counted.map(\.0.text) ?? []
        func index(_ v: ITFValue?) -> Int? { v.flatMap { stations.firstIndex(of: $0.text) } }
        func labels(_ k: Int) -> [String] {
            stations.map { s in (d.value("pc", at: k)?.value(at: s)?.text ?? "?") + (faulty.contains(s) ? " (faulty)" : "") }
        }
        func echo(_ m: ITFValue) -> DiagramStep.Message {
            var sender: Int? = nil
            if case .tuple(let parts) = m, let first = parts.first { sender = index(first) }
            return DiagramStep.Message(key: m.json, from: sender, to: nil, label: "ECHO")
        }
        var rows = [DiagramStep(actor: nil, labels: labels(0))]
        for k in 1..<d.steps.count {
            let step = d.steps[k]
            let actor = index(step.pick("self"))
            var row = DiagramStep(actor: actor, labels: labels(k))
            row.sent = ITFValue.collectionChanges(d.value("sent", at: k - 1)!, d.value("sent", at: k)!).added.map(echo)
            if let station = step.pick("self")?.text, let before = d.value("rcvd", at: k - 1)?.value(at: station),
               let after = d.value("rcvd", at: k)?.value(at: station) {
                row.received = ITFValue.collectionChanges(before, after).added.map(echo)
            }
            rows.append(row)
        }
        return SequenceDiagram(lifelines: stations, steps: rows)
    }
}
