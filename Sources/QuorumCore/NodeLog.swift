import Foundation

/// One step a running node says it took, as it writes it to its log: the spec's action, the
/// action's parameters as traces write them, and optionally the node's own values of some state
/// variables after the step. What `quorum validate` reads, from any implementation in any language.
///
/// On disk an event is one JSON object per line (JSON Lines), with ITF values (Apalache ADR-015,
/// the format of Quorum's traces) for parameters and state:
///
///     {"node":"s2","action":"Receive","parameters":{"m":{…}},"state":{"currentTerm":{"#bigint":"2"}}}
///
/// `node` names the process as the spec's traces do ("s2", or 2 for a spec whose processes are
/// numbers); `parameters` may leave out parameters and `state` variables. A variable whose value
/// has one entry per process (an ITF map keyed by the node) is compared at the node's entry,
/// any other variable as a whole. `time`, optional, is when the node took the step, in seconds
/// on a clock the nodes share (Quorum's nodes write seconds since 1970): validation tries the
/// logs' events in that order first, and on one machine, where a receive is always later than its
/// send, that order is a behaviour, found without backtracking. A clock that is off only slows the
/// search; it never changes a verdict. `instance`, optional, names one of several runs of the
/// spec that a node takes part in at once (a slot of a replicated log, each agreed by its own
/// run of single-decree Paxos): the events of each instance are validated on their own. Other
/// keys (a message id) are ignored.
public struct NodeEvent: Sendable, Equatable {
    public let node: ITFValue
    public let action: String
    public let parameters: [ITFValue.Field]
    public let state: [ITFValue.Field]
    /// When the node took the step, if its log says (seconds on a clock the nodes share).
    public let time: Double?
    /// Which instance of the spec the step belongs to, when a node runs several (a slot).
    public let instance: Int?
    /// Where the event was read ("s1.jsonl:4"), for messages; empty for an event made in memory.
    public let source: String

    /// The node name of the network's own log: the steps of no process it took (a message dropped
    /// or copied), which an interposer that sees every datagram can log.
    public static let network = ITFValue.string("network")

    public init(node: ITFValue, action: String, parameters: [(String, ITFValue)] = [],
                state: [(String, ITFValue)] = [], source: String = "", time: Double? = nil, instance: Int? = nil) {
        self.node = node
        self.time = time
        self.instance = instance
        self.action = action
        self.parameters = parameters.map { ITFValue.Field(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
        self.state = state.map { ITFValue.Field(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name }
        self.source = source
    }

    /// The event as one line of JSON, keys in a fixed order.
    public var jsonLine: String {
        var out = "{\"node\":\(node.json),\"action\":\(jsonString(action))"
        if !parameters.isEmpty { out += ",\"parameters\":" + ITFValue.record(parameters.map { ($0.name, $0.value) }).json }
        if !state.isEmpty { out += ",\"state\":" + ITFValue.record(state.map { ($0.name, $0.value) }).json }
        if let time { out += ",\"time\":" + String(format: "%.6f", time) }
        if let instance { out += ",\"instance\":\(instance)" }
        return out + "}"
    }

    /// The event with the time it was taken.
    public func at(_ time: Double) -> NodeEvent {
        NodeEvent(node: node, action: action, parameters: parameters.map { ($0.name, $0.value) },
                  state: state.map { ($0.name, $0.value) }, source: source, time: time, instance: instance)
    }

    /// The event as a step of instance `k`.
    public func of(instance k: Int?) -> NodeEvent {
        NodeEvent(node: node, action: action, parameters: parameters.map { ($0.name, $0.value) },
                  state: state.map { ($0.name, $0.value) }, source: source, time: time, instance: k)
    }

    /// One line for messages: `s2 Receive(m ↦ …) [s2.jsonl:4]`.
    public var text: String {
        let params = parameters.isEmpty ? "" : "(" + parameters.map { "\($0.name) ↦ \($0.value.text)" }.joined(separator: ", ") + ")"
        return "\(node.text) \(action)\(params)" + (source.isEmpty ? "" : " [\(source)]")
    }

    /// Reads a log in JSON Lines; blank lines are skipped. Any line that is not an event is an
    /// error naming the file and line.
    public static func read(jsonLines data: Data, file: String) throws -> [NodeEvent] {
        guard let text = String(data: data, encoding: .utf8) else { throw TraceFormatError("\(file): not UTF-8 text") }
        var events: [NodeEvent] = []
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            events.append(try NodeEvent(jsonLine: Data(trimmed.utf8), source: "\(file):\(k + 1)"))
        }
        return events
    }

    /// Reads one event; `source` names its place in errors.
    public init(jsonLine data: Data, source: String) throws {
        let tree: JSONTree
        do {
            tree = try JSONTree(json: data)
        } catch {
            throw TraceFormatError("\(source): not a JSON object")
        }
        guard let object = tree.object else { throw TraceFormatError("\(source): not a JSON object") }
        guard let nodeTree = object["node"] else { throw TraceFormatError("\(source): no \"node\"") }
        let node = try ITFValue(nodeTree, at: "\(source): node")
        guard node.stringValue != nil || node.intValue != nil else {
            throw TraceFormatError("\(source): \"node\" is neither a name nor a number")
        }
        guard let action = object["action"]?.string, !action.isEmpty else {
            throw TraceFormatError("\(source): no \"action\" string")
        }
        func fields(_ key: String) throws -> [(String, ITFValue)] {
            guard let tree = object[key] else { return [] }
            guard let members = tree.object else { throw TraceFormatError("\(source): \"\(key)\" is not an object") }
            return try members.keys.sorted().map { ($0, try ITFValue(members[$0]!, at: "\(source): \(key).\($0)")) }
        }
        var time: Double? = nil
        if let tree = object["time"] {
            guard case .number(let seconds) = tree, seconds.isFinite else {
                throw TraceFormatError("\(source): \"time\" is not a number of seconds")
            }
            time = seconds
        }
        var instance: Int? = nil
        if let tree = object["instance"] {
            guard case .number(let k) = tree, k == k.rounded(), abs(k) < 1e15 else {
                throw TraceFormatError("\(source): \"instance\" is not a whole number")
            }
            instance = Int(k)
        }
        self.init(node: node, action: action, parameters: try fields("parameters"), state: try fields("state"), source: source,
                  time: time, instance: instance)
    }
}
