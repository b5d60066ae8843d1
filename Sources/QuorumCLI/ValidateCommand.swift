import ArgumentParser
import Foundation
import QuorumCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check that the logs of running nodes are a behaviour of a spec (trace validation).",
        discussion: """
            Each log is JSON Lines, one event per line: {"node": …, "action": …, "parameters": {…}, \
            "state": {…}} (docs/TRACE-VALIDATION.md). Events of one node keep their order; the search \
            finds an order between nodes, inserting the steps that no node logs (the network's), such \
            that every event is an enabled step of the spec with its parameters and state values. \
            Exit codes: 0 explained (the behaviour found is written as a trace); 1 no interleaving \
            explains the logs (the furthest behaviour and the events none can take are reported); \
            2 bad input; 3 the search reached --max-configurations.
            """)

    @Argument(help: "The spec the nodes implement (see `quorum list`).") var spec: String
    @Argument(help: "Log files (JSON Lines), one per node or several nodes per file.") var logs: [String]
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter (the model's bounds must hold the run).", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Validate against a variant of the spec.") var variant: String?
    @Option(help: "Give up (exit 3) after this many configurations.") var maxConfigurations = 2_000_000
    @Option(name: .customLong("silent"), help: ArgumentHelp("An unlogged action the search may insert (repeatable; default: every action of no process).", valueName: "ACTION"))
    var silentActions: [String] = []
    @Flag(help: "Insert no unlogged steps: the logs must name every step.") var noSilent = false
    @Option(help: "Directory for the behaviour found (ITF, Markdown, HTML).") var out = "validation"
    @Flag(help: "Do not write trace files.") var noFiles = false

    func validate() throws {
        if logs.isEmpty { throw ValidationError("give at least one log file") }
        if maxConfigurations < 1 { throw ValidationError("--max-configurations must be at least 1") }
    }

    func run() throws {
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        // Logs of running clusters outgrow the explorer's packed bounds: a spec that declares a
        // model for clusters (Raft's description) is validated against it, at its wider ranges.
        let cluster = descriptor.clusterModel
        let base = (cluster?.defaults ?? [:]).merging(chosenVariant?.bounds ?? [:]) { $1 }
        let values = try descriptor.resolve(try Settings.parse(settings), base: base, variant: chosenVariant,
                                            ranges: cluster?.ranges ?? [:])
        let model = cluster.map { $0.build(values, chosenVariant) } ?? descriptor.model(values, variant: chosenVariant)
        var events: [NodeEvent] = []
        for file in logs {
            guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
            events += try Self.read(data, file: file)
        }
        if !silentActions.isEmpty && noSilent { throw UsageError("--silent and --no-silent contradict each other") }
        if !model.actionNames.isEmpty, let unknown = silentActions.first(where: { !model.actionNames.contains($0) }) {
            throw UsageError("\(model.spec) has no action \(unknown) (its actions: \(model.actionNames.joined(separator: ", ")))")
        }
        let silent: Set<String>? = noSilent ? [] : silentActions.isEmpty ? nil : Set(silentActions)
        let report: LogValidationReport
        var text: String
        if events.contains(where: { $0.instance != nil }) {
            (text, report, _) = try Self.validateInstances(events, model: model, maxConfigurations: maxConfigurations, silentActions: silent)
        } else {
            report = try Self.validate(events, model: model, maxConfigurations: maxConfigurations, silentActions: silent)
            text = Self.describe(report, model: model, logs: NodeLogs(events))
        }
        if !noFiles {
            let stem = [spec.lowercased(), variant, report.verdict].compactMap { $0 }.joined(separator: "-")
            do {
                let files = try Terminal.writeTrace(report.document, directory: out, stem: stem)
                // The page says what the trace is: the behaviour found, or how far any interleaving gets.
                let markdown = files[1]
                let page = (try? String(contentsOfFile: markdown, encoding: .utf8)) ?? ""
                try (page + "\n## Validation of the nodes' logs\n\n```\n" + text + "```\n").write(toFile: markdown, atomically: true, encoding: .utf8)
                text += "  written: " + files.joined(separator: ", ") + "\n"
            } catch {
                Terminal.error("could not write the trace to \(out): \(error.localizedDescription)")
            }
        }
        Terminal.out(text.split(separator: "\n", omittingEmptySubsequences: false).map { TraceDocument.visible(String($0)) }.joined(separator: "\n"))
        switch report.verdict {
        case "explained": return
        case "undecided": throw ExitCode(Exit.incomplete)
        default: throw ExitCode(Exit.violation)
        }
    }

    /// The events of one log file; a malformed line is a usage error naming it.
    static func read(_ data: Data, file: String) throws -> [NodeEvent] {
        do {
            return try NodeEvent.read(jsonLines: data, file: file)
        } catch let error as TraceFormatError {
            throw UsageError(error.description)
        }
    }

    /// Checks that the logs name the model's processes and actions before searching.
    static func validate(_ events: [NodeEvent], model: AnyModel, maxConfigurations: Int,
                         silentActions: Set<String>? = nil) throws -> LogValidationReport {
        if events.isEmpty { throw UsageError("the logs hold no events") }
        let logs = NodeLogs(events)
        if let processes = model.processValues, let node = logs.nodes.first(where: { !processes.contains($0) && $0 != NodeEvent.network }) {
            throw UsageError("\(node.text) is not a process of \(model.spec) at these bounds (its processes: "
                + processes.map(\.text).joined(separator: ", ") + ")")
        }
        if !model.actionNames.isEmpty, let e = events.first(where: { !model.actionNames.contains($0.action) }) {
            throw UsageError("\(e.source): \(model.spec) has no action \(e.action) (its actions: \(model.actionNames.joined(separator: ", ")))")
        }
        return model.validate(logs, options: ValidationOptions(maxConfigurations: maxConfigurations, silentActions: silentActions))
    }

    /// Validates logs whose events name instances (the slots of a log, each agreed by its own
    /// run of the spec) one instance at a time, and describes the outcome. The report returned
    /// stands for all: the first instance not explained, else the first whose behaviour violates
    /// an invariant, else the one with the most events; the text says how many of each.
    static func validateInstances(_ events: [NodeEvent], model: AnyModel, maxConfigurations: Int,
                                  silentActions: Set<String>?) throws -> (text: String, report: LogValidationReport, instance: Int) {
        var groups: [Int: [NodeEvent]] = [:]
        for event in events {
            guard let k = event.instance else { throw UsageError("\(event.source): an event without an \"instance\" among events with one") }
            groups[k, default: []].append(event)
        }
        var chosen: (k: Int, report: LogValidationReport)? = nil
        var (explained, configurations, violating) = (0, 0, 0)
        var worst: [(Int, LogValidationReport)] = []
        for k in groups.keys.sorted() {
            let report = try validate(groups[k]!, model: model, maxConfigurations: maxConfigurations, silentActions: silentActions)
            configurations += report.configurations
            if report.verdict == "explained" {
                explained += 1
                if !report.violated.isEmpty { violating += 1 }
            } else {
                worst.append((k, report))
            }
            func rank(_ r: LogValidationReport) -> Int { r.verdict != "explained" ? 0 : !r.violated.isEmpty ? 1 : 2 }
            if let current = chosen {
                let (a, b) = (rank(report), rank(current.report))
                if a < b || (a == b && a == 2 && report.events > current.report.events) { chosen = (k, report) }
            } else {
                chosen = (k, report)
            }
        }
        let (k, report) = chosen!
        let nodes = NodeLogs(events).nodes.count
        var out = "\(model.spec)\(model.variant.map { " [\($0)]" } ?? "") (" + model.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
        out += ", \(Terminal.count(events.count)) events of \(nodes) nodes in \(Terminal.count(groups.count)) instances (slots), "
            + "\(Terminal.count(configurations)) configurations searched\n"
        if worst.isEmpty {
            out += "  result: explained: every slot's events are a behaviour of the spec (\(Terminal.count(explained)) of \(Terminal.count(groups.count)))\n"
            out += violating == 0 ? "  every invariant holds on every behaviour found\n" : "  \(violating) slots' behaviours violate an invariant; the first: slot \(k)\n"
            out += "  the slot with the most events, \(k) (\(report.events) events), is the trace written\n"
        } else {
            out += "  result: \(report.verdict) in \(worst.count) of \(Terminal.count(groups.count)) slots ("
                + worst.prefix(10).map { "slot \($0.0) \($0.1.verdict)" }.joined(separator: ", ") + (worst.count > 10 ? ", …" : "") + "); slot \(k):\n"
            out += describe(report, model: model, logs: NodeLogs(groups[k]!)).split(separator: "\n").dropFirst().map { "  \($0)\n" }.joined()
        }
        return (out, report, k)
    }

    static func describe(_ r: LogValidationReport, model: AnyModel, logs: NodeLogs) -> String {
        var out = "\(model.spec)\(model.variant.map { " [\($0)]" } ?? "") (" + model.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
        out += ", \(Terminal.count(r.events)) events of \(logs.nodes.count) node\(logs.nodes.count == 1 ? "" : "s"), "
            + "\(Terminal.count(r.configurations)) configurations searched\n"
        let silent = r.explains.filter { $0 == nil }.count
        switch r.verdict {
        case "explained":
            out += "  result: explained: a behaviour of \(r.document.steps.count - 1) steps takes every event in its node's order"
                + (silent == 0 ? "" : ", with \(silent) step\(silent == 1 ? "" : "s") no node logs") + "\n"
        case "undecided":
            out += "  result: undecided: the search reached --max-configurations after taking \(r.taken) of \(r.events) events in one behaviour\n"
        default:
            out += "  result: unexplained: no interleaving of the logs is a behaviour of the spec at these bounds; "
                + "the furthest takes \(r.taken) of \(r.events) events (\(r.document.steps.count - 1) steps), and then none can take:\n"
            for (event, reason) in zip(r.pending, r.reasons) {
                out += "    \(event.text)\n      \(reason)\n"
            }
            out += "  the nodes' states there are the last state of the trace written below\n"
        }
        return out
    }
}

