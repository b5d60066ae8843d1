import Foundation
import QuorumCore

/// One client operation of a history: what a process asked for, when, and what it was told.
public struct ClientOperation: Sendable, Hashable {
    public enum Outcome: String, Sendable {
        /// Completed: it took effect once, between its invocation and its completion, with `output`.
        case ok
        /// Indeterminate (a timeout, a crash): it took effect once after its invocation, or never.
        case info
    }

    /// Its place among the history's operations.
    public let id: Int
    public let process: JSONTree
    /// The function called: "read", "write", "cas", "transfer".
    public let f: String
    public let input: JSONTree
    /// The completion's value; nil for an indeterminate operation.
    public let output: JSONTree?
    public let outcome: Outcome
    /// The history's line of the invocation and of the completion (nil: none, or an info).
    public let call: Int
    public let ret: Int?
    /// Times as recorded (nanoseconds, any origin), for drawing; nil when the history gives none.
    public let callTime: Double?
    public let returnTime: Double?
    /// Where the system says the operation took effect (a log position, a revision), from the
    /// completion's optional `order`. The checker tries operations in this order first; its
    /// verdict never depends on it.
    public let order: Int?

    public init(id: Int, process: JSONTree, f: String, input: JSONTree, output: JSONTree?, outcome: Outcome,
                call: Int, ret: Int?, callTime: Double? = nil, returnTime: Double? = nil, order: Int? = nil) {
        self.order = order
        self.id = id
        self.process = process
        self.f = f
        self.input = input
        self.output = output
        self.outcome = outcome
        self.call = call
        self.ret = ret
        self.callTime = callTime
        self.returnTime = returnTime
    }

    /// `p1 write 3 → ok`, `p2 read null → 3`, `p3 cas [1,2] → ?` (indeterminate); a process
    /// with a name is shown by its name.
    public var text: String {
        let out = outcome == .info ? "?" : (output.map { $0 == input && $0 != .null ? "ok" : $0.text } ?? "ok")
        return "\(processName) \(f) \(input.text) → \(out)"
    }

    public var processName: String { process.string ?? "p\(process.text)" }
}

/// A client history as Jepsen records it: invocations and completions in the order they happened.
public struct History: Sendable {
    public let operations: [ClientOperation]
    /// The `init` line's value, for a model whose initial state the history gives (a ledger's balances).
    public let initial: JSONTree?
    /// Lines read (invocations, completions and the `init` line).
    public let events: Int
    /// The `order` of each `fail` completion: a refusal that took a place in the system's order
    /// though the operation, changing nothing, is dropped. The checker's hint needs them to tell
    /// a refusal's place from an indeterminate operation's.
    public private(set) var failedOrders: [Int] = []

    public init(operations: [ClientOperation], initial: JSONTree? = nil, events: Int? = nil) {
        self.operations = operations
        self.initial = initial
        self.events = events ?? operations.reduce(0) { $0 + ($1.ret == nil ? 1 : 2) }
    }

