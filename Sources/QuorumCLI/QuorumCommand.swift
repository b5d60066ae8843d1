import ArgumentParser
import Foundation
import QuorumCore

/// `quorum`: model-checks consensus protocols written as pure Swift transition functions.
///
/// Exit codes: 0 every property holds over the bounded space (or the trace replays as recorded);
/// 1 a violation; 2 a usage or input error; 3 incomplete (a limit was reached first).
public struct QuorumCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "quorum",
        abstract: "Model-check consensus protocols: exhaustive bounded exploration, counterexample traces, replay.",
        discussion: "Exit codes: 0 ok, 1 violation, 2 usage or input error, 3 incomplete.",
        subcommands: [ListCommand.self, CheckCommand.self, ReplayCommand.self, SimulateCommand.self, ProveCommand.self, BMCCommand.self,
                      ConformCommand.self, ShowCommand.self, BenchCommand.self,
                      ValidateCommand.self, NodeLogsCommand.self, LinearizableCommand.self, ClusterCommand.self, NodeCommand.self]
    )

    public init() {}

    /// Runs the command line and returns the process exit code; argument errors map to 2.
    /// `specs` join Quorum's own for this run (see ``main(specs:)``).
    public static func run(_ arguments: [String], specs: [SpecDescriptor] = []) -> Int32 {
        do {
            try Catalog.add(specs)
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let code as ExitCode {
            return code.rawValue
        } catch let error as QuorumCore.UsageError {
            Terminal.error(error.description)
            return 2
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            Terminal.error(fullMessage(for: error).components(separatedBy: "\n").first ?? "\(error)")
            return 2
        }
    }
}

/// The process-wide exit codes, named.
enum Exit {
    static let ok: Int32 = 0
    static let violation: Int32 = 1
    static let usage: Int32 = 2
    static let incomplete: Int32 = 3
}
