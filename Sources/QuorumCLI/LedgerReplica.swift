import Foundation
import QuorumCore

/// The client-serving half of a node whose spec declares a replicated log (``ReplicatedLog``):
/// the runtime around the spec's steps that gathers client commands, binds them to the entry its
/// leader appends, ships them with the messages that carry the entry, and applies the committed
/// entries to the ledger, answering the clients it took commands from. It reads the node's state
/// only through the spec's variables; the spec's steps never see the commands.
struct LedgerReplica {
    let spec: ReplicatedLog
    let node: ITFValue
    let fault: RuntimeBug.ServingFault?
    private let logVariable, commitVariable, roleVariable: Int
    /// The commands of every entry this node has held, by ``EntryBatch/key``: durable, since a
    /// node must be able to send an entry's commands whenever it sends the entry.
    private(set) var batches: [String: EntryBatch] = [:]
    /// The batches learnt since ``unsaved()`` was last called, which the node must save.
    private var learnt: [EntryBatch] = []
    /// Commands taken from clients and not yet in an entry (only a leader holds them).
    private(set) var pending: [ClientCommand] = []
    /// The state machine: volatile, rebuilt from the log after a restart (raft.tla's Restart
    /// resets commitIndex to 0).
    private(set) var ledger = LedgerMachine()
    private(set) var lastApplied = 0
    /// The clients waiting for this node's answer: their command's seq and port, and when the
    /// node took it, by client.
    private var waiting: [Int: (seq: Int, port: UInt16, since: Date)] = [:]

    init?(_ spec: ReplicatedLog, variables: [String], node: ITFValue, fault: RuntimeBug.ServingFault?) {
        guard let log = variables.firstIndex(of: spec.log), let commit = variables.firstIndex(of: spec.commitIndex),
              let role = variables.firstIndex(of: spec.role) else { return nil }
        self.spec = spec
        self.node = node
        self.fault = fault
        (logVariable, commitVariable, roleVariable) = (log, commit, role)
    }

    private func mine(_ values: [ITFValue], _ v: Int) -> ITFValue? {
        guard case .map(let pairs) = values[v] else { return nil }
        return pairs.first { $0.key == node }?.value
    }

    func isLeader(_ values: [ITFValue]) -> Bool { mine(values, roleVariable) == spec.leader }

    private func log(_ values: [ITFValue]) -> [ITFValue] {
        if case .list(let entries)? = mine(values, logVariable) { entries } else { [] }
    }

    /// A client's command; the reply to send now, if any (a redirect, a repeat's first answer,
    /// or, with the stale-read bug, a read answered at once).
    mutating func take(_ command: ClientCommand, _ values: [ITFValue]) -> ClientReply? {
        guard isLeader(values) else { return ClientReply(client: command.client, seq: command.seq, type: "redirect") }
        if fault == .staleRead && command.f == "read" { return ledger.read(command) }
        if waiting[command.client]?.seq != command.seq { waiting[command.client] = (command.seq, command.port, Date()) }
        if !pending.contains(where: { $0.client == command.client && $0.seq == command.seq }) { pending.append(command) }
        return nil
    }

    /// Whether the node's request step may be taken: only with commands to put in the entry,
    /// and with fewer than ``window`` of the entries it appended still uncommitted (flow control,
    /// as etcd-raft bounds a leader's uncommitted entries): raft.tla repairs a follower's log one
    /// entry per message, so a leader that kept appending while followers lag would grow the tails
    /// that the next leader must repair, until a run under faults commits nothing.
    func mayAppend(_ values: [ITFValue]) -> Bool {
        guard !pending.isEmpty else { return false }
        let entries = log(values), committed = mine(values, commitVariable)?.intValue ?? 0
        let uncommitted = appendedHere.filter { index, term in
            index > committed && index <= entries.count && entries[index - 1][field: spec.entryTerm]?.intValue == term
        }
        return uncommitted.count < Self.window
    }

    /// How many of its own entries a leader may have uncommitted at once.
    static let window = 3
    /// The entries this node appended (index, term), while they may be uncommitted.
    private var appendedHere: [(index: Int, term: Int)] = []

    /// After the node's request step: the pending commands become the new last entry's batch.
    mutating func appended(_ values: [ITFValue]) {
        let entries = log(values)
        guard let term = entries.last?[field: spec.entryTerm]?.intValue else { return }
        let batch = EntryBatch(index: entries.count, term: term, commands: pending)
        batches[batch.key] = batch
        learnt.append(batch)
        pending = []
        let committed = mine(values, commitVariable)?.intValue ?? 0
        appendedHere = appendedHere.filter { $0.index > committed } + [(entries.count, term)]
    }

    /// The batches of the entries `message` carries, which go with it.
    func batches(for message: ITFValue) -> [EntryBatch] {
        guard case .list(let entries)? = message[field: spec.entries], let previous = message[field: spec.previousIndex]?.intValue else { return [] }
        return entries.enumerated().compactMap { k, entry in
            entry[field: spec.entryTerm]?.intValue.flatMap { batches["\(previous + 1 + k):\($0)"] }
        }
    }

    mutating func received(_ shipped: [EntryBatch]) {
        for batch in shipped where batches[batch.key] != batch {
            batches[batch.key] = batch
            learnt.append(batch)
        }
    }

    /// Applies the entries committed since the last call (with the apply-before-commit bug: every
    /// entry in the log); the replies to send, with their ports and how long the node held each
    /// command. A node that no longer leads
    /// redirects the commands it had not yet put in an entry.
    mutating func apply(_ values: [ITFValue]) -> [(port: UInt16, reply: ClientReply, waited: Double?)] {
        var out: [(port: UInt16, reply: ClientReply, waited: Double?)] = []
        // A node that no longer leads owns no uncommitted entries: if it is elected again, the
        // entries of its old term commit only through one of its new term, which it must be
        // free to append.
        if !isLeader(values) { appendedHere = [] }
        if !pending.isEmpty && !isLeader(values) {
            for command in pending {
                out.append((command.port, ClientReply(client: command.client, seq: command.seq, type: "redirect"), nil))
                waiting[command.client] = nil
            }
            pending = []
        }
        let entries = log(values)
        let committed = mine(values, commitVariable)?.intValue ?? 0
        let target = min(entries.count, fault == .applyBeforeCommit ? entries.count : committed)
        while lastApplied < target {
            lastApplied += 1
            let term = entries[lastApplied - 1][field: spec.entryTerm]?.intValue ?? 0
            // An entry taken before any client asked has no commands.
            for command in batches["\(lastApplied):\(term)"]?.commands ?? [] {
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

    /// The batches learnt since the last call, to save before the state that holds their entries.
    mutating func unsaved() -> [EntryBatch] {
        defer { learnt = [] }
        return learnt
    }

    /// The batches saved before a restart; later lines win.
    mutating func restore(_ saved: [EntryBatch]) {
        for batch in saved { batches[batch.key] = batch }
    }
}
