import ArgumentParser
import Foundation
import QuorumCore

struct BMCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bmc",
        abstract: "Bounded model checking with Z3: the shortest trace that breaks an invariant or a step property, up to a depth.",
        discussion: """
            Unrolls the symbolic transition relation for 0, 1, 2, ... steps and asks Z3 whether the last \
            state can violate an invariant, or the last step a step property; the first depth at which it \
            can is the length of a shortest counterexample, the same length the explorer finds. Integers \
            become bit-vectors where the spec bounds them, and where the spec says which process takes \
            each step, only one order of independent steps is searched (--no-reduction searches every \
            interleaving). Defaults are the sizes of `quorum check` (the variant's own sizes for a variant). \
            Exit codes: 0 no violation up to the depth, 1 a violation, 2 usage error, 3 unknown (the solver gave up).
            """)

    @Argument(help: "The spec (see `quorum list`).") var spec: String
    @Option(help: "The longest trace to look for, in steps.") var depth: Int
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Check a buggy variant of the spec.") var variant: String?
    @Option(name: .customLong("invariant"), help: ArgumentHelp("Check only this invariant or step property (repeatable).", valueName: "NAME"))
    var invariants: [String] = []
    @Option(help: "Seconds per solver check before giving up.") var timeout: Double?
    @Option(help: ArgumentHelp("Write a JSON report to FILE, or - for stdout.", valueName: "FILE|-")) var json: String?
    @Option(help: "Directory for counterexample files.") var out = "counterexamples"
    @Flag(help: "Skip the quick check that the encoding agrees with the spec's functions on a sample of states.")
    var skipConformance = false
    @Flag(help: "Do not write counterexample files.") var noFiles = false
    @Flag(help: "No progress lines on stderr.") var quiet = false
    @Flag(help: "Search every interleaving of independent steps.") var noReduction = false

    func validate() throws {
        if depth < 0 || depth > 200 { throw ValidationError("--depth must be between 0 and 200") }
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let values = try descriptor.resolve(try Settings.parse(settings), base: descriptor.ciBounds.merging(chosenVariant?.bounds ?? [:]) { $1 }, variant: chosenVariant)
        let symbolic = try descriptor.symbolicModel(values, variant: chosenVariant)
        var options = BMCOptions(maxDepth: depth)
        options.invariants = invariants.isEmpty ? nil : invariants
        options.timeout = timeout
        options.reduction = !noReduction
        if !quiet {
            options.progress = { depth, seconds in
                Terminal.progress(String(format: "  depth %d: no violation (%.2f s)", depth, seconds), updating: false)
            }
        }
        if !skipConformance { try EncodingCheck.sample(symbolic, quiet: json == "-") }
        let report = try symbolic.bmc(options)
        var files: [String] = []
        if let document = report.counterexample, let property = document.property, !noFiles {
            files = try Terminal.writeTrace(document, directory: out, stem: report.model.fileStem("\(property)-bmc"))
        }
        if json != "-" { Terminal.out(describe(report, files: files)) }
        if let json {
            let object: JSONValue = .object([
                ("spec", .string(report.model.spec)),
                ("variant", report.model.variant.map(JSONValue.string) ?? .null),
                ("parameters", .object(report.model.parameters.map { ($0.0, .int($0.1)) })),
                ("result", .string(report.result.rawValue)),
                ("depthChecked", .int(report.depthChecked)),
                ("seconds", .double(report.seconds)),
                ("violation", report.counterexample.map { d in
                    .object([("invariant", d.property.map(JSONValue.string) ?? .null), ("length", .int(d.steps.count - 1)),
                             ("files", .array(files.map(JSONValue.string)))])
                } ?? .null),
            ])
            try Terminal.write(object.text + "\n", to: json, what: "JSON report")
        }
        switch report.result {
        case .ok: return
        case .violation: throw ExitCode(Exit.violation)
        case .unknown: throw ExitCode(Exit.incomplete)
        }
    }

    private func describe(_ report: BMCReport, files: [String]) -> String {
        var out = "\(Describe.title(report.model)): bounded model checking to depth \(depth)\n"
        switch report.result {
        case .ok: out += "  result: ok — no violation in \(depth) steps or fewer\n"
        case .unknown: out += "  result: unknown after depth \(report.depthChecked) — \(Describe.unknown(report.unknownReason))\n"
        case .violation: out += "  result: violation\n"
        }
        out += String(format: "  %.2f s\n", report.seconds)
        if let document = report.counterexample {
            out += "\n\(document.property ?? "an invariant") violated after \(document.steps.count - 1) steps (a shortest trace):\n"
            out += Describe.trace(document, files: files)
        }
        return out
    }
}
