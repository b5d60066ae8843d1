import ArgumentParser
import Foundation
import QuorumCore
@preconcurrency import Rainbow

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print a counterexample file as a table of steps (in colour on a terminal), or write it as an HTML page.",
        discussion: """
            Reads any trace Quorum writes (explorer, simulator, prove, bmc): the initial state, then \
            each step's action and the variables it changed, old → new. Colours are used when stdout \
            is a terminal and NO_COLOR is unset. `quorum replay` checks a file against its spec; \
            `show` only prints it. With --html OUT it writes a self-contained page instead: a message \
            sequence diagram and the state of each step (no network access needed). \
            Exit codes: 0 shown, 2 unreadable or malformed file.
            """)

    @Argument(help: "A trace file (.itf.json).") var file: String
    @Flag(help: "Never use colours.") var plain = false
    @Option(help: ArgumentHelp("Write an HTML page with a sequence diagram to OUT instead of printing.", valueName: "OUT"))
    var html: String?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
        let document: TraceDocument
        do {
            // Text from the file never reaches the terminal as control characters.
            document = try TraceDocument(json: data).mappingStrings(TraceDocument.visible)
        } catch {
            throw UsageError("\(TraceDocument.visible(file)): \(error)")
        }
        let replayed = ReplayCommand.outcome(document)
        if let html {
            try Terminal.write(HTMLViewer.page(document, replayed: replayed), to: html, what: "HTML page")
            Terminal.out("written: \(html)")
            return
        }
        Rainbow.enabled = !plain && isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        Terminal.out(Self.render(document, replayed: replayed))
    }

    /// The trace as the terminal shows it; colours only when `Rainbow.enabled`.
    static func render(_ document: TraceDocument) -> String {
        render(document, replayed: ReplayCommand.outcome(document))
    }

    /// `replayed`: the file's replay, which says why the property fails (when the file replays).
    static func render(_ document: TraceDocument, replayed: Result<ReplayReport, Error>) -> String {
        var out = document.spec.bold
        if let variant = document.variant { out += " [\(variant)]".yellow }
        out += " (" + document.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")\n"
        let length = document.steps.count - 1
        if document.induction != nil {
            out += "A counterexample to induction: state 0 satisfies \(document.assumption) (it need not be reachable)"
            out += length == 0 ? ", and violates \(document.property ?? "the property").\n" : "; after \(length) step, \(document.property ?? "it") fails.\n"
        } else if let property = document.property {
            out += "\(property.red.bold) (\(document.propertyKind?.rawValue ?? "invariant")) violated after \(length) step\(length == 1 ? "" : "s").\n"
        } else {
            out += "A trace of \(length) step\(length == 1 ? "" : "s").\n"
        }
        out += "\n" + "  0  ".dim + (document.induction == nil ? "initial state" : "an arbitrary state satisfying \(document.assumption)").bold + "\n"
        for (name, value) in zip(document.variables, document.steps[0].values) {
            out += "       " + name.cyan + " = " + value.text + "\n"
        }
        for (index, (before, after)) in zip(document.steps, document.steps.dropFirst()).enumerated() {
            let cycle = document.loop.map { index + 1 > $0 } ?? false
            out += String(format: "%3d", index + 1).dim + (cycle ? "↻ ".magenta : "  ") + after.description.bold + "\n"
            let changes = TraceDocument.changes(document.variables, before.values, after.values)
            if changes.isEmpty { out += "       " + "(no change)".dim + "\n" }
            for change in changes { out += "       " + highlight(change) + "\n" }
        }
        if let loopText = document.loopText { out += "  ↻ ".magenta + ("then " + loopText).bold + "\n" }
        if let why = (try? replayed.get())?.explanation { out += "  why: ".red + why.text + "\n" }
        return out
    }

    /// "name: old → new" with the name, the old and the new value told apart.
    private static func highlight(_ change: String) -> String {
        guard let colon = change.range(of: ": ") else { return change }
        let name = String(change[..<colon.lowerBound]), rest = String(change[colon.upperBound...])
        if let arrow = rest.range(of: " → ") {
            return name.cyan + ": " + String(rest[..<arrow.lowerBound]).red + " → " + String(rest[arrow.upperBound...]).green
        }
        if rest.hasPrefix("+ ") { return name.cyan + ": " + rest.green }
        if rest.hasPrefix("− ") { return name.cyan + ": " + rest.red }
        return name.cyan + ": " + rest
    }
}
