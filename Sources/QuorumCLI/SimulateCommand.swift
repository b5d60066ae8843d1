import ArgumentParser
import Foundation
import QuorumCore

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Check a spec on seeded random runs at sizes beyond exhaustive reach; shrink a failing run.",
        discussion: """
            Runs are numbered; run i draws from a generator seeded by (seed, i), so the same seed, \
            parameters and options give the same runs and the same failure on any machine and with any \
            number of workers. Defaults are the spec's simulation sizes (5 servers or acceptors). \
            Exit codes: 0 no violation, 1 a violation, 2 usage error.
            """)

    @Argument(help: "The spec to simulate (see `quorum list`).") var spec: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE"))
    var settings: [String] = []
    @Option(help: "Simulate a buggy variant of the spec.") var variant: String?
    @Option(name: .customLong("invariant"), help: ArgumentHelp("Check only this property (repeatable).", valueName: "NAME"))
    var properties: [String] = []
    @Option(help: "Number of runs (default: 1,000, or unbounded with --time).") var runs: Int?
    @Option(help: "Steps per run, at most.") var depth = 200
    @Option(help: "Seed of the runs (printed with every result).") var seed: UInt64 = 1
    @Option(help: "Worker threads (default: all cores). Results do not depend on it.") var workers: Int?
    @Option(help: "Run for this many seconds, then stop (the run in progress too); with --runs, whichever comes first.") var time: Double?
    @Flag(help: "Uniform choice among enabled actions instead of per-run weights.") var noSwarm = false
    @Flag(help: "Report the failing run as found, without shrinking it.") var noShrink = false
    @Flag(help: "No network partitions in the runs' fault schedules.") var noPartitions = false
    @Option(help: ArgumentHelp("Write a JSON report to FILE, or - for stdout.", valueName: "FILE|-")) var json: String?
    @Option(help: ArgumentHelp("Write a JUnit XML report (one test case per property checked).", valueName: "FILE"))
    var junit: String?
    @Option(help: "Directory for counterexample files.") var out = "counterexamples"
    @Flag(help: "Do not write counterexample files.") var noFiles = false
    @Option(help: ArgumentHelp("Only runs I, I+N, I+2N, ... of --runs (0 ≤ I < N): one of N processes sharing the runs. Of the shards' failures, the one of the smallest run is the single process's.", valueName: "I/N"))
    var shard: String?
    @Flag(help: "Share the runs among the ranks of an Open MPI job (mpirun -np K quorum simulate SPEC --distributed): one merged report, the single process's runs and failure.")
    var distributed = false
    @Flag(help: "Guided search: archive one state per cell (its values of the --cell variables) and start each walk from an archived state, the cells in turn, so that what a walk reaches is kept. Goes deeper than independent runs; --runs counts walks. One thread.")
    var guided = false
    @Option(name: .customLong("cell"), help: ArgumentHelp("With --guided: a variable whose values make a state's cell (repeatable; default: every variable but the message variable).", valueName: "VARIABLE"))
    var cellVariables: [String] = []
    @Option(help: "With --guided: steps per walk, at most.") var walk = 30

    func validate() throws {
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1") }
        if depth < 1 { throw ValidationError("--depth must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if let time, !(time > 0) { throw ValidationError("--time must be a positive number of seconds") }
        if let shard, Self.shard(shard) == nil { throw ValidationError("--shard takes I/N with 0 ≤ I < N, got '\(shard)'") }
        if shard != nil && distributed { throw ValidationError("--distributed shares the runs itself; drop --shard") }
        if guided && (shard != nil || distributed) { throw ValidationError("--guided runs one search in one thread; drop --shard and --distributed") }
        if !guided && (!cellVariables.isEmpty || walk != 30) { throw ValidationError("--cell and --walk apply to --guided only") }
        if walk < 1 { throw ValidationError("--walk must be at least 1") }
    }

    /// "I/N" as (I, N).
    static func shard(_ text: String) -> (index: Int, count: Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (0..<n).contains(i) else { return nil }
        return (i, n)
    }

    func run() throws {
        Signals.stopGracefully()
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let values = try descriptor.resolve(try Settings.parse(settings), base: descriptor.simulationBounds, variant: chosenVariant)
        let model = descriptor.model(values, variant: chosenVariant)
        for name in properties where !model.propertyNames.contains(name) {
            throw UsageError("unknown invariant '\(name)' of \(descriptor.name); known: \(model.propertyNames.joined(separator: ", "))")
        }
        var options = SimulationOptions()
        options.runs = Self.runCount(runs: runs, time: time)
        options.depth = depth
        options.seed = seed
        if let workers { options.workers = workers }
        options.timeout = time
        options.properties = properties.isEmpty ? nil : Set(properties)
        options.swarm = !noSwarm
        options.shrink = !noShrink
        options.partitions = !noPartitions
        if !properties.isEmpty {
            // A selection of only what random runs cannot check (liveness) would check nothing.
            var probe = options
            (probe.runs, probe.depth, probe.timeout, probe.shrink) = (1, 1, nil, false)
            if model.simulate(probe).properties.isEmpty {
                throw UsageError("random runs cannot check \(properties.joined(separator: ", ")) (temporal properties other than C ⇒ []P); use quorum check")
            }
        }
        if let shard { options.shard = Self.shard(shard)! }
        if guided {
            for name in cellVariables where !model.variables.contains(name) {
                throw UsageError("--cell: \(descriptor.name) has no variable '\(name)'; its variables: \(model.variables.joined(separator: ", "))")
            }
            options.guidance = Guidance(cellVariables: cellVariables.isEmpty ? nil : cellVariables, walk: walk)
        }
        var command = self
        var mpi: OpenMPI? = nil
        if distributed {
            do { mpi = try OpenMPI() } catch { throw UsageError("\(error)") }
            options.exchange = mpi
            // Only the first rank reports; every rank exits with the same code.
            if mpi!.rank != 0 { (command.noFiles, command.json, command.junit) = (true, nil, nil) }
        }
        defer { mpi?.finish() }
        try command.report(model, options: options, quiet: (mpi?.rank ?? 0) != 0)
    }

    private func report(_ model: AnyModel, options: SimulationOptions, quiet: Bool) throws {
        var report = model.simulate(options)
        let unchecked = model.propertyNames.filter { !report.properties.contains($0) && (properties.isEmpty || properties.contains($0)) }

        if let failure = report.failure, !noFiles {
            do {
                let stem = [spec.lowercased(), variant, failure.property, guided ? "guided" : "simulated"].compactMap { $0 }.joined(separator: "-")
                report.files = try Terminal.writeTrace(failure.document, directory: out, stem: stem)
            } catch {
                Terminal.error("could not write counterexample files to \(out): \(error.localizedDescription)")
            }
        }
        if json != "-" && !quiet {
            var text = describe(report)
            if !unchecked.isEmpty {
                text += "  not checked on random runs: \(unchecked.joined(separator: ", ")) (temporal properties; `quorum check` checks them)\n"
            }
            Terminal.out(text)
        }
        let cases = CIReports.cases(report)
        if let json { try writeJSON(report, to: json) }
        if let junit { try Terminal.write(CIReports.junit(cases), to: junit, what: "JUnit report") }
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" && !quiet {
            for line in CIReports.annotations(cases) { Terminal.out(line) }
        }
        if report.failure != nil { throw ExitCode(Exit.violation) }
    }

    /// `--runs`, else 1,000 runs, else (with `--time` alone) as many as the time allows.
    static func runCount(runs: Int?, time: Double?) -> Int { runs ?? (time == nil ? 1_000 : Int.max / 2) }

    private func describe(_ r: SimulationReport) -> String {
        var out = "\(r.spec)\(r.variant.map { " [\($0)]" } ?? "") (" + r.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
        out += ", seed \(seed)" + (shard.map { ", shard \($0) (runs \(Self.shard($0)!.index) + \(Self.shard($0)!.count)k)" } ?? "")
            + (distributed ? ", runs shared among ranks" : "") + "\n"
        if let cells = r.cells {
            out += "  guided: walks of at most \(walk) steps from \(Terminal.count(cells)) cells"
                + " (cells by \(cellVariables.isEmpty ? "every variable but the messages" : cellVariables.joined(separator: ", ")))\n"
        }
        out += "  \(Terminal.count(r.runs)) \(guided ? "walks" : "runs"), \(Terminal.count(r.steps)) steps, " + String(format: "%.2f s, ", r.seconds)
            + "\(Terminal.count(Int(r.seconds > 0 ? Double(r.steps) / r.seconds : 0))) steps/s\n"
        if r.stoppedByTimeout, let time { out += "  stopped by --time \(time) s (runs still to go were not started; the last ones were cut short)\n" }
        out += "  deepest: " + r.deepest.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + "\n"
        out += "  actions taken: " + r.coverage.map { "\($0.0) \(Terminal.count($0.1))" }.joined(separator: ", ") + "\n"
        if r.partitionedSteps > 0 { out += "  steps under a network partition: \(Terminal.count(r.partitionedSteps))\n" }
        guard let f = r.failure else { return out + "  result: no violation\n" }
        out += "  result: violation of \(f.property) (\(f.kind.rawValue)) in \(guided ? "walk" : "run") \(f.run) after \(f.originalLength) steps; "
        out += "shrunk to \(f.document.steps.count - 1) steps:\n"
        out += f.document.text
        if !r.files.isEmpty { out += "  written: " + r.files.joined(separator: ", ") + "\n" }
        out += "  reproduce: quorum simulate \(spec) --seed \(seed) --runs \(f.run + 1) "
            + (guided ? "--guided --walk \(walk)" + cellVariables.map { " --cell \($0)" }.joined() : "--depth \(depth)")
            + (noSwarm ? " --no-swarm" : "") + r.parameters.map { " --set \($0.0)=\($0.1)" }.joined() + (r.variant.map { " --variant \($0)" } ?? "") + "\n"
        return out
    }

    private func writeJSON(_ r: SimulationReport, to path: String) throws {
        var fields: [(String, JSONValue)] = [
            ("spec", .string(r.spec)),
            ("variant", r.variant.map(JSONValue.string) ?? .null),
            ("parameters", .object(r.parameters.map { ($0.0, .int($0.1)) })),
            ("seed", .string(String(seed))),
            ("result", .string(r.failure == nil ? "ok" : "violation")),
            ("runs", .int(r.runs)), ("steps", .int(r.steps)), ("seconds", .double(r.seconds)),
            ("coverage", .object(r.coverage.map { ($0.0, .int($0.1)) })),
            ("deepest", .object(r.deepest.map { ($0.0, .int($0.1)) })),
            ("partitionedSteps", .int(r.partitionedSteps)),
            ("stoppedByTimeout", .bool(r.stoppedByTimeout)),
        ]
        if let cells = r.cells { fields.append(("cells", .int(cells))) }
        if let f = r.failure {
            fields.append(("violations", .array([.object([
                ("invariant", .string(f.property)), ("kind", .string(f.kind.rawValue)), ("run", .int(f.run)),
                ("originalLength", .int(f.originalLength)), ("length", .int(f.document.steps.count - 1)),
                ("files", .array(r.files.map(JSONValue.string))),
            ])])))
        } else {
            fields.append(("violations", .array([])))
        }
        try Terminal.write(JSONValue.array([.object(fields)]).text + "\n", to: path, what: "JSON report")
    }
}
