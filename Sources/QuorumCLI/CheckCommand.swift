import ArgumentParser
import Foundation
import QuorumCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Explore a spec exhaustively within its bounds and check its properties.",
        discussion: """
            With --all: every spec at its CI bounds must pass, and every variant must be caught \
            violating the property it is known to break.
            Exit codes: 0 ok, 1 violation (or, with --all, an unmet expectation), 2 usage error or a report \
            that could not be written, 3 incomplete. When several apply, 1 wins over 2, and 2 over 3.
            """)

    @Argument(help: "The spec to check (see `quorum list`).") var spec: String?
    @Flag(help: "Run the check plan: quorum.toml, or every spec and every variant at CI bounds.") var all = false
    @Option(help: ArgumentHelp("The check plan for --all (default: quorum.toml in the current directory if there is one, else the specs' built-in plan).", valueName: "FILE"))
    var plan: String?
    @Flag(help: "Print the specs' built-in check plan in the plan file's format, and exit.") var printPlan = false
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Check a buggy variant of the spec.") var variant: String?
    @Option(name: .customLong("invariant"), help: ArgumentHelp("Check only this property (repeatable).", valueName: "NAME"))
    var properties: [String] = []
    @Flag(name: .customLong("continue"), help: "Report every violated property, each with its own shortest trace.")
    var continueAfterViolation = false
    @Flag(help: "Report states with no enabled action.") var deadlock = false
    @Option(help: "Stop (incomplete) after this many distinct states.") var maxStates: Int?
    @Option(help: "Stop (incomplete) after this many seconds.") var timeout: Double?
    @Option(help: ArgumentHelp("Keep the explorer's tables within this size (e.g. 256M, 2G): visited fingerprints and queues spill to disk beyond it, with the same figures and traces.", valueName: "SIZE"))
    var memory: String?
    @Option(help: ArgumentHelp("Where --memory spills (default: the system's temporary directory).", valueName: "DIR"))
    var spillDir: String?
    @Flag(help: "Symmetry reduction: one state per class of states equal up to renaming servers, acceptors or values.")
    var symmetry = false
    @Flag(help: "Temporal properties: judge fairness on the bounded model, so an action whose steps all leave the bounds counts as disabled.")
    var boundedFairness = false
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var workers: Int?
    @Flag(help: "Per action, the states it generated and the new states it found (TLC's -coverage), and a warning for each action that found none.")
    var coverage = false
    @Option(help: ArgumentHelp("Write a JSON report to FILE, or - for stdout.", valueName: "FILE|-")) var json: String?
    @Option(help: ArgumentHelp("Write a JUnit XML report (one test case per spec, variant and property).", valueName: "FILE"))
    var junit: String?
    @Option(help: "Directory for counterexample files.") var out = "counterexamples"
    @Flag(help: "Do not write counterexample files.") var noFiles = false
    @Flag(help: "No progress line on stderr.") var quiet = false
    @Flag(help: "Explore over the ranks of an Open MPI job: mpirun -np K quorum check SPEC --distributed. Same figures and counterexamples as one process; invariants and step properties only.")
    var distributed = false

    func validate() throws {
        if printPlan { return }
        if all && spec != nil { throw ValidationError("give a spec or --all, not both") }
        if !all && spec == nil { throw ValidationError("give a spec to check, or --all") }
        if plan != nil && !all { throw ValidationError("--plan goes with --all") }
        if all && (variant != nil || !settings.isEmpty || !properties.isEmpty) {
            throw ValidationError("--all takes its bounds, variants and properties from the specs; drop --set, --variant and --invariant")
        }
        if let maxStates, maxStates < 1 { throw ValidationError("--max-states must be at least 1") }
        if let memory, Settings.bytes(memory) == nil {
            throw ValidationError("--memory takes a size such as 800M or 2G, got '\(memory)'")
        }
        if let spillDir {
            if memory == nil { throw ValidationError("--spill-dir goes with --memory") }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: spillDir, isDirectory: &isDirectory), isDirectory.boolValue,
                  FileManager.default.isWritableFile(atPath: spillDir) else {
                throw ValidationError("--spill-dir \(spillDir) is not a writable directory")
            }
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
        if distributed {
            if all { throw ValidationError("--distributed checks one spec; drop --all") }
            if coverage { throw ValidationError("--distributed does not count coverage; drop --coverage") }
        }
    }

    func run() throws {
        Signals.stopGracefully()
        let reportToStdout = json == "-"
        var checks: [CheckOutcome] = []
        if printPlan {
            Terminal.out(try CheckPlan.builtInText())
            return
        }
        if all {
            let plan = try loadPlan()
            /// Checks that did not meet their expectation: settled (a property violated where "ok" was
            /// expected, or a complete run that missed the expected violation), or cut short.
            var settled: [String] = [], unfinished: [String] = []
            if !reportToStdout {
                let declared = plan.declaredCount
                Terminal.out("plan: \(plan.source), \(plan.checks.count) checks" + (declared > 0 ? " (\(declared) as the specs declare them)" : "") + "\n")
            }
            for warning in plan.uncovered() { Terminal.warning(warning) }
            for check in plan.checks {
                let report = execute(check.spec.model(check.values, variant: check.variant), properties: check.properties.map(Set.init),
                                     boundedFairness: boundedFairness || check.boundedFairness, symmetry: symmetry || check.symmetry,
                                     lookingFor: check.expect == "ok" ? nil : check.expect)
                let passed = check.expect == "ok" ? report.result == .ok : report.findings.contains { $0.property == check.expect }
                if !passed {
                    let what = "\(title(report)) expected \(check.expect), got \(outcome(report))"
                    if report.result == .incomplete && report.findings.isEmpty { unfinished.append(what) } else { settled.append(what) }
                }
                checks.append(CheckOutcome(report: report, expected: check.expect, passed: passed, properties: check.properties,
                                           location: check.line == 0 ? nil : plan.path.map { ($0, check.line) }))
                summarize(report, expected: check.expect, passed: passed, quiet: reportToStdout)
            }
            let written = writeReports(checks)
            let failures = settled.count + unfinished.count
            if !reportToStdout {
                var summary = "\n\(checks.count - failures) of \(checks.count) checks met their expectation" + (failures == 0 ? "." : "; \(failures) did not:")
                for line in settled { summary += "\n  FAIL  " + line }
                for line in unfinished { summary += "\n  INCOMPLETE  " + line }
                Terminal.out(summary)
            }
            // A settled failure wins over a report that could not be written, which wins over a check cut short.
            if !settled.isEmpty { throw ExitCode(Exit.violation) }
            if !written { throw ExitCode(Exit.usage) }
            if !unfinished.isEmpty { throw ExitCode(Exit.incomplete) }
            return
        }

        let descriptor = try Catalog.spec(named: spec!)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let values = try descriptor.resolve(try Settings.parse(settings), base: chosenVariant?.bounds ?? [:], variant: chosenVariant)
        let model = descriptor.model(values, variant: chosenVariant)
        if symmetry && !model.hasSymmetry { throw UsageError("\(descriptor.name) declares no symmetry; drop --symmetry") }
        for name in properties where !(model.propertyNames + ["Deadlock"]).contains(name) {
            throw UsageError("unknown invariant '\(name)' of \(descriptor.name); known: \(model.propertyNames.joined(separator: ", "))")
        }
        // A variant is checked for the property it is known to break: others found on the way are
        // reported too, after it.
        var command = self
        var mpi: OpenMPI? = nil
        if distributed {
            if let temporal = properties.first(where: model.temporalPropertyNames.contains) {
                throw UsageError("--distributed checks invariants and step properties; \(temporal) is a temporal property")
            }
            do { mpi = try OpenMPI() } catch { throw UsageError("\(error)") }
            // Only the first rank reports; every rank exits with the same code.
            if mpi!.rank != 0 {
                command.quiet = true
                command.noFiles = true
                command.json = nil
                command.junit = nil
            } else if properties.isEmpty && !model.temporalPropertyNames.isEmpty && !reportToStdout {
                Terminal.warning("--distributed checks invariants and step properties; not the temporal properties "
                                 + model.temporalPropertyNames.joined(separator: ", "))
            }
        }
        defer { mpi?.finish() }
        let report = command.execute(model, properties: properties.isEmpty ? nil : Set(properties), boundedFairness: boundedFairness,
                                     symmetry: symmetry, lookingFor: properties.isEmpty ? chosenVariant?.breaks : nil, exchange: mpi)
        if !reportToStdout && (mpi?.rank ?? 0) == 0 {
            if let mpi { Terminal.out("explored over \(mpi.size) rank" + (mpi.size == 1 ? "" : "s")) }
            Terminal.out(describe(report))
        }
        checks.append(CheckOutcome(report: report, expected: nil, passed: nil, properties: properties.isEmpty ? nil : properties, location: nil))
        let written = command.writeReports(checks)
        // A violation is reported as one even when a report could not be written.
        if report.result == .violation { throw ExitCode(Exit.violation) }
        if !written { throw ExitCode(Exit.usage) }
        if report.result == .incomplete { throw ExitCode(Exit.incomplete) }
    }

    /// "ok", "violation of P, Q", or "incomplete (reason)".
    private func outcome(_ report: CheckReport) -> String {
        switch report.result {
        case .ok: "ok"
        case .violation: "violation of " + report.findings.map(\.property).joined(separator: ", ")
            + (report.incompleteReason.map { " (then stopped: \($0))" } ?? "")
        case .incomplete: "incomplete (\(report.incompleteReason ?? "a limit was reached"))"
        }
    }

    /// Writes the JSON, JUnit and GitHub reports; an error is printed, and false returned, so that
    /// the exit code can still say what the check found.
    private func writeReports(_ checks: [CheckOutcome]) -> Bool {
        var written = true
        do { try writeJSON(checks) } catch { Terminal.error("\(error)"); written = false }
        do { try writeCIReports(checks) } catch { Terminal.error("\(error)"); written = false }
        return written
    }

    /// `--plan FILE`, else quorum.toml in the current directory, else the built-in plan.
    private func loadPlan() throws -> CheckPlan {
        if let plan { return try CheckPlan.load(plan) }
        if FileManager.default.fileExists(atPath: "quorum.toml") { return try CheckPlan.load("quorum.toml") }
        return try CheckPlan.builtIn()
    }

    /// Runs one exploration with progress on stderr and writes its counterexample files.
    private func execute(_ model: AnyModel, properties: Set<String>?, boundedFairness: Bool, symmetry: Bool, lookingFor: String? = nil,
                         exchange: (any RankExchange)? = nil) -> CheckReport {
        var options = ExplorationOptions()
        options.exchange = exchange
        options.continueAfterViolation = continueAfterViolation
        options.stopOnceViolated = lookingFor
        // Naming Deadlock, or a variant that deadlocks, asks for it to be checked.
        options.checkDeadlock = deadlock || properties?.contains("Deadlock") == true || lookingFor == "Deadlock"
        options.maxStates = maxStates
        options.timeout = timeout
        options.properties = properties
        if let workers { options.workers = workers }
        options.symmetry = symmetry
        options.boundedFairness = boundedFairness
        options.memoryBudget = memory.flatMap(Settings.bytes)
        options.spillDirectory = spillDir
        options.coverage = coverage
        if !self.quiet { options.progress = Progress.reporter() }
        var report = model.check(options)
        if !self.quiet { Progress.finish() }
        for finding in report.findings { report.replays[finding.property] = ReplayCommand.outcome(finding.document) }
        if !noFiles { report.files = writeFiles(report) }
        return report
    }

    private func writeFiles(_ report: CheckReport) -> [String: [String]] {
        var files: [String: [String]] = [:]
        guard !report.findings.isEmpty else { return files }
        do {
            for finding in report.findings {
                files[finding.property] = try Terminal.writeTrace(finding.document, directory: out, stem: report.fileStem(for: finding),
                                                                  replayed: report.replays[finding.property])
            }
        } catch {
            Terminal.error("could not write counterexample files to \(out): \(error.localizedDescription)")
        }
        return files
    }

    private func title(_ report: CheckReport) -> String {
        "\(report.spec)\(report.variant.map { " [\($0)]" } ?? "") (" + report.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
    }

    private func figures(_ report: CheckReport) -> String {
        "\(Terminal.count(report.distinctStates)) distinct states, \(Terminal.count(report.statesGenerated)) generated, "
            + "diameter \(report.diameter), " + String(format: "%.2f s, %@ states/s", report.seconds,
                                                       Terminal.count(Int(report.seconds > 0 ? Double(report.statesGenerated) / report.seconds : 0)))
    }

    /// The full report of a single check, traces included.
    private func describe(_ report: CheckReport) -> String {
        var out = title(report) + "\n"
        switch report.result {
        case .ok: out += "  result: ok — every property holds within the bounds\n"
        case .violation: out += "  result: violation" + (report.incompleteReason.map { " — then the run stopped early: \($0)" } ?? "") + "\n"
        case .incomplete: out += "  result: incomplete — \(report.incompleteReason ?? "a limit was reached")\n"
        }
        out += "  " + figures(report) + "\n"
        out += String(format: "  fingerprint collision probability (optimistic): %.1e; %.1f bytes per state\n",
                      report.collisionProbability, report.bytesPerState)
        if let spill = report.spill, spill.merges + spill.queuedStates > 0 {
            out += "  spilled to disk under --memory: \(Terminal.count(spill.fingerprints)) fingerprints (\(spill.merges) merges), "
                + "\(Terminal.count(spill.queuedStates)) queued states (\(Terminal.count(spill.queueBytes / (1 << 20))) MiB)\n"
        }
        if let d = report.distribution {
            let states = Double(max(1, report.distinctStates))
            out += "  over \(d.ranks) rank" + (d.ranks == 1 ? "" : "s") + ": sent \(Terminal.count(d.statesSent)) states to their owners, "
                + String(format: "%.0f bytes per distinct state (%.1f of them numbering keys); ", Double(d.bytesSent + d.keyBytesSent) / states,
                         Double(d.keyBytesSent) / states)
                + String(format: "slowest rank: %.2f s computing, %.2f s exchanging\n", d.computeSeconds.reduce(0, +), d.exchangeSeconds.reduce(0, +))
        }
        if let graph = report.temporalGraph {
            out += "  temporal properties checked on the state graph: \(Terminal.count(graph.states)) states, "
                + "\(Terminal.count(graph.edges)) edges, " + String(format: "%.2f s\n", graph.seconds)
        }
        out += Self.coverage(report)
        // A variant's declared property first.
        let declared = report.variant.flatMap { name in Catalog.specs.first { $0.name == report.spec }?.variants.first { $0.name == name }?.breaks }
        let ordered = report.findings.filter { $0.property == declared } + report.findings.filter { $0.property != declared }
        for finding in ordered {
            out += "\n\(finding.property) (\(finding.kind.rawValue)) violated after \(finding.length) steps:\n"
            out += finding.document.text
            if let why = (try? report.replays[finding.property]?.get())?.explanation { out += "  why: " + why.text + "\n" }
            if let files = report.files[finding.property] { out += "  written: " + files.joined(separator: ", ") + "\n" }
        }
        return out
    }

    /// The coverage table, and a warning per action that found no new state in a complete run:
    /// never enabled, or only to states seen before or beyond the bounds, a sign that the bounds
    /// are too tight or a guard is wrong.
    static func coverage(_ report: CheckReport) -> String {
        guard !report.coverage.isEmpty else { return "" }
        let width = report.coverage.map(\.action.count).max() ?? 0
        var out = "  coverage (action: new states found / states generated):\n"
        for row in report.coverage {
            out += "    " + row.action.padding(toLength: width, withPad: " ", startingAt: 0)
                + "  \(Terminal.count(row.distinct)) / \(Terminal.count(row.generated))\n"
        }
        guard report.result == .ok else { return out }
        for row in report.coverage where row.distinct == 0 {
            out += row.generated == 0
                ? "  warning: \(row.action) was never enabled within these bounds\n"
                : "  warning: \(row.action) found no new state (\(Terminal.count(row.generated)) generated, each seen before or beyond the bounds)\n"
        }
        return out
    }

    /// One line per check of `--all`.
    private func summarize(_ report: CheckReport, expected: String, passed: Bool, quiet: Bool) {
        guard !quiet else { return }
        let mark = passed ? "PASS" : "FAIL"
        var line = "\(mark)  \(title(report)): "
        if expected == "ok" {
            line += report.result == .ok ? "ok" : "\(report.result.rawValue) " + report.findings.map(\.property).joined(separator: ", ")
        } else if let finding = report.findings.first(where: { $0.property == expected }) {
            line += "caught \(expected) in \(finding.length) steps"
            if let files = report.files[expected] { line += " → \(files[0])" }
        } else {
            line += "expected \(expected) to be violated, got \(report.result.rawValue)"
        }
        Terminal.out(line + "\n      " + figures(report))
    }

    /// JUnit XML with --junit, and GitHub Actions annotations when GITHUB_ACTIONS=true.
    private func writeCIReports(_ checks: [CheckOutcome]) throws {
        let cases = checks.flatMap { check in
            let all = Catalog.specs.first { $0.name == check.report.spec }?.properties ?? []
            let checked = check.properties.map { names in all.filter { names.contains($0.name) } } ?? all.filter(\.byDefault)
            return CIReports.cases(check.report, expected: check.expected, properties: checked,
                                   continued: continueAfterViolation, location: check.location)
        }
        if let junit { try Terminal.write(CIReports.junit(cases), to: junit, what: "JUnit report") }
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            for line in CIReports.annotations(cases) { Terminal.out(line) }
        }
    }

    private func writeJSON(_ checks: [CheckOutcome]) throws {
        guard let json else { return }
        let objects: [JSONValue] = checks.map { check in
            let (report, expected, passed) = (check.report, check.expected, check.passed)
            var fields: [(String, JSONValue)] = [
                ("spec", .string(report.spec)),
                ("variant", report.variant.map(JSONValue.string) ?? .null),
                ("parameters", .object(report.parameters.map { ($0.0, .int($0.1)) })),
                ("result", .string(report.result.rawValue)),
                ("distinctStates", .int(report.distinctStates)),
                ("statesGenerated", .int(report.statesGenerated)),
                ("diameter", .int(report.diameter)),
                ("seconds", .double(report.seconds)),
                ("violations", .array(report.findings.map { f in
                    .object([("invariant", .string(f.property)), ("kind", .string(f.kind.rawValue)),
                             ("length", .int(f.length)), ("files", .array((report.files[f.property] ?? []).map(JSONValue.string)))])
                })),
            ]
            if !report.coverage.isEmpty {
                fields.append(("coverage", .array(report.coverage.map { row in
                    .object([("action", .string(row.action)), ("generated", .int(row.generated)), ("distinct", .int(row.distinct))])
                })))
            }
            if let d = report.distribution {
                fields.append(("distribution", .object([
                    ("ranks", .int(d.ranks)), ("statesSent", .int(d.statesSent)), ("bytesSent", .int(d.bytesSent)),
                    ("keyBytesSent", .int(d.keyBytesSent)),
                    ("computeSeconds", .array(d.computeSeconds.map(JSONValue.double))),
                    ("exchangeSeconds", .array(d.exchangeSeconds.map(JSONValue.double))),
                ])))
            }
            if let reason = report.incompleteReason { fields.append(("incompleteReason", .string(reason))) }
            if let expected { fields.append(("expected", .string(expected))) }
            if let passed { fields.append(("passed", .bool(passed))) }
            return .object(fields)
        }
        try Terminal.write(JSONValue.array(objects).text + "\n", to: json, what: "JSON report")
    }
}

