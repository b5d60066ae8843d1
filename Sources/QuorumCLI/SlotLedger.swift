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

    static func asking(_ slot: Int) -> [UInt8] { [ask] + Array("\(slot)".utf8) }

    static func asked(_ bytes: [UInt8]) -> Int? {
        guard bytes.first == ask, let slot = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)), slot >= 1 else { return nil }
        return slot
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
    /// This node's batch of commands under proposal, in its slot.
    private(set) var proposed: (slot: Int, commands: [ClientCommand])? = nil
    private(set) var ledger = LedgerMachine()
    /// The last slot applied (slots count from 1).
    private(set) var applied = 0
    private var waiting: [Int: (seq: Int, port: UInt16, since: Date)] = [:]

    init(me: String) { self.me = me }

    /// A client's command; it waits for a slot.
    mutating func take(_ command: ClientCommand) {
        if waiting[command.client]?.seq != command.seq { waiting[command.client] = (command.seq, command.port, Date()) }
        let known = { (c: ClientCommand) in c.client == command.client && c.seq == command.seq }
        if pending.contains(where: known) || proposed?.commands.contains(where: known) == true { return }
        pending.append(command)
    }

    /// Proposes the pending commands (or none: a slot skipped) as this node's batch for `slot`.
    mutating func propose(in slot: Int, commands: Bool) -> SlotBatch {
        let batch = SlotBatch(slot: slot, value: me, commands: commands ? pending : [])
        if commands {
            proposed = (slot, pending)
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
        if let proposed, proposed.slot == slot {
            if value != me { pending = proposed.commands + pending }
            self.proposed = nil
        }
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

    /// Takes up what a restarted node saved: its batches and the decisions it knew.
    mutating func restore(batches saved: [SlotBatch], decisions: [(Int, String)]) {
        for batch in saved { batches[batch.key] = batch }
        for (slot, value) in decisions { decided[slot] = value }
    }
}
