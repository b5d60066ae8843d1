import Foundation
import QuorumCore

/// The commands a value stands for in one slot: node `value`'s batch for `slot` (possibly empty).
/// A message of the slot that names the value carries it, so that whoever learns the slot's
/// outcome holds what it means.
struct SlotBatch: Codable, Hashable, Sendable {
    var slot: Int
    var value: String
    var commands: [ClientCommand]

    var key: String { "\(slot):\(value)" }
}

/// A datagram between the nodes of a slotted log: a tag byte, the slot in decimal, a newline,
/// the spec's message as JSON, then, if the message names values whose batches the sender holds,
/// a newline and the batches.
enum SlotDatagram {
    static let tag: UInt8 = 0x02
    /// A node that has not learnt a slot's outcome asks the others for it: `ask`, then the slot.
    static let ask: UInt8 = 0x03

    static func asking(_ slot: Int, from node: Int) -> [UInt8] { [ask] + Array("\(slot) \(node)".utf8) }

    /// The slot asked about and the node asking.
    static func asked(_ bytes: [UInt8]) -> (slot: Int, from: Int)? {
        guard bytes.first == ask else { return nil }
        let parts = String(decoding: bytes.dropFirst(), as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let slot = Int(parts[0]), let from = Int(parts[1]), slot >= 1, from >= 0 else { return nil }
        return (slot, from)
    }
    private static let newline = UInt8(ascii: "\n")

    static func make(slot: Int, _ message: ITFValue, batches: [SlotBatch]) -> [UInt8] {
        var bytes = [tag] + Array("\(slot)\n".utf8) + Array(message.json.utf8)
        if !batches.isEmpty, let data = try? JSONEncoder().encode(batches) {
            bytes.append(newline)
            bytes += Array(data)
        }
        return bytes
    }

    /// The slot, the message's bytes and the batches; nil for a datagram of another kind.
    static func split(_ bytes: [UInt8]) -> (slot: Int, message: [UInt8], batches: [SlotBatch])? {
        guard bytes.first == tag, let first = bytes.firstIndex(of: newline),
              let slot = Int(String(decoding: bytes[1..<first], as: UTF8.self)), slot >= 1 else { return nil }
        let rest = bytes[(first + 1)...]
        guard let cut = rest.firstIndex(of: newline) else { return (slot, Array(rest), []) }
        let batches = (try? JSONDecoder().decode([SlotBatch].self, from: Data(bytes[(cut + 1)...]))) ?? []
        return (slot, Array(bytes[first + 1..<cut]), batches)
    }
}

/// The client-serving state of a node of a slotted log, apart from the spec's instances: the
/// batches it knows, the slots it knows decided, its commands waiting for a slot, and the ledger
/// on the decided slots, applied in order. Pure: no sockets, no clock, no files.
struct SlotLedger {
    let me: String
    /// The batches known, by ``SlotBatch/key``.
    private(set) var batches: [String: SlotBatch] = [:]
    private var learnt: [SlotBatch] = []
    private(set) var decided: [Int: String] = [:]
    /// Commands taken from clients and in no proposal yet.
    private(set) var pending: [ClientCommand] = []
    /// This node's batches of commands under proposal, by slot, with when each was proposed.
    private(set) var proposed: [Int: (commands: [ClientCommand], since: Date)] = [:]
    /// How many batches a node may have under proposal at once: a slot takes two round trips,
    /// and commands that came meanwhile go in the next slot rather than wait for it.
    static let window = 1
    private(set) var ledger = LedgerMachine()
    /// The last slot applied (slots count from 1).
    private(set) var applied = 0
    private var waiting: [Int: (seq: Int, port: UInt16, since: Date)] = [:]

    init(me: String) { self.me = me }

    /// A client's command; it waits for a slot.
    mutating func take(_ command: ClientCommand) {
        if waiting[command.client]?.seq != command.seq { waiting[command.client] = (command.seq, command.port, Date()) }
        let known = { (c: ClientCommand) in c.client == command.client && c.seq == command.seq }
        if pending.contains(where: known) || proposed.values.contains(where: { $0.commands.contains(where: known) }) { return }
        pending.append(command)
    }

    /// The commands not yet in a proposal, answered `redirect` (the node cannot get them decided
    /// now: try another); the commands under proposal stay, since their slot may yet decide them.
    mutating func redirectPending() -> [(port: UInt16, reply: ClientReply)] {
        defer { pending = [] }
        return pending.map { command in
            waiting[command.client] = nil
            return (command.port, ClientReply(client: command.client, seq: command.seq, type: "redirect"))
        }
    }

    /// Proposes the pending commands (or none: a slot skipped) as this node's batch for `slot`.
    mutating func propose(in slot: Int, commands: Bool) -> SlotBatch {
        let batch = SlotBatch(slot: slot, value: me, commands: commands ? pending : [])
        if commands {
            proposed[slot] = (pending, Date())
            pending = []
        }
        learn(batch)
        return batch
    }

    mutating func learn(_ batch: SlotBatch) {
        guard batches[batch.key] == nil else { return }
        batches[batch.key] = batch
        learnt.append(batch)
    }

    /// The batches learnt since the last call, to save before a step that depends on them.
    mutating func unsaved() -> [SlotBatch] {
        defer { learnt = [] }
        return learnt
    }

    /// The batches of `values` in `slot` that this node holds, to send with a message naming them.
    func batches(in slot: Int, naming values: [ITFValue]) -> [SlotBatch] {
        values.compactMap { $0.stringValue.flatMap { batches["\(slot):\($0)"] } }
    }

    /// Slot `slot` is decided for `value`: a batch of this node's that lost goes back to pending.
    mutating func decide(_ slot: Int, _ value: String) {
        guard decided[slot] == nil else { return }
        decided[slot] = value
        if let batch = proposed.removeValue(forKey: slot), value != me { pending = batch.commands + pending }
    }

    /// Applies the decided slots in order, as far as their batches are known; the replies to send.
    mutating func apply() -> [(port: UInt16, reply: ClientReply, waited: Double)] {
        var out: [(port: UInt16, reply: ClientReply, waited: Double)] = []
        while let value = decided[applied + 1], let batch = batches["\(applied + 1):\(value)"] {
            applied += 1
            for command in batch.commands {
                let reply = ledger.apply(command)
                if let wait = waiting[command.client], wait.seq == command.seq {
                    out.append((wait.port, reply, Date().timeIntervalSince(wait.since)))
                    waiting[command.client] = nil
                }
            }
        }
        return out
    }

    /// The commands applied since the last call, with their places (for `<node>.applied.log`).
    mutating func takeApplied() -> [AppliedCommand] { ledger.takeJournal() }

    /// Takes up what a restarted node saved: its batches and the decisions it knew.
    mutating func restore(batches saved: [SlotBatch], decisions: [(Int, String)]) {
        for batch in saved { batches[batch.key] = batch }
        for (slot, value) in decisions { decided[slot] = value }
    }
}
