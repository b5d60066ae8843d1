import Foundation
import QuorumCore

/// Every way a file's bytes reach Quorum, as plain functions: what the fuzzing targets in `Fuzz/`
/// call. Each returns normally for any input (a refusal is an error value, not a crash); a trap,
/// an overflow or a hang in one of them is a bug.
public enum UntrustedInput {
    /// Reads a trace file and replays it against the spec it names (`quorum replay`).
    public static func replay(_ data: Data) -> Result<ReplayReport, Error> {
        Result { try ReplayCommand.replay(try TraceDocument(json: data)) }
    }

    /// Reads a check plan (`quorum check --all --plan`); returns the number of checks.
    public static func plan(_ data: Data) -> Result<Int, Error> {
        Result { try CheckPlan.parse(String(decoding: data, as: UTF8.self), file: "fuzz.toml").checks.count }
    }

    /// Reads a node log and validates it as `quorum validate raft` does at Raft's default bounds,
    /// the search cut short at 2,000 configurations; returns the report's text.
    public static func validate(_ data: Data) -> Result<String, Error> {
        Result {
            let events = try ValidateCommand.read(data, file: "fuzz.jsonl")
            let spec = try Catalog.spec(named: "raft")
            let model = spec.model(try spec.resolve([:]), variant: nil)
            let report = try ValidateCommand.validate(events, model: model, maxConfigurations: 2_000)
            return ValidateCommand.describe(report, model: model, logs: NodeLogs(events))
        }
    }

    /// Reads a client history and checks it as `quorum linearizable` does, with each model in
    /// turn (searches cut at 100,000 steps), and draws its timeline; returns the texts' length.
    public static func history(_ data: Data) -> Result<Int, Error> {
        Result {
            var length = 0
            for model in ["register", "kv", "ledger"] {
                guard let (history, report) = try? LinearizableCommand.check(data, file: "fuzz.jsonl", model: model, budget: 100_000) else { continue }
                length += LinearizableCommand.describe(history, report, file: "fuzz.jsonl").utf8.count
                    + HistoryTimeline.page(history, report, model: model, file: "fuzz.jsonl").utf8.count
            }
            return length
        }
    }

    /// Reads a trace file and renders it as `show` does: the terminal text and the HTML page.
    public static func show(_ data: Data) -> Result<Int, Error> {
        Result {
            let document = try TraceDocument(json: data).mappingStrings(TraceDocument.visible)
            let replayed = ReplayCommand.outcome(document)
            return ShowCommand.render(document, replayed: replayed).utf8.count
                + HTMLViewer.page(document, replayed: replayed).utf8.count
        }
    }
}