/// One check's report and what the plan asked of it.
struct CheckOutcome {
    let report: CheckReport
    /// "ok" or the property that must be violated (nil outside a plan).
    let expected: String?
    let passed: Bool?
    /// The properties the check was asked for (nil: those checked by default).
    let properties: [String]?
    /// The plan file and line that declared the check (nil for the built-in plan or a single check).
    let location: (file: String, line: Int)?
}

/// `--set NAME=VALUE` arguments and sizes.
enum Settings {
    /// "512M" → 536870912; plain numbers are bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = text.uppercased()
        var scale = 1
        if digits.hasSuffix("B") { digits.removeLast() }
        if let unit = digits.last, let factor = units[unit] {
            scale = factor
            digits.removeLast()
        }
        // Only plain decimal numbers: Double also reads "inf", "nan" and hexadecimal, and a size
        // past Int's range would trap in the conversion.
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              let value = Double(digits), value > 0, value.isFinite else { return nil }
        let bytes = value * Double(scale)
        guard bytes >= 1, bytes < 0x1p62 else { return nil }
        return Int(bytes)
    }

    static func parse(_ settings: [String]) throws -> [String: Int] {
        var values: [String: Int] = [:]
        for setting in settings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw UsageError("--set takes NAME=VALUE, got '\(setting)'")
            }
            guard let value = Int(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw UsageError("--set \(parts[0]): '\(parts[1])' is not an integer")
            }
            guard values[parts[0]] == nil else {
                throw UsageError("--set \(parts[0]) is given twice (\(values[parts[0]]!) and \(value)); give each parameter once")
            }
            values[parts[0]] = value
        }
        return values
    }
}

/// Progress on stderr: one updating line on a terminal, a plain line every few seconds otherwise.
enum Progress {
    static func reporter() -> @Sendable (ExplorationProgress) -> Void {
        let terminal = Terminal.stderrIsTerminal
        return { p in
            guard terminal || Int(p.seconds) % 5 == 0 else { return }
            let line = "  … \(Terminal.count(p.distinctStates)) distinct, \(Terminal.count(p.statesGenerated)) generated, "
                + "queue \(Terminal.count(p.queue)), depth \(p.depth), "
                + "\(Terminal.count(Int(Double(p.statesGenerated) / max(p.seconds, 0.001)))) states/s"
            Terminal.progress(line, updating: terminal)
        }
    }

    static func finish() {
        if Terminal.stderrIsTerminal { Terminal.endProgress() }
    }
}
