import QuorumCore

/// An action of raft.tla with its parameters.
public enum RaftAction: Hashable, Codable, Sendable, TraceableAction {
    case restart(Int)
    case timeout(Int)
    case requestVote(Int, Int)
    case becomeLeader(Int)
    case clientRequest(Int, value: Int)
    case advanceCommitIndex(Int)
    case appendEntries(Int, Int)
    /// `Receive(m)`; the handler that runs is determined by `m` and the state.
    case receive(RaftMessage)
    case duplicateMessage(RaftMessage)
    case dropMessage(RaftMessage)

    public var kind: Int {
        switch self {
        case .restart: 0
        case .timeout: 1
        case .requestVote: 2
        case .becomeLeader: 3
        case .clientRequest: 4
        case .advanceCommitIndex: 5
        case .appendEntries: 6
        case .receive: 7
        case .duplicateMessage: 8
        case .dropMessage: 9
        }
    }

    public var process: Int? {
        switch self {
        case .restart(let i), .timeout(let i), .becomeLeader(let i), .advanceCommitIndex(let i), .clientRequest(let i, _),
             .requestVote(let i, _), .appendEntries(let i, _): i
        case .receive(let m): m.dest
        case .duplicateMessage, .dropMessage: nil
        }
    }

    /// Receive(m) delivers m from its source to its destination.
    public var link: (from: Int, to: Int)? {
        if case .receive(let m) = self { return (m.source, m.dest) }
        return nil
    }

    public var name: String {
        switch self {
        case .restart: "Restart"
        case .timeout: "Timeout"
        case .requestVote: "RequestVote"
        case .becomeLeader: "BecomeLeader"
        case .clientRequest: "ClientRequest"
        case .advanceCommitIndex: "AdvanceCommitIndex"
        case .appendEntries: "AppendEntries"
        case .receive: "Receive"
        case .duplicateMessage: "DuplicateMessage"
        case .dropMessage: "DropMessage"
        }
    }

    public var parameters: [(String, ITFValue)] {
        func s(_ i: Int) -> ITFValue { .string(Raft.serverName(i)) }
        switch self {
        case .restart(let i), .timeout(let i), .becomeLeader(let i), .advanceCommitIndex(let i): return [("i", s(i))]
        case .requestVote(let i, let j), .appendEntries(let i, let j): return [("i", s(i)), ("j", s(j))]
        case .clientRequest(let i, let v): return [("i", s(i)), ("v", .string(Raft.valueName(v)))]
        case .receive(let m), .duplicateMessage(let m), .dropMessage(let m): return [("m", Raft.traceValue(m))]
        }
    }

    public var description: String {
        func s(_ i: Int) -> String { Raft.serverName(i) }
        switch self {
        case .restart(let i): return "\(s(i)): Restart"
        case .timeout(let i): return "\(s(i)): Timeout"
        case .requestVote(let i, let j): return "\(s(i)) → \(s(j)): RequestVote"
        case .becomeLeader(let i): return "\(s(i)): BecomeLeader"
        case .clientRequest(let i, let v): return "\(s(i)): ClientRequest(\(Raft.valueName(v)))"
        case .advanceCommitIndex(let i): return "\(s(i)): AdvanceCommitIndex"
        case .appendEntries(let i, let j): return "\(s(i)) → \(s(j)): AppendEntries"
        case .receive(let m): return "\(s(m.dest)) receives \(m)"
        case .duplicateMessage(let m): return "network duplicates \(m)"
        case .dropMessage(let m): return "network drops \(m)"
        }
    }
}