    /// Reads a history in JSON Lines, one event per line, as Jepsen writes them:
    ///
    ///     {"process": 0, "type": "invoke", "f": "write", "value": 3}
    ///     {"process": 0, "type": "ok", "f": "write", "value": 3}
    ///
    /// `type` is `invoke`, `ok` (completed), `fail` (did not take effect: dropped) or `info`
    /// (indeterminate); an invocation with no completion is indeterminate too. A process has one
    /// operation outstanding at a time; after an `info` it is gone (Jepsen gives the client a new
    /// process id). An optional `time` (a number) is used for drawing only: the lines' order is
    /// the real-time order. An optional `order` (an integer) on a completion says where the system
    /// put the operation; the checker tries that order first. An `info` may carry one too, where the
    /// system knows that a command whose answer never came took effect (a Quorum cluster's nodes
    /// record every command they apply): many indeterminate transfers with no place otherwise
    /// leave the checker a search over their subsets. An optional first line `{"type": "init", "value": …}` gives the
    /// initial state to a model that takes one. Any other shape is an error naming the line.
    public init(jsonLines data: Data, file: String) throws {
        guard let text = String(data: data, encoding: .utf8) else { throw HistoryError("\(file): not UTF-8 text") }
        struct Pending { let process: JSONTree; let f: String; let input: JSONTree; let line: Int; let time: Double? }
        var outstanding: [JSONTree: Pending] = [:]
        var gone = Set<JSONTree>()
        var done: [(Pending, JSONTree?, ClientOperation.Outcome, Int?, Double?, Int?)] = []
        var failed: [Int] = []
        var initial: JSONTree? = nil
        var events = 0
        for (k, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            let place = "\(file):\(k + 1)"
            guard let tree = try? JSONTree(json: Data(line.utf8)), let object = tree.object else {
                throw HistoryError("\(place): not a JSON object")
            }
            guard let type = object["type"]?.string else { throw HistoryError("\(place): no \"type\" string") }
            events += 1
            if type == "init" {
                guard events == 1, let value = object["value"] else { throw HistoryError("\(place): an \"init\" line comes first and has a \"value\"") }
                initial = value
                continue
            }
            guard let process = object["process"], process.string != nil || process.int != nil else {
                throw HistoryError("\(place): \"process\" is neither a name nor an integer")
            }
            guard let f = object["f"]?.string else { throw HistoryError("\(place): no \"f\" string") }
            let value = object["value"] ?? .null
            var time: Double? = nil
            if let t = object["time"] {
                guard case .number(let n) = t, n.isFinite else { throw HistoryError("\(place): \"time\" is not a number") }
                time = n
            }
            switch type {
            case "invoke":
                guard !gone.contains(process) else {
                    throw HistoryError("\(place): process \(process.text) invokes after an info; an indeterminate operation ends its process (give the client a new process id)")
                }
                guard outstanding[process] == nil else {
                    throw HistoryError("\(place): process \(process.text) invokes while its previous operation is outstanding")
                }
                outstanding[process] = Pending(process: process, f: f, input: value, line: k + 1, time: time)
            case "ok", "fail", "info":
                guard let call = outstanding.removeValue(forKey: process) else {
                    throw HistoryError("\(place): process \(process.text) completes an operation it did not invoke")
                }
                guard call.f == f else { throw HistoryError("\(place): process \(process.text) invoked \(call.f) but completes \(f)") }
                var order: Int? = nil
                if type != "fail", let given = object["order"] {
                    guard let n = given.int else { throw HistoryError("\(place): \"order\" is not an integer") }
                    order = n
                }
                switch type {
                case "ok":
                    done.append((call, value, .ok, k + 1, time, order))
                case "info":
                    done.append((call, nil, .info, nil, nil, order))
                    gone.insert(process)
                default:
                    if let n = object["order"]?.int { failed.append(n) }
                }
            default:
                throw HistoryError("\(place): unknown type \"\(type)\" (invoke, ok, fail, info, or init on the first line)")
            }
        }
        for call in outstanding.values { done.append((call, nil, .info, nil, nil, nil)) }
        done.sort { $0.0.line < $1.0.line }
        operations = done.enumerated().map { id, d in
            ClientOperation(id: id, process: d.0.process, f: d.0.f, input: d.0.input, output: d.1, outcome: d.2,
                      call: d.0.line, ret: d.3, callTime: d.0.time, returnTime: d.4, order: d.5)
        }
        self.initial = initial
        self.events = events
        failedOrders = failed
    }
}

extension History {
    /// The history in the JSON Lines it is read from: its `init` line, then each invocation and
    /// completion in line order (an indeterminate operation as an `info` after everything else).
    public var jsonLines: String {
        var lines: [(line: Int, text: String)] = []
        func event(_ op: ClientOperation, _ type: String, _ value: JSONTree, _ time: Double?, order: Int? = nil) -> String {
            var object: [String: JSONTree] = ["process": op.process, "type": .string(type), "f": .string(op.f), "value": value]
            if let time { object["time"] = .number(time) }
            if let order { object["order"] = .number(Double(order)) }
            return JSONTree.object(object).text
        }
        for op in operations {
            lines.append((op.call, event(op, "invoke", op.input, op.callTime)))
            if let ret = op.ret { lines.append((ret, event(op, "ok", op.output ?? op.input, op.returnTime, order: op.order))) }
            else { lines.append((Int.max, event(op, "info", op.input, nil, order: op.order))) }
        }
        let head = initial.map { [JSONTree.object(["type": .string("init"), "value": $0]).text] } ?? []
        return (head + lines.sorted { $0.line < $1.line }.map(\.text)).joined(separator: "\n") + "\n"
    }
}

/// A history that cannot be read, or that a model cannot interpret; the message names the place.
public struct HistoryError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
