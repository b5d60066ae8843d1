import QuorumCore

/// The sequential object a history is checked against: the state it starts in, and what each
/// operation does to it. Histories are checked one object at a time (``partition(_:)``), since
/// a history is linearizable exactly when each object's is (Herlihy and Wing's locality).
public protocol SequentialModel: Sendable {
    associatedtype State: Hashable & Sendable
    /// The model's name on the command line.
    var name: String { get }
    /// The state an object starts in, given the history's `init` value (nil when it has none).
    func initial(_ given: JSONTree?, object: JSONTree?) throws -> State
    /// The state after `op` takes effect in `state`; nil when it cannot take effect there with
    /// the output it returned (for an indeterminate operation: when it cannot take effect at all).
    func step(_ state: State, _ op: ClientOperation) -> State?
    /// The object `op` acts on; nil for a model of one object.
    func partition(_ op: ClientOperation) -> JSONTree?
    /// Whether `op` never changes the state (a read): a witness may leave such operations out.
    func isReadOnly(_ op: ClientOperation) -> Bool
    /// Refuses an operation this model does not know, naming it.
    func check(_ op: ClientOperation) throws
}

extension SequentialModel {
    public func partition(_ op: ClientOperation) -> JSONTree? { nil }
}

/// A read/write register with compare-and-set, starting at null (or the `init` value): Jepsen's
/// `cas-register`. `write v`; `read` completing with the value read; `cas [old, new]`.
public struct RegisterModel: SequentialModel {
    public init() {}
    public var name: String { "register" }
    public func initial(_ given: JSONTree?, object: JSONTree?) throws -> JSONTree { given ?? .null }

    public func step(_ state: JSONTree, _ op: ClientOperation) -> JSONTree? {
        Self.step(state, f: op.f, input: op.input, output: op.output, indeterminate: op.outcome == .info)
    }

    static func step(_ state: JSONTree, f: String, input: JSONTree, output: JSONTree?, indeterminate: Bool) -> JSONTree? {
        switch f {
        case "write": return input
        case "read": return indeterminate || output == state ? state : nil
        case "cas":
            guard let pair = input.array, pair.count == 2 else { return nil }
            return state == pair[0] ? pair[1] : nil
        default: return nil
        }
    }

    public func isReadOnly(_ op: ClientOperation) -> Bool { op.f == "read" }

    public func check(_ op: ClientOperation) throws {
        switch op.f {
        case "read", "write": break
        case "cas":
            guard let pair = op.input.array, pair.count == 2 else {
                throw HistoryError("line \(op.call): cas takes [old, new], not \(op.input.text)")
            }
        default: throw HistoryError("line \(op.call): the register has no operation \(op.f) (read, write, cas)")
        }
    }
}

/// Many registers, one per key: Jepsen's independent keys. Every value is `[key, v]`: `write [k, v]`,
/// `read [k, null]` completing with `[k, v]`, `cas [k, [old, new]]`. Each key is checked apart.
public struct KeyValueModel: SequentialModel {
    public init() {}
    public var name: String { "kv" }
    public func initial(_ given: JSONTree?, object: JSONTree?) throws -> JSONTree {
        guard let given, let key = object else { return .null }
        guard let values = given.object else { throw HistoryError("the kv model's init value is an object of keys' initial values") }
        return values[key.string ?? key.text] ?? .null
    }

    public func step(_ state: JSONTree, _ op: ClientOperation) -> JSONTree? {
        guard let pair = op.input.array, pair.count == 2 else { return nil }
        var output: JSONTree? = nil
        if let out = op.output {
            guard let outPair = out.array, outPair.count == 2, outPair[0] == pair[0] else { return nil }
            output = outPair[1]
        }
        return RegisterModel.step(state, f: op.f, input: pair[1], output: output, indeterminate: op.outcome == .info)
    }

    public func partition(_ op: ClientOperation) -> JSONTree? { op.input.array?.first }
    public func isReadOnly(_ op: ClientOperation) -> Bool { op.f == "read" }

    public func check(_ op: ClientOperation) throws {
        guard let pair = op.input.array, pair.count == 2 else {
            throw HistoryError("line \(op.call): a kv operation's value is [key, value], not \(op.input.text)")
        }
        if let out = op.output, out.array?.count != 2 || out.array?[0] != pair[0] {
            throw HistoryError("line \(op.ret ?? op.call): a kv completion's value is [key, value] with the invoked key, not \(out.text)")
        }
        switch op.f {
        case "read", "write": break
        case "cas":
            guard let inner = pair[1].array, inner.count == 2 else {
                throw HistoryError("line \(op.call): cas takes [key, [old, new]], not \(op.input.text)")
            }
        default: throw HistoryError("line \(op.call): the kv model has no operation \(op.f) (read, write, cas)")
        }
    }
}

/// A bank ledger: accounts with balances (the `init` line's object, `{"alice": 100, …}`),
/// transfers that never overdraw, and reads. `transfer {"from": a, "to": b, "amount": n}` takes
/// effect only where `a` holds at least `n` (a refused transfer is logged `fail`); `read` completes
/// with the balances it saw, of every account or of some. So a linearizable ledger history never
/// shows a negative balance or money made or lost.
public struct LedgerModel: SequentialModel {
    public init() {}
    public var name: String { "ledger" }

    public func initial(_ given: JSONTree?, object: JSONTree?) throws -> [String: Int] {
        guard let accounts = given?.object else {
            throw HistoryError("the ledger needs a first line {\"type\": \"init\", \"value\": {account: balance, …}}")
        }
        var balances: [String: Int] = [:]
        for (name, value) in accounts {
            guard let n = value.int, n >= 0 else { throw HistoryError("the init balance of \(name) is not a non-negative integer") }
            balances[name] = n
        }
        return balances
    }

    public func step(_ state: [String: Int], _ op: ClientOperation) -> [String: Int]? {
        switch op.f {
        case "transfer":
            guard let t = op.input.object, let from = t["from"]?.string, let to = t["to"]?.string, let amount = t["amount"]?.int,
                  amount > 0, from != to, let a = state[from], let b = state[to], a >= amount else { return nil }
            var next = state
            next[from] = a - amount
            next[to] = b + amount
            return next
        case "read":
            if op.outcome == .info { return state }
            guard let seen = op.output?.object else { return nil }
            for (name, value) in seen where state[name] != value.int { return nil }
            return state
        default: return nil
        }
    }

    public func isReadOnly(_ op: ClientOperation) -> Bool { op.f == "read" }

    public func check(_ op: ClientOperation) throws {
        switch op.f {
        case "transfer":
            guard let t = op.input.object, t["from"]?.string != nil, t["to"]?.string != nil, t["amount"]?.int != nil else {
                throw HistoryError("line \(op.call): a transfer's value is {\"from\": a, \"to\": b, \"amount\": n}, not \(op.input.text)")
            }
        case "read":
            if let out = op.output, out.object == nil {
                throw HistoryError("line \(op.ret ?? op.call): a read completes with an object of balances, not \(out.text)")
            }
        default: throw HistoryError("line \(op.call): the ledger has no operation \(op.f) (transfer, read)")
        }
    }
}
