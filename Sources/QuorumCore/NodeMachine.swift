/// One node of a running cluster: the spec's own steps, projected onto one process. It holds a
/// state of the spec in which only its own variables and the messages it has sent or received
/// mean anything; it takes the enabled steps the spec gives its node (``TransitionSystem/node(of:)``),
/// and a step's new messages are what the node sends.
///
/// Pure, as etcd-raft's `Step` is: no clock, no sockets, no files. The caller delivers messages
/// (``deliver(_:)``), asks for a step (``step(choosing:allowed:ranking:)``) and carries away what it sends and the
/// event to log; timers, the network and storage are the caller's.
public struct NodeMachine: Sendable {
    /// The node's process as traces and node logs name it.
    public let node: ITFValue
    /// What a step did: the event to log (as `quorum validate` reads it, or nil for a step of no
    /// process, which nodes do not log) and the messages to send (ITF values of the message variable's elements).
    public struct Taken: Sendable {
        /// The action's name and its description ("leader of ballot 1 → all: Phase1a(ballot 1)").
        public let name: String
        public let action: String
        public let event: NodeEvent?
        public let sent: [ITFValue]
        /// The messages the step took in: copies that left the node's bag (none for a set,
        /// which keeps what it has heard).
        public let received: [ITFValue]
    }

    /// Ranks a candidate step by its name and parameters (as traces record them): nil leaves it
    /// out; among the rest only those of the lowest rank are chosen from.
    public typealias Ranking = (_ name: String, _ parameters: [(String, ITFValue)]) -> Int?

    let stepBox: @Sendable (inout [ITFValue], inout (any Sendable)?, (Int) -> Int, (String, String) -> Bool, Ranking?) -> Taken?
    let deliverBox: @Sendable (inout [ITFValue], inout (any Sendable)?, ITFValue) -> Bool
    let readBox: @Sendable ([ITFValue]) -> [ITFValue]?
    let decisionBox: @Sendable ([ITFValue], (any Sendable)?) -> ITFValue?
    /// The node's state as trace values (the spec's variables, in order).
    public private(set) var values: [ITFValue]
    let messageIndex: Int?
    /// The same state as the spec's own value, when known: kept between steps so that a step
    /// does not read the whole state back from trace values (a cluster's logs grow long).
    var typed: (any Sendable)?

    /// The node `me` of `system`, in `state` (an initial state); nil when the spec has no
    /// message variable or `me` is not one of its processes.
    public init?<System: TransitionSystem>(_ system: System, node me: Int, from state: System.State) {
        guard let variable = system.messageVariable, let k = system.traceVariables.firstIndex(of: variable),
              let count = system.processCount, (0..<count).contains(me) else { return nil }
        node = system.processValue(me)
        messageIndex = k
        values = system.traceValues(of: state)
        typed = state
        let names = system.traceVariables
        let node = self.node
        stepBox = { values, typed, choose, allowed, ranking in
            guard let state = (typed as? System.State) ?? system.state(fromTraceValues: values) else { return nil }
            // A step that changes nothing (Paxos's Phase2b on a message already voted on) is a
            // stutter, which a running node does not take.
            // Each candidate's successor is kept, so that the chosen step is not computed twice.
            var mine: [(action: System.Action, next: System.State, recorded: any TraceableAction)] = []
            var enabled: [System.Action] = []
            system.enabledActions(in: state, into: &enabled) { system.node(of: $0) == me && allowed($0.name, $0.description) }
            var best = Int.max
            for action in enabled {
                // Logged as traces record it (raft.tla's Receive(m) names the message, not a place).
                let recorded = system.recorded(action, from: state)
                var rank = 0
                if let ranking {
                    guard let r = ranking(recorded.name, recorded.parameters), r <= best else { continue }
                    rank = r
                }
                let next = system.apply(action, to: state)
                guard next != state && system.isWithinBounds(next) else { continue }
                if rank < best {
                    best = rank
                    mine.removeAll()
                }
                mine.append((action, next, recorded))
            }
            if mine.isEmpty { return nil }
            let (action, next, recorded) = mine[choose(mine.count)]
            var after = system.traceValues(of: next)
            guard let (sent, kept, received) = Messages.sent(before: values[k], after: after[k]) else { return nil }
            // What the step sent is on the network now; a bag keeps only what the node has yet to receive.
            after[k] = kept
            values = after
            // Only the message variable differs from `next`; nil: read it all next time.
            typed = system.state(next, with: kept, forVariable: k)
            var event: NodeEvent? = nil
            // Every step the node takes is logged, a step of no process (Paxos's proposers) too:
            // validation takes it in this node's order (``TransitionSystem/node(of:)``).
            if action.process == me || action.process == nil {
                // The node's own values after the step: its entry of each variable held per process.
                let state: [(String, ITFValue)] = names.indices.compactMap { v in
                    guard v != k, case .map(let pairs) = after[v], let entry = pairs.first(where: { $0.key == node }) else { return nil }
                    return (names[v], entry.value)
                }
                event = NodeEvent(node: node, action: recorded.name, parameters: recorded.parameters, state: state)
            }
            return Taken(name: recorded.name, action: recorded.description, event: event, sent: sent, received: received)
        }
        readBox = { values in system.state(fromTraceValues: values).map { system.traceValues(of: $0) } }
        decisionBox = { values, typed in
            guard let state = (typed as? System.State) ?? system.state(fromTraceValues: values) else { return nil }
            return system.decision(in: state)
        }
        deliverBox = { values, typed, message in
            guard let updated = Messages.adding(message, to: values[k]),
                  let current = (typed as? System.State) ?? system.state(fromTraceValues: values) else { return false }
            // A message the spec cannot hold (a malformed or foreign datagram, a full inbox) is refused.
            guard let state = system.state(current, with: updated, forVariable: k) else { return false }
            values[k] = system.traceValue(of: state, variable: k)
            typed = state
            return true
        }
    }

