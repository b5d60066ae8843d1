import ArgumentParser
import Foundation
import QuorumCore

struct ConformCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform",
        abstract: "Check that a spec's Z3 encoding allows exactly the transitions of its Swift functions.",
        discussion: """
            Explores the spec breadth-first within its bounds; for every reachable state (or a seeded \
            sample), Z3 enumerates the successors the symbolic relation allows, which must be exactly the \
            successors enabledActions and apply compute. With --all: every spec with an encoding, and each \
            of its variants, at the sizes of `quorum check --all`. \
            Exit codes: 0 they agree, 1 they disagree (each difference is printed), 2 usage error.
            """)

    @Argument(help: "The spec (see `quorum list`).") var spec: String?
    @Flag(help: "Every spec with an encoding, and every variant.") var all = false
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Check a buggy variant of the spec.") var variant: String?
    @Option(help: "Compare this many sampled reachable states instead of all (with --all, the spec's own sample size per model).") var sample: Int?
    @Option(help: "Seed of the sample.") var seed: UInt64 = 1

    func validate() throws {
        if all == (spec != nil) { throw ValidationError("give a spec or --all") }
        if all && (variant != nil || !settings.isEmpty) { throw ValidationError("--all takes its sizes from the specs; drop --set and --variant") }
        if let sample, sample < 1 { throw ValidationError("--sample must be at least 1") }
    }

    func run() throws {
        var models: [(SymbolicModel, sample: Int?, states: Int?)] = []
        if all {
            for descriptor in Catalog.specs where descriptor.hasSymbolicEncoding {
                let size = sample ?? descriptor.conformanceSample, states = descriptor.conformanceStates
                models.append((try descriptor.symbolicModel(try descriptor.resolve([:], base: descriptor.ciBounds)), size, states))
                for variant in descriptor.variants {
                    let values = try descriptor.resolve(variant.bounds, base: descriptor.ciBounds, variant: variant)
                    models.append((try descriptor.symbolicModel(values, variant: variant), size, states))
                }
            }
        } else {
            let descriptor = try Catalog.spec(named: spec!)
            let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
            // A variant at the bounds where it is caught, as check and bmc take it.
            let base = descriptor.ciBounds.merging(chosenVariant?.bounds ?? [:]) { $1 }
            models.append((try descriptor.symbolicModel(try descriptor.resolve(try Settings.parse(settings), base: base, variant: chosenVariant),
                                                        variant: chosenVariant), sample, nil))
        }
        var failed = false
        // Each model with Z3's integers (prove's) and, for an encoding that bounds its integers,
        // with bmc's bit-vectors, where a bound too small would make values wrap.
        for (model, size, states) in models {
            var options = ConformanceOptions()
            options.sample = size
            if let states { options.maxStates = states }
            options.seed = seed
            options.bitVectors = true
            let report = try model.conform(options)
            let covered = report.allReachable
                ? "of \(Terminal.count(report.reachableStates)) reachable states"
                : "of the first \(Terminal.count(report.reachableStates)) reachable states found breadth-first (there are more)"
            let figures = "\(Terminal.count(report.statesCompared)) \(covered), "
                + "\(Terminal.count(report.successorsCompared)) successors"
                + (report.integerBits.map { ", with integers and with \($0)-bit ones" } ?? "") + String(format: ", %.2f s", report.seconds)
            if report.agrees {
                Terminal.out("agree     \(Describe.title(report.model)): \(figures)")
            } else {
                failed = true
                Terminal.out("DISAGREE  \(Describe.title(report.model)): \(figures)")
                for line in report.mismatches { Terminal.out("  " + line) }
            }
        }
        if failed { throw ExitCode(Exit.violation) }
    }
}

/// Before `prove` and `bmc` trust an encoding written by hand, a quick bounded sample shows that it
/// still allows exactly the transitions of the spec's functions for the same variant and bounds;
/// an encoding that has fallen behind (a mutant added to the functions only) is refused, since
/// its verdict would be about another spec.
enum EncodingCheck {
    static func sample(_ model: SymbolicModel, quiet: Bool) throws {
        var options = ConformanceOptions()
        options.sample = 40
        options.maxStates = 4_000
        let report = try model.conform(options)
        guard report.agrees else {
            throw UsageError("the symbolic encoding of \(Describe.title(report.model)) disagrees with the spec's functions on a sample of "
                + "\(report.statesCompared) reachable states (\(report.mismatches.first ?? "")); fix the encoding, or run `quorum conform` for more")
        }
        if !quiet {
            Terminal.progress("  encoding agrees with the functions on \(Terminal.count(report.statesCompared)) sampled states, "
                + "\(Terminal.count(report.successorsCompared)) successors (a quick check; `quorum conform` does more)", updating: false)
        }
    }
}
