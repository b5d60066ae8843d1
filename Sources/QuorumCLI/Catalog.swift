import Foundation
import AuditLog
import MultiPaxos
import Paxos
import QuorumCore
import Raft
import RaftZ3
import ResultBroadcast
import TwoPhaseCommit

/// Every spec the command line knows: Quorum's own, and those a package adds through
/// ``main(specs:)``.
public enum Catalog {
    /// The specs of a package that runs the command line as its own executable (see
    /// ``main(specs:)``): set once, before the command line reads its arguments.
    nonisolated(unsafe) static var added: [SpecDescriptor] = []

    /// Quorum's own and the added ones, in that order.
    public static var specs: [SpecDescriptor] { builtIn + added }

    /// One per line, so that adding a spec is adding a line (docs/TUTORIAL.md lists every edit).
    public static let builtIn: [SpecDescriptor] = [
        Paxos.spec,
        Raft.specWithEncoding,
        ResultBroadcast.spec,
        AuditLog.spec,
        TwoPhaseCommit.spec,
        MultiPaxos.spec,
    ]

    public static func spec(named name: String) throws -> SpecDescriptor {
        guard let spec = specs.first(where: { $0.name.lowercased() == name.lowercased() }) else {
            throw UsageError("unknown spec '\(name)'; known: \(specs.map(\.name).joined(separator: ", "))")
        }
        return spec
    }
}

extension Catalog {
    /// Adds a package's specs; a name that is already taken (case aside) is a usage error.
    static func add(_ specs: [SpecDescriptor]) throws {
        for spec in specs {
            if Catalog.specs.contains(where: { $0.name.lowercased() == spec.name.lowercased() }) {
                throw UsageError("a spec named \(spec.name) is already known; give yours another name")
            }
            added.append(spec)
        }
    }
}

/// The whole command line (`check`, `simulate`, `prove`, `bmc`, `conform`, `replay`, `show`,
/// `list`, `bench`) over Quorum's specs and `specs`, as a package's own executable:
///
/// ```swift
/// import QuorumCLI
///
/// @main struct Tool {
///     static func main() { QuorumCLI.main(specs: [TokenRing.spec]) }
/// }
/// ```
///
/// Reads the process's arguments and exits with the command's code (0 ok, 1 violation, 2 usage or
/// input error, 3 incomplete).
public func main(specs: [SpecDescriptor]) -> Never {
    let code = QuorumCommand.run(Array(CommandLine.arguments.dropFirst()), specs: specs)
    fflush(nil)
    exit(code)
}
