import ArgumentParser
import Foundation
import QuorumCore

struct ProveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove",
        abstract: "Check with Z3 that invariants are inductive; show a minimal counterexample to induction when not.",
        discussion: """
            Checks Init => Inv and, action by action, Inv /\\ A => Inv' over all states of the spec's \
            types at the given sizes, reachable or not. A counterexample to induction is minimised: fewest \
            messages, then fewest processes away from their initial state, then the smallest ballots or \
            terms. It is written as a one-step ITF trace (and Markdown) that `quorum replay` re-checks. \
            Defaults are the spec's proof sizes (Paxos: maxBallot 3). \
            Exit codes: 0 inductive, 1 not inductive, 2 usage error, 3 unknown (the solver gave up).
            """)

    @Argument(help: "The spec (see `quorum list`).") var spec: String
    @Option(name: .customLong("invariant"), help: ArgumentHelp("An invariant; several are proved as one conjunction.", valueName: "NAME"))
    var invariants: [String] = []
    @Option(help: ArgumentHelp("Leave a conjunct out of the invariant, to see why it is needed (repeatable).", valueName: "CONJUNCT"))
    var drop: [String] = []
    @Option(help: ArgumentHelp("A property the invariant must imply, such as Agreement (repeatable).", valueName: "NAME"))
    var implies: [String] = []
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Prove it of a buggy variant of the spec.") var variant: String?
    @Option(help: "Seconds per solver check before giving up.") var timeout: Double?
    @Flag(help: "Skip the quick check that the encoding agrees with the spec's functions on a sample of states.")
    var skipConformance = false
    @Flag(help: "Show the counterexample to induction as the solver found it, not minimised.") var noMinimize = false
    @Option(help: ArgumentHelp("Write a JSON report to FILE, or - for stdout.", valueName: "FILE|-")) var json: String?
    @Option(help: "Directory for counterexample files.") var out = "counterexamples"
    @Flag(help: "Do not write counterexample files.") var noFiles = false

    func validate() throws {
        if invariants.isEmpty { throw ValidationError("name the invariant to prove with --invariant (see `quorum list`)") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let values = try descriptor.resolve(try Settings.parse(settings), base: descriptor.proofBounds, variant: chosenVariant)
        let symbolic = try descriptor.symbolicModel(values, variant: chosenVariant)
        var options = ProofOptions(invariants: invariants)
        options.dropped = drop
        options.implies = implies
        options.timeout = timeout
        options.minimize = !noMinimize
        if !skipConformance { try EncodingCheck.sample(symbolic, quiet: json == "-") }
        // A variable with one possible value makes any invariant about it hold vacuously.
        for (variables, because) in descriptor.singleValued(values) {
            Terminal.warning("at these bounds \(variables.joined(separator: ", ")) can take only one value (\(because)): "
                + "what is proven says nothing about other values of them")
        }
        let report = try symbolic.prove(options)
        for name in report.vacuous {
            Terminal.warning("\(name) holds in every state of the spec's types at these bounds, reachable or not: "
                + "no action can break it, so proving it inductive says nothing about the actions (try larger bounds, unless it is meant to hold of every state)")
        }
        var files: [String] = []
        if let document = report.counterexample, !noFiles {
            let kind = document.induction == nil ? "init" : document.steps.count == 1 ? "implies-\(document.property ?? "")" : "cti"
            let stem = report.model.fileStem((report.invariants + drop.map { "without-\($0)" } + [kind]).joined(separator: "-"))
            files = try Terminal.writeTrace(document, directory: out, stem: stem)
        }
        if json != "-" { Terminal.out(describe(report, files: files)) }
        if let json { try Terminal.write(jsonReport(report, files: files).text + "\n", to: json, what: "JSON report") }
        switch report.result {
        case .inductive: return
        case .notInductive: throw ExitCode(Exit.violation)
        case .unknown: throw ExitCode(Exit.incomplete)
        }
    }

    private func describe(_ report: ProofReport, files: [String]) -> String {
        let claim = report.invariants.joined(separator: " ∧ ") + (report.dropped.isEmpty ? "" : " without " + report.dropped.joined(separator: ", "))
        var out = "\(Describe.title(report.model)): is \(claim) inductive?\n"
        for o in report.obligations {
            let verdict = o.holds.map { $0 ? "holds" : "FAILS" } ?? "unknown"
            out += "  " + o.name.padding(toLength: 20, withPad: " ", startingAt: 0) + verdict.padding(toLength: 9, withPad: " ", startingAt: 0)
                + String(format: "%.2f s", o.seconds) + "\n"
        }
        switch report.result {
        case .inductive: out += "  result: inductive — every state satisfying it, reachable or not, steps only to states that do\n"
        case .unknown: out += "  result: unknown — \(Describe.unknown(report.unknownReason))\n"
        case .notInductive: out += "  result: not inductive\n"
        }
        out += String(format: "  %.2f s\n", report.seconds)
        if let document = report.counterexample {
            let minimised = report.sizes.isEmpty ? "" : " (minimised: " + report.sizes.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
            if document.induction != nil && document.steps.count == 1 {
                out += "\nA state that satisfies \(claim) but violates \(document.property ?? "the property")\(minimised):\n"
            } else if document.induction != nil {
                out += "\nCounterexample to induction\(minimised): state 0 satisfies \(claim); step 1 leads to a state that does not"
                out += document.property.map { report.invariants.count > 1 ? " (\($0) fails)" : "" } ?? ""
                out += ".\n"
            } else {
                out += "\nAn initial state violates \(document.property ?? claim):\n"
            }
            out += Describe.trace(document, files: files)
        }
        return out
    }

    private func jsonReport(_ report: ProofReport, files: [String]) -> JSONValue {
        .object([
            ("spec", .string(report.model.spec)),
            ("variant", report.model.variant.map(JSONValue.string) ?? .null),
            ("parameters", .object(report.model.parameters.map { ($0.0, .int($0.1)) })),
            ("invariants", .array(report.invariants.map(JSONValue.string))),
            ("dropped", .array(report.dropped.map(JSONValue.string))),
            ("result", .string(report.result.rawValue)),
            ("vacuous", .array(report.vacuous.map(JSONValue.string))),
            ("seconds", .double(report.seconds)),
            ("obligations", .array(report.obligations.map { o in
                .object([("name", .string(o.name)), ("holds", o.holds.map(JSONValue.bool) ?? .null), ("seconds", .double(o.seconds))])
            })),
            ("counterexample", report.counterexample.map { document in
                .object([("violates", document.property.map(JSONValue.string) ?? .null),
                         ("steps", .int(document.steps.count - 1)),
                         ("sizes", .object(report.sizes.map { ($0.0, .int($0.1)) })),
                         ("files", .array(files.map(JSONValue.string)))])
            } ?? .null),
        ])
    }
}

/// Shared wording of model titles.
enum Describe {
    /// A trace for the terminal, and where its files were written.
    static func trace(_ document: TraceDocument, files: [String]) -> String {
        document.text + (files.isEmpty ? "" : "  written: " + files.joined(separator: ", ") + "\n")
    }

    /// Z3's reason for "unknown", in the tool's words.
    static func unknown(_ reason: String?) -> String {
        switch reason {
        case "canceled", "timeout": "a solver check reached the --timeout limit"
        case let reason?: "the solver gave up (\(reason))"
        case nil: "the solver gave up"
        }
    }

    static func title(_ model: ModelIdentity) -> String {
        "\(model.spec)\(model.variant.map { " [\($0)]" } ?? "") (" + model.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
    }
}
