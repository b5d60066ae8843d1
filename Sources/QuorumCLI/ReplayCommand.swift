import ArgumentParser
import Foundation
import QuorumCore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-execute ITF trace files against their spec.",
        discussion: """
            Every step must be enabled and produce exactly the recorded state, and the violation the file \
            records must occur at its end. Exit codes: 0 every file replays as recorded; 2 a file is \
            malformed, tampered, truncated or stale (the message says where).
            """)

    @Argument(help: "Trace files (.itf.json).") var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one trace file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let report = try Self.replay(file)
                var line = "ok    \(file): \(report.length) step\(report.length == 1 ? "" : "s") replay"
                if report.reproduced, let assumption = report.induction, let first = report.failing.first {
                    line += report.length == 0
                        ? "; a state satisfying \(assumption) that violates \(first): \(assumption) does not imply \(first), as recorded"
                        : "; a counterexample to induction of \(assumption): from an arbitrary state satisfying it (not necessarily reachable), one step violates \(first), as recorded"
                } else if report.reproduced, let loop = report.loop {
                    line += " and loop back to state \(loop) on a fair cycle; violates \(report.failing.joined(separator: ", ")), as recorded"
                } else if report.reproduced, let first = report.failing.first {
                    line += "; violates \(report.failing.count == 1 ? first : report.failing.joined(separator: ", ")) at the end, as recorded"
                } else if !report.failing.isEmpty {
                    line += "; at the end: \(report.failing.joined(separator: ", ")) fail"
                } else {
                    line += "; every property holds at the end"
                }
                Terminal.out(TraceDocument.visible(line))
            } catch {
                failed = true
                Terminal.error("\(file): \(error)")
            }
        }
        if failed { throw ExitCode(Exit.usage) }
    }

    static func replay(_ file: String) throws -> ReplayReport {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw UsageError("cannot read the file")
        }
        return try replay(try TraceDocument(json: data))
    }

    /// The replay as a value, for the pages and texts that explain a file.
    static func outcome(_ document: TraceDocument) -> Result<ReplayReport, any Error> {
        Result { try replay(document) }
    }

    /// Replays a document against the spec, variant and bounds it names.
    static func replay(_ document: TraceDocument) throws -> ReplayReport {
        let spec = try Catalog.spec(named: document.spec)
        let variant = try document.variant.map { try spec.variant(named: $0) }
        // Every parameter is named: a file's bounds are part of its claim, so none is defaulted.
        let named = Set(document.parameters.map(\.0))
        let missing = spec.parameters.map(\.name).filter { !named.contains($0) }
        if !missing.isEmpty {
            throw UsageError("#meta.parameters does not name \(missing.joined(separator: ", ")): a trace file must give every parameter of \(spec.name)")
        }
        let values = try spec.resolve(Dictionary(document.parameters, uniquingKeysWith: { a, _ in a }), variant: variant)
        return try spec.model(values, variant: variant).replay(document)
    }
}
