import ArgumentParser
import Foundation
import QuorumCore
import QuorumHistory

struct LinearizableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "linearizable",
        abstract: "Check a client history for linearizability (Wing and Gong's search, Lowe's memoisation).",
        discussion: """
            The history is JSON Lines as Jepsen records it: {"process": 0, "type": "invoke"|"ok"|"fail"|"info", \
            "f": …, "value": …}, in the order the events happened (docs/LINEARIZABILITY.md). Models: \
            register (read, write, cas), kv (the same per key, [key, value]), ledger (transfer, read; \
            initial balances on an "init" first line). Exit codes: 0 linearizable; 1 not linearizable \
            (a smaller history that is not linearizable either is printed and drawn); 2 bad input; \
            3 undecided (the search ran out of --budget).
            """)

    @Argument(help: "The history (JSON Lines).") var file: String
    @Option(help: "The sequential model: register, kv or ledger.") var model = "register"
    @Option(help: "Steps one object's search may take before it gives up.") var budget = 20_000_000
    @Option(help: ArgumentHelp("Write the history's timeline as an HTML page.", valueName: "FILE")) var html: String?

    func validate() throws {
        if !["register", "kv", "ledger"].contains(model) { throw ValidationError("--model is register, kv or ledger") }
        if budget < 1 { throw ValidationError("--budget must be at least 1") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
        let (history, report) = try Self.check(data, file: file, model: model, budget: budget)
        Terminal.out(Self.describe(history, report, file: file).split(separator: "\n", omittingEmptySubsequences: false)
            .map { TraceDocument.visible(String($0)) }.joined(separator: "\n"))
        if let html { try Terminal.write(HistoryTimeline.page(history, report, model: model, file: file), to: html, what: "timeline") }
        switch report.verdict {
        case .linearizable: return
        case .notLinearizable: throw ExitCode(Exit.violation)
        case .undecided: throw ExitCode(Exit.incomplete)
        }
    }

    /// Reads and checks a history; bad input is a usage error naming its line.
    static func check(_ data: Data, file: String, model: String, budget: Int) throws -> (History, LinearizabilityReport) {
        let history: History
        do {
            history = try History(jsonLines: data, file: file)
        } catch let error as HistoryError {
            throw UsageError(error.description)
        }
        if history.operations.isEmpty { throw UsageError("\(file) holds no operations") }
        do {
            switch model {
            case "kv": return (history, try LinearizabilityChecker(KeyValueModel(), budget: budget).check(history))
            case "ledger": return (history, try LinearizabilityChecker(LedgerModel(), budget: budget).check(history))
            default: return (history, try LinearizabilityChecker(RegisterModel(), budget: budget).check(history))
            }
        } catch let error as HistoryError {
            throw UsageError("\(file), \(error.description)")
        }
    }

    static func describe(_ history: History, _ r: LinearizabilityReport, file: String) -> String {
        let ops = history.operations
        let indeterminate = ops.filter { $0.outcome == .info }.count
        var out = "\(file): \(ops.count) operations (\(indeterminate) indeterminate) of "
            + "\(Set(ops.map(\.process)).count) processes, \(r.objects) object\(r.objects == 1 ? "" : "s"), \(r.steps) search steps\n"
        switch r.verdict {
        case .linearizable:
            out += "  result: linearizable\n"
        case .undecided:
            out += "  result: undecided: a search reached --budget\n"
        case .notLinearizable:
            out += "  result: not linearizable" + (r.object.map { " (object \($0.text))" } ?? "") + "\n"
            out += "  the longest order found places \(r.partial.count) operation\(r.partial.count == 1 ? "" : "s")"
            if let stuck = r.stuck { out += "; then \(ops[stuck].text) (lines \(ops[stuck].call)–\(ops[stuck].ret.map(String.init) ?? "…")) returns before any order can place it" }
            out += "\n  a smaller history that is not linearizable either"
                + (r.witnessLines.map { " (the history before line \($0), operations still open there as indeterminate, without the reads it does not need)" } ?? " (without the reads it does not need)")
                + ":\n"
            for id in r.witness {
                let op = ops[id]
                let open = r.witnessLines.map { op.ret == nil || op.ret! >= $0 } ?? false
                out += "    \(op.text)\(open ? " (open at the cut: indeterminate)" : "")  lines \(op.call)–\(op.ret.map(String.init) ?? "…")\n"
            }
        }
        return out
    }
}
