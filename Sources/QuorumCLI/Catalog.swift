import AuditLog
import Paxos
import QuorumCore
import Raft
import ResultBroadcast
import TwoPhaseCommit

/// Every spec the command line knows.
public enum Catalog {
    /// One per line, so that adding a spec is adding a line (docs/TUTORIAL.md lists every edit).
    public static let specs: [SpecDescriptor] = [
        Paxos.spec,
        Raft.spec,
        ResultBroadcast.spec,
        AuditLog.spec,
        TwoPhaseCommit.spec,
    ]

    public static func spec(named name: String) throws -> SpecDescriptor {
        guard let spec = specs.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw UsageError("unknown spec '\(name)'; known: \(specs.map(\.name).joined(separator: ", "))")
        }
        return spec
    }
}
