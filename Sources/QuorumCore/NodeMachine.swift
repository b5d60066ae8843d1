/// One node of a running cluster: the spec's own steps, projected onto one process. It holds a
/// state of the spec in which only its own variables and the messages it has sent or received
/// mean anything; it takes the enabled steps the spec gives its node (``TransitionSystem/node(of:)``),
/// and a step's new messages are what the node sends.
///
/// Pure, as etcd-raft's `Step` is: no clock, no sockets, no files. The caller delivers messages
/// (``deliver(_:)``), asks for a step (``step(choosing:)``) and carries away what it sends and the
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
    }

    let stepBox: @Sendable (inout [ITFValue], (Int) -> Int) -> Taken?
    let deliverBox: @Sendable (inout [ITFValue], ITFValue) -> Bool
    /// The node's state as trace values (the spec's variables, in order).
    public private(set) var values: [ITFValue]

    /// The node `me` of `system`, in `state` (an initial state); nil when the spec has no
    /// message variable or `me` is not one of its processes.
    public init?<System: TransitionSystem>(_ system: System, node me: Int, from state: System.State) {
        guard let variable = system.messageVariable, let k = system.traceVariables.firstIndex(of: variable),
              let count = system.processCount, (0..<count).contains(me) else { return nil }
        node = system.processValue(me)
        values = system.traceValues(of: state)
        let names = system.traceVariables
        let node = self.node
        stepBox = { values, choose in
            guard let state = system.state(fromTraceValues: values) else { return nil }
            // A step that changes nothing (Paxos's Phase2b on a message already voted on) is a
            // stutter, which a running node does not take.
            let mine = system.enabledActions(in: state).filter { action in
                guard system.node(of: action) == me else { return false }
                let next = system.apply(action, to: state)
                return next != state && system.isWithinBounds(next)
            }
            if mine.isEmpty { return nil }
            let action = mine[choose(mine.count)]
            let next = system.apply(action, to: state)
            let after = system.traceValues(of: next)
            guard case .set(let before) = values[k], case .set(let now) = after[k] else { return nil }
            let sent = now.filter { !before.contains($0) }
            values = after
            var event: NodeEvent? = nil
            if action.process == me {
                // The node's own values after the step: its entry of each variable held per process.
                let state: [(String, ITFValue)] = names.indices.compactMap { v in
                    guard v != k, case .map(let pairs) = after[v], let entry = pairs.first(where: { $0.key == node }) else { return nil }
                    return (names[v], entry.value)
                }
                event = NodeEvent(node: node, action: action.name, parameters: action.parameters, state: state)
            }
            return Taken(name: action.name, action: action.description, event: event, sent: sent)
        }
        deliverBox = { values, message in
            guard case .set(let known) = values[k], !known.contains(message) else { return false }
            var updated = values
            updated[k] = .set(of: known + [message])
            // A message the spec cannot hold (a malformed or foreign datagram) is refused.
            guard let state = system.state(fromTraceValues: updated) else { return false }
            values = system.traceValues(of: state)
            return true
        }
    }

    /// Takes one of the node's enabled steps that change the state and stay within the model's
    /// bounds, the one at `choosing(count)` among them; nil when there is none.
    public mutating func step(choosing: (Int) -> Int) -> Taken? { stepBox(&values, choosing) }

    /// Adds a message received from the network; false when it is known already or is not a
    /// message of the spec.
    public mutating func deliver(_ message: ITFValue) -> Bool { deliverBox(&values, message) }
}
