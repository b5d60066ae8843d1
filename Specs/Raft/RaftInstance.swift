import QuorumCore

/// The disjuncts of `Receive(m)`: UpdateTerm for every kind, then the handler's own.
public enum ReceiveBranch: String, Hashable, Codable, Sendable, CaseIterable {
    case updateTerm
    case handleRequestVoteRequest
    case dropStaleResponse, handleRequestVoteResponse
    case rejectAppendEntriesRequest, returnToFollowerState, acceptAppendEntriesRequest, conflictAppendEntriesRequest, appendEntry
    case handleAppendEntriesResponse

    static func of(_ kind: RaftMessage.Kind) -> [ReceiveBranch] {
        switch kind {
        case .requestVoteRequest: [.updateTerm, .handleRequestVoteRequest]
        case .requestVoteResponse: [.updateTerm, .dropStaleResponse, .handleRequestVoteResponse]
        case .appendEntriesRequest:
            [.updateTerm, .rejectAppendEntriesRequest, .returnToFollowerState, .acceptAppendEntriesRequest,
             .conflictAppendEntriesRequest, .appendEntry]
        case .appendEntriesResponse: [.updateTerm, .dropStaleResponse, .handleAppendEntriesResponse]
        }
    }
}

/// An instance of ``RaftDescription``'s `Next`: a server's action, or a message's at a place of the bag.
public enum RaftInstance: Hashable, Codable, Sendable, TraceableAction {
    case server(RaftAction)
    case receive(place: Int, kind: RaftMessage.Kind, source: Int, dest: Int, ReceiveBranch)
    case duplicate(place: Int)
    case drop(place: Int)

    public var name: String {
        switch self {
        case .server(let a): a.name
        case .receive: "Receive"
        case .duplicate: "DuplicateMessage"
        case .drop: "DropMessage"
        }
    }

    public var parameters: [(String, ITFValue)] {
        switch self {
        case .server(let a): a.parameters
        case .receive(let p, _, _, _, _), .duplicate(let p), .drop(let p): [("place", .int(p + 1))]
        }
    }

    public var kind: Int {
        switch self {
        case .server(let a): a.kind
        case .receive: 7
        case .duplicate: 8
        case .drop: 9
        }
    }

    public var link: (from: Int, to: Int)? {
        if case .receive(_, _, let j, let i, _) = self { return (j, i) }
        return nil
    }

    public var process: Int? {
        switch self {
        case .server(let a): a.process
        case .receive(_, _, _, let i, _): i
        case .duplicate, .drop: nil
        }
    }

    public var description: String {
        switch self {
        case .server(let a): a.description
        case .receive(let p, _, let j, let i, let branch): "\(Raft.serverName(i)) receives from \(Raft.serverName(j)) at place \(p + 1) (\(branch.rawValue))"
        case .duplicate(let p): "network duplicates the message at place \(p + 1)"
        case .drop(let p): "network drops the message at place \(p + 1)"
        }
    }

    /// The packed model's action for this instance in state `s`.
    public func action(in s: RaftVariables) -> RaftAction {
        switch self {
        case .server(let a): a
        case .receive(let p, _, _, _, _): .receive(s.messages.elements[p])
        case .duplicate(let p): .duplicateMessage(s.messages.elements[p])
        case .drop(let p): .dropMessage(s.messages.elements[p])
        }
    }
}
