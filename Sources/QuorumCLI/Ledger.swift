import Foundation
import QuorumCore

/// A client's command to the replicated ledger: a transfer between two accounts, or a read of
/// every balance. `client` and `seq` name it once across retries, so that a command a client
/// sends again (after a timeout or a redirect) takes effect at most once.
struct ClientCommand: Codable, Hashable, Sendable {
    var client: Int
    var seq: Int
    var f: String
    var from: String?
    var to: String?
    var amount: Int?
    /// The client's port on 127.0.0.1, where the node that took the command answers it.
    var port: UInt16

    /// The history's value of the call: the transfer's record, or null for a read.
    var historyValue: String {
        guard f == "transfer", let from, let to, let amount else { return "null" }
        return "{\"from\": \(jsonString(from)), \"to\": \(jsonString(to)), \"amount\": \(amount)}"
    }
}

/// A node's answer to a client: `ok` (with the balances read, for a read), `fail` (a transfer
/// refused: the account holds too little; it changed nothing), or `redirect` (not the leader,
/// or not now: try another node).
struct ClientReply: Codable, Hashable, Sendable {
    var client: Int
    var seq: Int
    var type: String
    var balances: [String: Int]?
    /// How many commands the ledger had applied once it applied this one: where the command took
    /// effect, which the history records as the completion's `order` (a hint for its checker).
    var order: Int? = nil
}

/// The bank ledger, the state machine the cluster replicates: balances that transfers move and
/// never overdraw, and each client's last command with its reply (a session), so that a command
/// applied again answers as it did the first time and changes nothing.
struct LedgerMachine: Sendable {
    static let accounts = ["alice", "bob", "carol", "dave"]
    static let opening = 100
    private(set) var balances: [String: Int] = Dictionary(uniqueKeysWithValues: accounts.map { ($0, opening) })
    private var sessions: [Int: (seq: Int, reply: ClientReply)] = [:]
    /// Commands applied so far (repeats of a session's command not counted).
    private(set) var applied = 0
    /// The commands applied since the last ``takeJournal()``, each with its place.
    private var journal: [AppliedCommand] = []

    /// The commands applied since the last call, each with its place in the ledger's order.
    mutating func takeJournal() -> [AppliedCommand] {
        defer { journal = [] }
        return journal
    }

    /// Applies `command` and returns its reply; a command applied before returns its first reply.
    mutating func apply(_ command: ClientCommand) -> ClientReply {
        if let session = sessions[command.client], command.seq <= session.seq {
            return session.seq == command.seq ? session.reply : ClientReply(client: command.client, seq: command.seq, type: "fail")
        }
        applied += 1
        journal.append(AppliedCommand(client: command.client, seq: command.seq, order: applied))
        var reply = ClientReply(client: command.client, seq: command.seq, type: "fail", order: applied)
        switch command.f {
        case "transfer":
            if let from = command.from, let to = command.to, let amount = command.amount, amount > 0, from != to,
               let a = balances[from], let b = balances[to], a >= amount {
                balances[from] = a - amount
                balances[to] = b + amount
                reply.type = "ok"
            }
        case "read":
            reply = read(command)
        default:
            break
        }
        sessions[command.client] = (command.seq, reply)
        return reply
    }

    /// A read answered from the balances as they are here.
    func read(_ command: ClientCommand) -> ClientReply {
        ClientReply(client: command.client, seq: command.seq, type: "ok", balances: balances, order: applied)
    }

    /// The history's `init` line: every account's opening balance.
    static var initLine: String {
        "{\"type\": \"init\", \"value\": {" + accounts.map { "\(jsonString($0)): \(opening)" }.joined(separator: ", ") + "}}"
    }
}

/// Where a command took effect in the ledger's order: what a node writes to its
/// `<node>.applied.log`, one line per command it applies (`client seq order`), so that the
/// cluster can tell the history checker where a command whose answer never came took effect.
/// Every node applies the same committed sequence, so any node's line will do; the checker only
/// tries that place first (a hint, as a completion's `order` is), and a wrong one costs it steps,
/// never its verdict.
struct AppliedCommand: Hashable, Sendable {
    var client: Int
    var seq: Int
    var order: Int

    var line: String { "\(client) \(seq) \(order)\n" }

    /// Every command's first recorded place in the `applied.log` files at `paths`, by client and
    /// seq; a file missing or a line cut short by a kill is skipped.
    static func places(in paths: [String]) -> [ClientSeq: Int] {
        var places: [ClientSeq: Int] = [:]
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            for line in data.split(separator: UInt8(ascii: "\n")) {
                let fields = line.split(separator: UInt8(ascii: " ")).compactMap { Int(String(decoding: $0, as: UTF8.self)) }
                guard fields.count == 3 else { continue }
                let key = ClientSeq(client: fields[0], seq: fields[1])
                if places[key] == nil { places[key] = fields[2] }
            }
        }
        return places
    }

    /// The path of a node's applied commands beside its log (`s1.jsonl` → `s1.applied.log`).
    static func path(forLog log: String) -> String {
        NodeFiles.path(beside: log, ".applied.log")
    }
}

/// A client's command, named across retries.
struct ClientSeq: Hashable, Sendable {
    var client: Int
    var seq: Int
}

/// The commands an entry of the log stands for, keyed by the entry's index and term.
struct EntryBatch: Codable, Hashable, Sendable {
    var index: Int
    var term: Int
    var commands: [ClientCommand]

    var key: String { "\(index):\(term)" }
}

/// What travels between nodes: the spec's message as JSON, then, when the message carries entries
/// whose commands the receiver needs, a newline and the batches as JSON. Datagrams from clients
/// start with ``clientTag`` instead of a JSON object.
enum Datagram {
    static let clientTag: UInt8 = 0x01
    private static let newline = UInt8(ascii: "\n")

    static func node(_ message: ITFValue, batches: [EntryBatch]) -> [UInt8] {
        var bytes = Array(message.json.utf8)
        if !batches.isEmpty, let data = try? JSONEncoder().encode(batches) {
            bytes.append(newline)
            bytes += Array(data)
        }
        return bytes
    }

    /// The message's bytes and the batches that came with it.
    static func split(_ bytes: [UInt8]) -> (message: [UInt8], batches: [EntryBatch]) {
        guard let cut = bytes.firstIndex(of: newline) else { return (bytes, []) }
        let batches = (try? JSONDecoder().decode([EntryBatch].self, from: Data(bytes[(cut + 1)...]))) ?? []
        return (Array(bytes[..<cut]), batches)
    }

    static func client(_ command: ClientCommand) -> [UInt8] {
        [clientTag] + Array((try? JSONEncoder().encode(command)) ?? Data())
    }

    static func command(_ bytes: [UInt8]) -> ClientCommand? {
        guard bytes.first == clientTag else { return nil }
        return try? JSONDecoder().decode(ClientCommand.self, from: Data(bytes.dropFirst()))
    }
}