struct NodeLogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node-logs",
        abstract: "Write the logs the nodes of a recorded run would write (input for `quorum validate`).",
        discussion: """
            Replays a trace file, then writes one JSON Lines file per process under --out: each of the \
            process's steps in order, with its parameters and, for each --state variable, the \
            process's value after the step. Steps of no process (the network's) are not logged.
            """)

    @Argument(help: "A trace file (.itf.json) of a spec that starts in an initial state.") var file: String
    @Option(help: "Directory for the logs, one <node>.jsonl per process.") var out = "node-logs"
    @Option(name: .customLong("state"), help: ArgumentHelp("Log this variable's value after each step (repeatable).", valueName: "VARIABLE"))
    var variables: [String] = []

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw UsageError("cannot read \(file)") }
        let document = try TraceDocument(json: data)
        let spec = try Catalog.spec(named: document.spec)
        let variant = try document.variant.map { try spec.variant(named: $0) }
        let values = try spec.resolve(Dictionary(document.parameters, uniquingKeysWith: { a, _ in a }), variant: variant)
        let model = spec.model(values, variant: variant)
        for name in variables where !document.variables.contains(name) {
            throw UsageError("\(spec.name) has no variable \(name) (its variables: \(document.variables.joined(separator: ", ")))")
        }
        let events = try model.nodeLogs(of: document, stateVariables: variables)
        let logs = NodeLogs(events)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var written: [String] = []
        for (node, nodeEvents) in zip(logs.nodes, logs.events) {
            let path = (out as NSString).appendingPathComponent("\(node.stringValue ?? node.text).jsonl")
            try (nodeEvents.map(\.jsonLine).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            written.append(path)
        }
        Terminal.out("\(events.count) events of \(logs.nodes.count) nodes from \(document.steps.count - 1) steps; written: "
            + written.joined(separator: ", "))
    }
}
