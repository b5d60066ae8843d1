/// A trace as a message sequence diagram: one lifeline per process, one row per step, an arrow per
/// message from the step that sent it to the step that received it.
///
/// Specs describe their steps in terms of ``DiagramStep`` (who acted, what was sent, received,
/// dropped or duplicated, and a short label per lifeline); ``SequenceDiagram/init(lifelines:steps:)``
/// pairs sends with receives. Everything is derived from a trace file's values, so any committed
/// counterexample can be drawn without re-running the checker.
public struct SequenceDiagram: Sendable, Equatable {
    public struct Arrow: Sendable, Equatable {
        /// `spontaneous`: received with no recorded send, as a faulty process's message may be.
        public enum Kind: String, Sendable { case delivered, dropped, inFlight = "in flight", spontaneous }
        /// Lifeline indices; `to` is nil for a broadcast that nobody received yet.
        public let from: Int?
        public let to: Int?
        /// Row of the send (0 for the initial state) and of the receipt (nil: never received).
        public let sent: Int
        public let received: Int?
        public let kind: Kind
        public let label: String
        /// A copy made by a duplicating step.
        public let duplicate: Bool
    }

    public let lifelines: [String]
    /// Row 0 is the initial state; row k the state after step k.
    public let rows: [DiagramStep]
    public let arrows: [Arrow]

    /// Pairs every receipt with the latest earlier send of the same message (by key); a receipt
    /// without a send (a message a faulty process may always produce) gets an arrow from its
    /// sender at the same row, and sends never received stay in flight.
    public init(lifelines: [String], steps rows: [DiagramStep]) {
        self.lifelines = lifelines
        self.rows = rows
        var open: [(key: String, from: Int?, to: Int?, row: Int, label: String, duplicate: Bool, receivers: Set<Int>)] = []
        var arrows: [Arrow] = []
        for (row, step) in rows.enumerated() {
            for message in step.received + step.dropped {
                let dropped = step.dropped.contains { $0.key == message.key } && !step.received.contains { $0.key == message.key }
                let at = dropped ? message.to : (message.to ?? step.actor)
                if let k = open.lastIndex(where: { $0.key == message.key && !(at.map($0.receivers.contains) ?? false) }) {
                    let send = open[k]
                    arrows.append(Arrow(from: send.from, to: at, sent: send.row, received: row,
                                        kind: dropped ? .dropped : .delivered, label: send.label, duplicate: send.duplicate))
                    let kept = send.to == nil || step.kept.contains { $0.key == message.key }
                    if send.to == nil, let at { open[k].receivers.insert(at) }
                    if !kept { open.remove(at: k) }
                } else {
                    arrows.append(Arrow(from: message.from, to: at, sent: row, received: row, kind: dropped ? .dropped : .spontaneous,
                                        label: message.label, duplicate: false))
                }
            }
            for message in step.sent {
                open.append((message.key, message.from ?? step.actor, message.to, row, message.label, false, []))
            }
            for message in step.duplicated {
                open.append((message.key, message.from, message.to, row, message.label, true, []))
            }
        }
        for send in open where send.to != nil || send.receivers.isEmpty {
            arrows.append(Arrow(from: send.from, to: send.to, sent: send.row, received: nil, kind: .inFlight,
                                label: send.label, duplicate: send.duplicate))
        }
        self.arrows = arrows.sorted { ($0.sent, $0.received ?? Int.max) < ($1.sent, $1.received ?? Int.max) }
    }
}

/// What one step did, as a diagram shows it.
public struct DiagramStep: Sendable, Equatable {
    public struct Message: Sendable, Equatable {
        /// Identifies the message across steps (its trace value as text).
        public let key: String
        public let from: Int?
        /// Nil for a message to everyone.
        public let to: Int?
        public let label: String

        public init(key: String, from: Int?, to: Int?, label: String) {
            self.key = key
            self.from = from
            self.to = to
            self.label = label
        }
    }

    /// The lifeline that took the step, if one did.
    public var actor: Int?
    /// A short label per lifeline after the step ("Leader t2"); shown where it changes.
    public var labels: [String]
    public var sent: [Message] = []
    public var received: [Message] = []
    public var dropped: [Message] = []
    public var duplicated: [Message] = []
    /// Received messages that stay in the network (raft.tla leaves an AppendEntries request that
    /// appended an entry in the bag, to be processed again).
    public var kept: [Message] = []

    public init(actor: Int?, labels: [String]) {
        self.actor = actor
        self.labels = labels
    }
}

extension ITFValue {
    /// The entries of a map whose keys print as `name`, in key order: `pc[1]`, `state[s1]`.
    public func value(at key: String) -> ITFValue? {
        if case .map(let pairs) = self { return pairs.first { $0.key.text == key }?.value }
        return nil
    }

    /// The keys of a map, as text.
    public var keyTexts: [String] {
        if case .map(let pairs) = self { return pairs.map(\.key.text) }
        return []
    }

    /// A set's elements, or a bag's (a map to counts) messages with their counts.
    public var counted: [(ITFValue, Int)] {
        switch self {
        case .set(let xs): return xs.map { ($0, 1) }
        case .map(let pairs): return pairs.map { ($0.key, $0.value.intValue ?? 1) }
        default: return []
        }
    }

    /// What changed between two sets or bags: elements added (with the copies added) and removed.
    public static func collectionChanges(_ before: ITFValue, _ after: ITFValue) -> (added: [ITFValue], removed: [ITFValue]) {
        let old = before.counted, new = after.counted
        var added: [ITFValue] = [], removed: [ITFValue] = []
        for (value, count) in new {
            let was = old.first { $0.0 == value }?.1 ?? 0
            if count > was { added += Array(repeating: value, count: count - was) }
        }
        for (value, count) in old {
            let now = new.first { $0.0 == value }?.1 ?? 0
            if count > now { removed += Array(repeating: value, count: count - now) }
        }
        return (added, removed)
    }
}
