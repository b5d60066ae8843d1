import QuorumCore

/// An action of Paxos.tla with the witnesses of its existentials.
public enum PaxosAction: Hashable, Codable, Sendable, TraceableAction {
    case phase1a(ballot: Int)
    /// Acceptor `acceptor` answers the 1a message of ballot `ballot`.
    case phase1b(acceptor: Int, ballot: Int)
    /// The ballot leader sends 2a for `value`, justified by the 1b messages of `quorum` (a bit set).
    case phase2a(ballot: Int, value: Int, quorum: Int)
    /// Acceptor `acceptor` votes on the 2a message of ballot `ballot` for `value`.
    case phase2b(acceptor: Int, ballot: Int, value: Int)

    public var kind: Int {
        switch self {
        case .phase1a: 0
        case .phase1b: 1
        case .phase2a: 2
        case .phase2b: 3
        }
    }

    /// The acceptor of Phase1b and Phase2b; nil for the ballot leaders' Phase1a and Phase2a.
    public var process: Int? {
        switch self {
        case .phase1b(let a, _), .phase2b(let a, _, _): a
        case .phase1a, .phase2a: nil
        }
    }

    public var name: String {
        switch self {
        case .phase1a: "Phase1a"
        case .phase1b: "Phase1b"
        case .phase2a: "Phase2a"
        case .phase2b: "Phase2b"
        }
    }

    public var parameters: [(String, ITFValue)] {
        switch self {
        case .phase1a(let b): [("b", .int(b))]
        case .phase1b(let a, let b): [("a", .string(Paxos.acceptorName(a))), ("m", .int(b))]
        case .phase2a(let b, let v, let q): [("b", .int(b)), ("v", .string(Paxos.valueName(v))), ("Q", .set(of: Paxos.members(q).map { .string(Paxos.acceptorName($0)) }))]
        case .phase2b(let a, let b, let v): [("a", .string(Paxos.acceptorName(a))), ("m", .record([("bal", .int(b)), ("val", .string(Paxos.valueName(v)))]))]
        }
    }

    public var description: String {
        switch self {
        case .phase1a(let b):
            "leader of ballot \(b) → all: Phase1a(ballot \(b))"
        case .phase1b(let a, let b):
            "\(Paxos.acceptorName(a)) → leader of ballot \(b): Phase1b (promises ballot \(b))"
        case .phase2a(let b, let v, let q):
            "leader of ballot \(b) → all: Phase2a(ballot \(b), \(Paxos.valueName(v))) on the 1b messages of {\(Paxos.members(q).map(Paxos.acceptorName).joined(separator: ", "))}"
        case .phase2b(let a, let b, let v):
            "\(Paxos.acceptorName(a)) → all: Phase2b (votes \(Paxos.valueName(v)) in ballot \(b))"
        }
    }
}