    /// Takes one of the node's enabled steps that change the state and stay within the model's
    /// bounds, among those `allowed` (by action name and description: the caller's timers), the
    /// one at `choosing(count)` among them; nil when there is none.
    public mutating func step(choosing: (Int) -> Int, allowed: (String, String) -> Bool = { _, _ in true }, ranking: Ranking? = nil) -> Taken? {
        stepBox(&values, &typed, choosing, allowed, ranking)
    }

    /// The node's copy of the message variable: what it has sent and heard (a set), or has yet
    /// to handle (a bag).
    public var messages: ITFValue? { messageIndex.map { values[$0] } }

    /// The value the node's state shows decided, for a spec of agreement (``TransitionSystem/decision(in:)``):
    /// what the messages it has heard show chosen.
    public var decision: ITFValue? { decisionBox(values, typed) }

    /// Takes up the node's own values as its log records them after a step (``NodeEvent/state``),
    /// with the other variables as they start: what a node recovers from its log alone, having
    /// forgotten the messages it heard. False when they do not make a state of the spec.
    public mutating func restore(own entries: [ITFValue.Field], variables: [String]) -> Bool {
        var values = self.values
        for entry in entries {
            guard let v = variables.firstIndex(of: entry.name), case .map(let pairs) = values[v] else { continue }
            values[v] = .map(pairs.map { ($0.key, $0.key == node ? entry.value : $0.value) })
        }
        return restore(values)
    }

    /// Takes up the state a node saved (``values``) before it stopped: what a node restarted from
    /// its durable state resumes from. False when the values are not a state of the spec.
    public mutating func restore(_ saved: [ITFValue]) -> Bool {
        guard let values = readBox(saved) else { return false }
        self.values = values
        typed = nil
        return true
    }

    /// Adds a message received from the network; false when it is known already (a set) or is
    /// not a message the spec can hold.
    public mutating func deliver(_ message: ITFValue) -> Bool { deliverBox(&values, &typed, message) }
}

/// The message variable's two shapes: a set that only grows (Paxos's `msgs`: a node's copy holds
/// what it sent and heard) or a bag, an ITF map from message to copies (Raft's `messages`: a node's
/// copy holds what it has received and not yet consumed).
enum Messages {
    /// The messages a step sent (one entry per copy), the node's message variable after it, and
    /// the copies it took in from the node's bag.
    static func sent(before: ITFValue, after: ITFValue) -> (sent: [ITFValue], kept: ITFValue, received: [ITFValue])? {
        switch (before, after) {
        case (.set(let old), .set(let new)):
            return (new.filter { !old.contains($0) }, after, [])
        case (.map(let old), .map(let new)):
            func count(_ pairs: [ITFValue.Pair], _ m: ITFValue) -> Int { pairs.first { $0.key == m }?.value.intValue ?? 0 }
            var sent: [ITFValue] = [], received: [ITFValue] = []
            var kept: [(ITFValue, ITFValue)] = []
            for pair in new {
                let was = count(old, pair.key), now = pair.value.intValue ?? 0
                sent += Array(repeating: pair.key, count: max(0, now - was))
                if min(was, now) > 0 { kept.append((pair.key, .int(min(was, now)))) }
            }
            for pair in old {
                let was = pair.value.intValue ?? 0, now = count(new, pair.key)
                received += Array(repeating: pair.key, count: max(0, was - now))
            }
            return (sent, .map(kept), received)
        default:
            return nil
        }
    }

    /// The message variable with `message` received; nil when a set knows it already.
    static func adding(_ message: ITFValue, to value: ITFValue) -> ITFValue? {
        switch value {
        case .set(let known):
            // Inserted in place (an ITF set is sorted by JSON text), not the whole set sorted again.
            let text = message.json
            var low = 0, high = known.count
            while low < high {
                let mid = (low + high) / 2
                if known[mid].json < text { low = mid + 1 } else { high = mid }
            }
            if low < known.count && known[low] == message { return nil }
            if known.contains(message) { return nil }
            var out = known
            out.insert(message, at: low)
            return .set(out)
        case .map(let pairs):
            let count = pairs.first { $0.key == message }?.value.intValue ?? 0
            return .map(pairs.filter { $0.key != message }.map { ($0.key, $0.value) } + [(message, .int(count + 1))])
        default:
            return nil
        }
    }
}
