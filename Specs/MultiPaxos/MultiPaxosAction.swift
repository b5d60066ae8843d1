import QuorumCore

/// A step of MultiPaxos.tla: one of the PlusCal macros that `rloop(self)` chooses from, the
/// loop's exit when the commands are all done, or `Terminating`, with the witnesses of its
/// existentials (`b` for BecomeLeader, `m` for the handlers of one message).
///
/// HandlePrepareReplies, TakeNewRequest and HandleAcceptReplies have no existential; their
/// instances are split by the values the state determines (the ballot, the slot, the command)
/// so that each is a guard and assignments of constants, and at most one is enabled per replica,
/// so that the counts stay TLC's.
public struct MultiPaxosAction: Hashable, Codable, Sendable, TraceableAction {
    public enum Kind: String, Hashable, Codable, Sendable, CaseIterable {
        case BecomeLeader, HandlePrepare, HandlePrepareReplies, TakeNewRequest, HandleAccept, HandleAcceptReplies,
             HandleCommitNotice, Exit, Terminating
    }
    public let action: Kind
    public let replica: Int?
    /// BecomeLeader's and HandlePrepareReplies' ballot, TakeNewRequest's and HandleAcceptReplies' slot.
    public let ballot: Int, slot: Int, command: Int
    /// TakeNewRequest's witness of `\E s \in Slots : node[self].insts[s].status = "Empty"`: TLC
    /// takes a step per witness, so that a leader with two empty slots takes the same step twice.
    public let emptySlot: Int
    public let message: MultiPaxosMessage?
    /// How many of the commands are writes: what names them.
    let writes: Int

    init(_ action: Kind, _ replica: Int?, ballot: Int = 0, slot: Int = 0, command: Int = 0, emptySlot: Int = 0,
         message: MultiPaxosMessage? = nil, writes: Int) {
        self.action = action; self.replica = replica
        self.ballot = ballot; self.slot = slot; self.command = command; self.emptySlot = emptySlot; self.message = message; self.writes = writes
    }

    public var name: String { action.rawValue }
    public var kind: Int { Kind.allCases.firstIndex(of: action)! }
    public var process: Int? { replica }
    public var link: (from: Int, to: Int)? {
        guard let m = message, let r = replica, m.kind != .commitNotice else { return nil }
        return (m.src, r)
    }

    var replicaName: String { replica.map { "s\($0 + 1)" } ?? "" }

    public var parameters: [(String, ITFValue)] {
        guard let replica else { return [] }
        var out: [(String, ITFValue)] = [("self", .string("s\(replica + 1)"))]
        if action == .BecomeLeader { out.append(("b", .int(ballot))) }
        if let m = message { out.append(("m", messageValue(m))) }
        return out
    }

    func messageValue(_ m: MultiPaxosMessage) -> ITFValue {
        switch m.kind {
        case .prepare: .record([("type", .string("Prepare")), ("src", .string("s\(m.src + 1)")), ("bal", .int(m.bal))])
        case .accept: .record([("type", .string("Accept")), ("src", .string("s\(m.src + 1)")), ("bal", .int(m.bal)), ("slot", .int(m.slot)),
                               ("cmd", .string(MultiPaxos.commandName(m.cmd, writes: writes)))])
        case .commitNotice: .record([("type", .string("CommitNotice")), ("upto", .int(m.slot))])
        case .prepareReply, .acceptReply: .string("?")
        }
    }

    public var description: String {
        let command = MultiPaxos.commandName(self.command, writes: writes)
        switch action {
        case .BecomeLeader: return "\(replicaName) → all: Prepare(ballot \(ballot)), becoming leader"
        case .HandlePrepare: return "\(replicaName) → s\(message!.src + 1): PrepareReply(ballot \(message!.bal)) with its votes"
        case .HandlePrepareReplies: return "\(replicaName): a majority prepared ballot \(ballot); Accept for its in-progress slots"
        case .TakeNewRequest: return "\(replicaName) → all: Accept(slot \(slot), \(command)) for a new request"
        case .HandleAccept:
            return "\(replicaName) → s\(message!.src + 1): AcceptReply(ballot \(message!.bal), slot \(message!.slot)), accepting "
                + MultiPaxos.commandName(message!.cmd, writes: writes)
        case .HandleAcceptReplies: return "\(replicaName) → all: CommitNotice(\(slot)), committing slot \(slot) and answering its client"
        case .HandleCommitNotice: return "\(replicaName): commits slot \(slot) on CommitNotice(\(slot))"
        case .Exit: return "\(replicaName): every command is done; leaves its loop"
        case .Terminating: return "every replica is done (stuttering)"
        }
    }
}
