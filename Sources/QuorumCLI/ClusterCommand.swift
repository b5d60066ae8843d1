import ArgumentParser
import Foundation
import QuorumCore
import QuorumHistory

struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run a spec as a cluster of processes on loopback, then validate what they did against the spec.",
        discussion: """
            One `quorum node` process per process of the model (--set chooses how many), each running \
            the spec's own steps for its node (the functions `check` explores) and exchanging the \
            spec's messages over UDP on 127.0.0.1. Each node logs its steps as JSON Lines, durably \
            (fsync) before it sends what a step produced; after --duration every node stops by itself \
            (a node still running 10 s later is stopped by its process id). Then the logs are \
            validated against the spec (`quorum validate`) and the spec's invariants checked on the \
            behaviour found. --variant runs a buggy implementation (the nodes take the variant's \
            steps) that is still validated against the spec. Specs that can run: those that name a \
            message set or bag their nodes exchange (Paxos, TwoPhaseCommit, Raft). Exit codes: 0 the run is a behaviour of the spec and \
            every invariant holds on it; 1 it is not, or an invariant fails; 2 bad input; 3 undecided.
            """)

    @Argument(help: "The spec to run (see `quorum list`).") var spec: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter (the model's bounds bound the run too).", valueName: "NAME=VALUE"))
    var given: [String] = []
    /// The settings, with --nodes as the spec's parameter for it.
    var settings: [String] {
        get throws {
            guard let nodes else { return given }
            let descriptor = try Catalog.spec(named: spec)
            guard let parameter = descriptor.cluster.nodes else {
                throw UsageError("\(descriptor.name) names no parameter for --nodes: set its processes with --set")
            }
            if try Settings.parse(given)[parameter] != nil { throw UsageError("--nodes and --set \(parameter)= both set the number of nodes") }
            return given + ["\(parameter)=\(nodes)"]
        }
    }
    @Option(help: "The nodes run this buggy variant; validation is against the spec.") var variant: String?
    @Option(name: .customLong("duration"), help: "How long each node runs: seconds, or with a unit (500ms, 30s, 2m).")
    var runFor = RunTime(seconds: 2)
    var duration: Double { runFor.seconds }
    @Option(help: "How many nodes run: the spec's parameter for it (Raft's servers, Paxos's acceptors).") var nodes: Int?
    @Option(help: "Milliseconds between a node's steps, on average.") var interval = 5
    @Option(help: "Seed of the nodes' choices (timing still varies from run to run).") var seed: UInt64 = 1
    @Option(help: "Directory for the nodes' logs and the validation's trace.") var out = "cluster"
    @Option(help: "Seed of a fault schedule: nodes killed (kill -9) and restarted from their durable state, or paused and resumed.")
    var faults: UInt64?
    @Option(help: ArgumentHelp("Seconds between one fault's end and the next fault's start, drawn from this range (--faults).", valueName: "MIN-MAX"))
    var faultGap = "0.2-0.5"
    @Option(help: "A runtime bug the nodes have: amnesia, or one the spec declares (\(ClusterCommand.declaredBugs)).") var bug: String?
    @Option(name: .customLong("clients"),
            help: "Client threads running a workload of transfers and reads against the nodes' replicated ledger, their history checked for linearizability: by default \(ClusterCommand.defaultClients) for specs that serve one (Raft's log, Paxos's slots), none for others; 0 runs the protocol alone. At most \(ClusterCommand.maximumClients).")
    var requestedClients: Int?
    @Flag(help: "No live summary line on stderr.") var quiet = false

    func validate() throws {
        if !(duration > 0 && duration <= 600) { throw ValidationError("--duration is a number of seconds, at most 600") }
        if interval < 1 { throw ValidationError("--interval must be at least 1 ms") }
        if let requestedClients, !(0...Self.maximumClients).contains(requestedClients) {
            throw ValidationError("--clients is 0 to \(Self.maximumClients)")
        }
        if gap == nil { throw ValidationError("--fault-gap is a range of seconds MIN-MAX, 0.05 ≤ MIN ≤ MAX ≤ 60") }
    }

    /// `--fault-gap` in milliseconds.
    var gap: (low: Int, high: Int)? {
        let parts = faultGap.split(separator: "-", omittingEmptySubsequences: false).compactMap { Double($0) }
        guard parts.count == 2, parts[0].isFinite, parts[1].isFinite, 0.05 <= parts[0], parts[0] <= parts[1], parts[1] <= 60 else { return nil }
        return (Int(parts[0] * 1000), Int(parts[1] * 1000))
    }

    /// The workload's clients when `--clients` is not given, for a spec that serves a ledger.
    /// Each client has one command outstanding, so a log entry (or a slot's batch) holds at most
    /// one command per client, and the throughput grows with them: 64 clients answered 224 to 241
    /// commands a second on five Raft servers under faults, 256 from 510 to 868 (docs/CLUSTER.md).
    static let defaultClients = 256
    /// A batch travels in one datagram (at most 64 KiB) with the message that names it. Its
    /// commands are about 140 bytes each, and a batch holds about one per client (a deposed
    /// leader's leftovers can add some): the largest seen with 256 clients was 35 KB. More
    /// clients would need batches split across messages.
    static let maximumClients = 256

    /// How many clients run: `--clients`, or the default for a spec that serves a ledger.
    func clients(for descriptor: SpecDescriptor) -> Int {
        requestedClients ?? (descriptor.cluster.replicatedLog != nil || descriptor.cluster.agreement != nil ? Self.defaultClients : 0)
    }

    /// Each spec's own runtime bugs, for the help text.
    static var declaredBugs: String {
        Catalog.specs.filter { !$0.runtimeBugs.isEmpty }
            .map { "\($0.name): " + $0.runtimeBugs.map(\.name).joined(separator: ", ") }.joined(separator: "; ")
    }

    func run() throws {
        let descriptor = try Catalog.spec(named: spec)
        let runtimeBug = try bug.map { try descriptor.runtimeBug(named: $0) }
        let clients = clients(for: descriptor)
        if clients > 0 && descriptor.cluster.replicatedLog == nil && descriptor.cluster.agreement == nil {
            throw UsageError("\(descriptor.name) declares no replicated log, so its nodes cannot serve --clients")
        }
        if let runtimeBug, runtimeBug.serving != nil && clients == 0 {
            throw UsageError("--bug \(runtimeBug.name) is a bug in serving clients: run it with clients (not --clients 0)")
        }
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        var settings = try self.settings
        if clients > 0, let agreement = descriptor.cluster.agreement {
            // A log of slots: one value per node (its batch), and ballots for every node to retry a slot.
            let given = try Settings.parse(settings)
            let defaults = try descriptor.resolve([:])
            let nodes = descriptor.cluster.nodes.flatMap { given[$0] ?? defaults[$0] } ?? 3
            if given[agreement.values] == nil { settings.append("\(agreement.values)=\(nodes)") }
            if given[agreement.ballots] == nil { settings.append("\(agreement.ballots)=\(agreement.ballotsPerNode * nodes - 1)") }
        }
        let overrides = try Settings.parse(settings)
        let implementation = try Self.model(descriptor, overrides, variant: chosenVariant)
        let reference = try Self.model(descriptor, overrides, variant: nil)
        guard let processes = implementation.processValues, implementation.node(0) != nil else {
            throw UsageError("\(descriptor.name) cannot run as a cluster: it has no message set that its nodes exchange")
        }
        let ports = try LoopbackSocket.freePorts(processes.count)
        // Each node serves its metrics (Prometheus's text format) on a TCP port of its own.
        let metricsPorts = try MetricsEndpoint.freePorts(processes.count)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        let names = processes.map { $0.stringValue ?? $0.text }
        let logs = names.map { (out as NSString).appendingPathComponent("\($0).jsonl") }
        // Faults come with an interposer as the network: drops, duplicates, delays, partitions.
        let router = try faults.map { try LoopbackRouter(ports: ports, seed: $0, logsFaults: descriptor.cluster.networkSteps) }
        router?.start()
        let started = Date()
        func spawn(_ k: Int, recovering: Bool) throws -> Process {
            let child = Process()
            child.executableURL = executable
            let remaining = max(0.05, duration - Date().timeIntervalSince(started))
            let portList: String = ports.map(String.init).joined(separator: ",")
            var arguments: [String] = ["node", spec, "--id", String(k + 1), "--ports", portList]
            arguments += ["--duration", String(format: "%.3f", remaining), "--interval", String(interval)]
            arguments += ["--seed", String(seed), "--log", logs[k]]
            for setting in settings { arguments += ["--set", setting] }
            if let variant { arguments += ["--variant", variant] }
            if recovering { arguments.append("--recover") }
            if let bug { arguments += ["--bug", bug] }
            if let router { arguments += ["--router", String(router.socket.port)] }
            if clients > 0 { arguments.append("--clients") }
            arguments += ["--metrics-port", String(metricsPorts[k])]
            child.arguments = arguments
            let output = (out as NSString).appendingPathComponent("\(names[k]).out")
            if !recovering { _ = FileManager.default.createFile(atPath: output, contents: nil) }
            let handle = FileHandle(forWritingAtPath: output)
            _ = try? handle?.seekToEnd()
            child.standardOutput = handle
            child.standardError = handle
            try child.run()
            return child
        }
        var children = try processes.indices.map { try spawn($0, recovering: false) }
        if !quiet {
            let line = "  metrics: " + names.indices.map { "\(names[$0]) http://127.0.0.1:\(metricsPorts[$0])/metrics" }.joined(separator: ", ")
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        // Each node's metrics, read over the last 0.6 s of the run (they vanish with the nodes),
        // the latest page of each kept: by a thread of its own, so that a node paused or slow
        // to answer (256 clients on two cores) delays neither the faults nor the other nodes'
        // pages, and a node that misses one read is read again.
        let scraper = MetricsScraper(ports: metricsPorts, from: started.addingTimeInterval(max(0.1, duration - 0.6)),
                                     until: started.addingTimeInterval(duration))
        scraper.start()
        let workload = clients > 0 ? LedgerClients(ports: ports, clients: clients, seed: seed, started: started,
                                                   sticky: descriptor.cluster.agreement != nil) : nil
        workload?.start(stop: started.addingTimeInterval(max(0.1, duration - 0.4)))
        // Twice a second, one line: each node's entries of the variables the policy shows, read
        // from the state the nodes save.
        let shown = descriptor.cluster.shown.map { names in names.compactMap { name in implementation.variables.firstIndex(of: name).map { (name, $0) } } }
            ?? implementation.variables.indices.compactMap { v in
                // Every variable with a value per node, as the first initial state has it.
                guard case .map(let pairs)? = implementation.initialTraceValues?[v], pairs.count == processes.count,
                      pairs.allSatisfy({ processes.contains($0.key) }) else { return nil }
                return (implementation.variables[v], v)
            }
        var lastStatus = started
        /// The state node k saved last, as its variables' values.
        func saved(_ k: Int) -> [ITFValue]? {
            guard let values = SavedNodeState.read(SavedNodeState.path(forLog: logs[k]))?.values,
                  values.count == implementation.variables.count else { return nil }
            return values
        }
        /// The nodes whose saved state says they lead (by the replicated log's role variable).
        func leaders() -> [Int] {
            guard let declared = descriptor.cluster.replicatedLog, let role = implementation.variables.firstIndex(of: declared.role) else { return [] }
            return names.indices.filter { k in
                guard let values = saved(k), case .map(let pairs) = values[role] else { return false }
                return pairs.first { $0.key == processes[k] }?.value == declared.leader
            }
        }
        /// The index node k's saved state says it has committed up to (the replicated log's
        /// commit variable).
        func committed(_ k: Int) -> Int? {
            guard let declared = descriptor.cluster.replicatedLog, let commit = implementation.variables.firstIndex(of: declared.commitIndex),
                  let values = saved(k), case .map(let pairs) = values[commit] else { return nil }
            return pairs.first { $0.key == processes[k] }?.value.intValue
        }
        let slotted = clients > 0 && descriptor.cluster.agreement != nil
        func status() {
            if slotted && !quiet && Date().timeIntervalSince(lastStatus) >= 0.5 {
                // A log of slots: how many each node knows decided (its `<node>.decided.log`).
                lastStatus = Date()
                let nodes = names.indices.map { k -> String in
                    let path = NodeFiles.path(beside: logs[k], ".decided.log")
                    let lines = FileManager.default.contents(atPath: path)?.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } ?? 0
                    return "\(names[k]) \(lines)"
                }
                let line = String(format: "%5.1f s  ", Date().timeIntervalSince(started)) + nodes.joined(separator: " | ") + "   (slots decided)"
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            guard !quiet, !slotted, !shown.isEmpty, Date().timeIntervalSince(lastStatus) >= 0.5 else { return }
            lastStatus = Date()
            let nodes = names.indices.map { k -> String in
                guard let values = saved(k) else { return "\(names[k]) –" }
                let entries = shown.map { _, v -> String in
                    guard case .map(let pairs) = values[v], let mine = pairs.first(where: { $0.key == processes[k] }) else { return "?" }
                    return mine.value.text
                }
                return "\(names[k]) " + entries.joined(separator: " ")
            }
            let line = String(format: "%5.1f s  ", Date().timeIntervalSince(started)) + nodes.joined(separator: " | ")
                + "   (" + shown.map(\.0).joined(separator: ", ") + ")"
            FileHandle.standardError.write(Data((TraceDocument.visible(line) + "\n").utf8))
        }
        // The fault schedule, seeded: a node killed (SIGKILL) and restarted from its durable state,
        // or paused (SIGSTOP) and resumed, or the network partitioned, --fault-gap after the last
        // one ended (200 to 500 ms by default). Processes are signalled by their ids.
        var schedule: [String] = []
        if let faults {
            var random = SeededGenerator(seed: faults)
            let gap = self.gap ?? (200, 500)
            func draw() -> Double { Double(gap.low + (gap.high > gap.low ? random.below(gap.high - gap.low) : 0)) / 1000 }
            var next = draw()
            while true {
                let now = Date().timeIntervalSince(started)
                if next > duration - 0.3 { break }
                if now < next {
                    status()
                    Thread.sleep(forTimeInterval: min(0.01, next - now))
                    continue
                }
                let k = random.below(children.count), down = Double(50 + random.below(200)) / 1000
                let fault = random.below(3)
                if fault == 0, let router {
                    // Nothing more is forwarded to it; what it holds it takes in before it dies.
                    router.setDown(k, true)
                    Thread.sleep(forTimeInterval: 0.03)
                }
                if fault == 2, let router {
                    // One node cut off from the others, or two sides, for a while.
                    var sides = children.indices.map { _ in random.below(2) }
                    if Set(sides).count == 1 { sides[k] = 1 - sides[0] }
                    // Under a workload, the node that leads now is cut off from all the others
                    // (Jepsen's partition-leader nemesis): the partition that tests what a
                    // leader answers once another has been elected.
                    let leading = clients > 0 ? leaders() : []
                    if !leading.isEmpty {
                        let cut = leading[random.below(leading.count)]
                        sides = children.indices.map { $0 == cut ? 1 : 0 }
                    }
                    let cutAt = Date(), before = names.indices.compactMap(committed).max() ?? 0
                    router.partition(sides)
                    // Under a workload, held long enough for the other side to elect a leader and
                    // serve clients (0.6 to 1.4 s; a leader cut off, 1.2 to 2.0 s), as a Jepsen
                    // nemesis holds its partitions.
                    let planned = clients == 0 ? 3 * down : leading.isEmpty ? 0.4 + 4 * down : 1.0 + 4 * down
                    if leading.isEmpty {
                        Thread.sleep(forTimeInterval: planned)
                    } else {
                        // A leader cut off: held, beyond the plan, until the other side has
                        // committed past what any node had at the cut and 0.5 s more, for its
                        // clients to be answered and the cut-off leader's to come back to it (at
                        // most 3 s more). On a loaded machine an election there (timeouts of 200
                        // to 800 ms, split votes) can outlast the plan, and a partition that heals
                        // first shows nothing of what the cut-off leader answers.
                        var movedOn: Date? = nil
                        while true {
                            let now = Date(), held = now.timeIntervalSince(cutAt)
                            if movedOn == nil, names.indices.contains(where: { sides[$0] == 0 && (committed($0) ?? 0) > before }) { movedOn = now }
                            if held >= planned + 3 || held >= planned && movedOn.map({ now.timeIntervalSince($0) >= 0.5 }) == true { break }
                            Thread.sleep(forTimeInterval: 0.02)
                        }
                    }
                    router.partition(nil)
                    let held = Date().timeIntervalSince(cutAt)
                    let groups = [0, 1].map { side in "{" + names.indices.filter { sides[$0] == side }.map { names[$0] }.joined(separator: ", ") + "}" }
                    schedule.append(String(format: "%.2f s partition %@ | %@ for %.2f s%@", now, groups[0], groups[1], held,
                                           leading.isEmpty ? "" : " (the leader cut off)"))
                } else if fault == 0 {
                    kill(children[k].processIdentifier, SIGKILL)
                    children[k].waitUntilExit()
                    Thread.sleep(forTimeInterval: down)
                    children[k] = try spawn(k, recovering: true)
                    router?.setDown(k, false)
                    schedule.append(String(format: "%.2f s kill -9 %@, restarted %.2f s later", now, names[k], down))
                } else {
                    kill(children[k].processIdentifier, SIGSTOP)
                    Thread.sleep(forTimeInterval: down)
                    kill(children[k].processIdentifier, SIGCONT)
                    schedule.append(String(format: "%.2f s pause %@ for %.2f s", now, names[k], down))
                }
                next = Date().timeIntervalSince(started) + draw()
            }
        }
        let deadline = started.addingTimeInterval(duration + 10)
        for child in children {
            while child.isRunning && Date() < deadline {
                status()
                Thread.sleep(forTimeInterval: 0.02)
            }
            if child.isRunning {
                // Stopped by its own process id, never by name.
                kill(child.processIdentifier, SIGKILL)
            }
            child.waitUntilExit()
        }
        workload?.wait()
        router?.stop()
        var network = ""
        if let router, router.logsFaults {
            let path = (out as NSString).appendingPathComponent("network.jsonl")
            try (router.events.map(\.jsonLine).joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        if let counts = router?.counts {
            network = "  network: \(counts.forwarded) datagrams delivered (delayed up to 30 ms, so reordered), "
                + "\(counts.dropped) dropped, \(counts.duplicated) duplicated, \(counts.cut) cut by partitions\n"
        }
        var events: [NodeEvent] = []
        var text = "\(descriptor.name)\(variant.map { " [nodes run \($0)]" } ?? "")\(bug.map { " [runtime bug \($0)]" } ?? "") cluster of "
            + "\(processes.count) nodes on 127.0.0.1, \(duration) s, seed \(seed)\(faults.map { ", faults seed \($0)" } ?? "")\n"
        for line in schedule { text += "  fault: \(line)\n" }
        if faults != nil {
            func kind(_ word: String) -> String {
                let n = schedule.filter { $0.contains(" s \(word)") }.count
                return "\(n) \(word)\(n == 1 ? "" : "s")"
            }
            text += "  faults injected: \(schedule.count) (\(kind("kill")), \(kind("pause")), \(kind("partition")))\n"
        }
        text += network
        var elected = 0
        for (k, child) in children.enumerated() {
            let summary = (try? String(contentsOfFile: (out as NSString).appendingPathComponent("\(names[k]).out"), encoding: .utf8)) ?? ""
            let logged = try FileManager.default.contents(atPath: logs[k]).map { try ValidateCommand.read($0, file: logs[k]) } ?? []
            events += logged
            if let declared = descriptor.cluster.replicatedLog {
                // Elections won: the node's logged role becomes the leader's.
                var leading = false
                for event in logged {
                    guard let role = event.state.first(where: { $0.name == declared.role })?.value else { continue }
                    if role == declared.leader && !leading { elected += 1 }
                    leading = role == declared.leader
                }
            }
            let runs = summary.split(separator: "\n").map(String.init)
            text += "  \(names[k]): \(logged.count) steps logged; "
                + (runs.isEmpty ? "no summary (exit \(child.terminationStatus))" : runs.count == 1 ? runs[0] : "its last run: " + runs.last!) + "\n"
        }
        if descriptor.cluster.replicatedLog != nil { text += "  leaders elected: \(elected)\n" }
        let scraped = scraper.finish()
        for (k, page) in scraped {
            try? Data(page.utf8).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("\(names[k]).metrics.txt")))
        }
        text += "  metrics: read from \(scraped.count) of \(names.count) nodes near the end (<node>.metrics.txt); structured logs in <node>.runtime.log\n"
        if events.isEmpty { throw UsageError("the nodes logged no steps") }
        // The interposer's log of the faults the spec has steps for.
        if let router, router.logsFaults { events += router.events }
        let report: LogValidationReport
        if events.contains(where: { $0.instance != nil }) {
            let (lines, representative, _) = try ValidateCommand.validateInstances(events, model: reference, maxConfigurations: 200_000,
                                                                                   silentActions: descriptor.cluster.silent)
            text += lines
            report = representative
        } else {
            report = try ValidateCommand.validate(events, model: reference, maxConfigurations: 2_000_000,
                                                  silentActions: descriptor.cluster.silent)
            text += ValidateCommand.describe(report, model: reference, logs: NodeLogs(events))
        }
        if report.verdict == "explained" && !events.contains(where: { $0.instance != nil }) {
            text += report.violated.isEmpty ? "  every invariant holds on the behaviour found\n"
                : "  violated on the behaviour found: " + report.violated.map { "\($0.property) (state \($0.state))" }.joined(separator: ", ") + "\n"
        }
        let stem = [spec.lowercased(), "cluster", report.verdict].joined(separator: "-")
        if let files = try? Terminal.writeTrace(report.document, directory: out, stem: stem) {
            text += "  written: " + files.joined(separator: ", ") + "\n"
        }
        var linearizable = true
        if let workload {
            let places = AppliedCommand.places(in: logs.map(AppliedCommand.path(forLog:)))
            let (lines, isLinearizable) = try Self.checkHistory(workload, places: places, directory: out, duration: duration)
            text += lines
            linearizable = isLinearizable
        }
        Terminal.out(text)
        if !linearizable { throw ExitCode(Exit.violation) }
        switch report.verdict {
        case "explained": if !report.violated.isEmpty { throw ExitCode(Exit.violation) }
        case "undecided": throw ExitCode(Exit.incomplete)
        default: throw ExitCode(Exit.violation)
        }
    }
}

extension ClusterCommand {
    /// The model a cluster runs and is validated against: the one the spec declares for clusters
    /// (``SpecDescriptor/clusterModel``, Raft's description), else the explorer's.
    static func model(_ descriptor: SpecDescriptor, _ overrides: [String: Int], variant: Variant?) throws -> AnyModel {
        guard let cluster = descriptor.clusterModel else {
            return descriptor.model(try descriptor.resolve(overrides, variant: variant), variant: variant)
        }
        return cluster.build(try descriptor.resolve(overrides, base: cluster.defaults, variant: variant, ranges: cluster.ranges), variant)
    }

    /// Writes the clients' history and its timeline, checks it for linearizability against the
    /// ledger, and describes the workload's figures. `places` are where the nodes applied each
    /// command: a command left without an answer gets its place as its `info`'s `order`.
    static func checkHistory(_ workload: LedgerClients, places: [ClientSeq: Int], directory: String, duration: Double) throws -> (String, Bool) {
        let path = (directory as NSString).appendingPathComponent("history.jsonl")
        let html = (directory as NSString).appendingPathComponent("history.html")
        let data = Data(workload.history(placing: places).utf8)
        try data.write(to: URL(fileURLWithPath: path))
        let outcomes = workload.outcomes
        func n(_ key: String) -> Int { outcomes[key] ?? 0 }
        let latencies = workload.latencies.sorted()
        func percentile(_ p: Double) -> String {
            latencies.isEmpty ? "–" : String(format: "%.1f ms", 1000 * latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))])
        }
        var text = "  clients: \(n("transfer ok")) transfers done, \(n("transfer fail")) refused (too little in the account), "
            + "\(n("read ok")) reads, \(n("info")) without an answer (indeterminate); "
            + String(format: "%.1f", Double(latencies.count) / duration) + " answered/s, latency p50 \(percentile(0.5)), p99 \(percentile(0.99))\n"
        guard !latencies.isEmpty || n("info") > 0 else {
            return (text + "  history: no operations\n", true)
        }
        let (history, report) = try LinearizableCommand.check(data, file: path, model: "ledger", budget: 20_000_000)
        for line in LinearizableCommand.describe(history, report, file: path).split(separator: "\n") { text += "  \(line)\n" }
        try Terminal.write(HistoryTimeline.page(history, report, model: "ledger", file: path), to: html, what: "timeline")
        text += "  written: \(path), \(html)\n"
        return (text, report.verdict != .notLinearizable)
    }
}

struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run one node of a cluster (what `quorum cluster` starts, one process per node).")

    @Argument(help: "The spec.") var spec: String
    @Option(help: "This node's number, 1 to the number of ports.") var id: Int
    @Option(help: "Every node's UDP port on 127.0.0.1, in node order, comma-separated.") var ports: String
    @Option(help: "Seconds to run.") var duration = 2.0
    @Option(help: "Milliseconds between steps, on average.") var interval = 5
    @Option(help: "Seed of the node's choices.") var seed: UInt64 = 1
    @Option(help: "The node's log (JSON Lines), written durably before each send.") var log: String
    @Option(name: .customLong("set"), help: ArgumentHelp("Set a parameter.", valueName: "NAME=VALUE")) var settings: [String] = []
    @Option(help: "Run a buggy variant of the spec.") var variant: String?
    @Flag(help: "Resume from the durable state the node saved before it was stopped (`quorum cluster --faults`).")
    var recover = false
    @Option(help: "A runtime bug (see `quorum cluster --help`).") var bug: String?
    @Option(help: "Send every datagram through the interposer at this port (`quorum cluster --faults`).") var router: UInt16?
    @Flag(help: "Serve clients the replicated ledger on the spec's log (`quorum cluster --clients`).") var clients = false
    @Option(help: "Serve the node's metrics in Prometheus's text format at http://127.0.0.1:PORT/metrics.") var metricsPort: UInt16?

    /// The node's structured log (`<node>.runtime.log`) and its metrics, served at --metrics-port.
    func telemetry(_ node: ITFValue) -> NodeTelemetry {
        let runtimeLog = NodeFiles.path(beside: log, ".runtime.log")
        if !recover { _ = FileManager.default.createFile(atPath: runtimeLog, contents: nil) }
        let telemetry = NodeTelemetry(node: node.stringValue ?? node.text, log: runtimeLog)
        if let metricsPort {
            do {
                try MetricsEndpoint(port: metricsPort, registry: telemetry.registry).start()
            } catch {
                telemetry.logger.warning("no metrics endpoint", metadata: ["error": "\(error)"])
            }
        }
        return telemetry
    }

    func run() throws {
        let portList = ports.split(separator: ",").compactMap { UInt16($0) }
        guard portList.count == ports.split(separator: ",").count, (1...portList.count).contains(id) else {
            throw UsageError("--ports is a comma-separated list of ports and --id a place in it")
        }
        guard duration > 0 && duration <= 600, interval >= 1 else { throw UsageError("--duration is 0 to 600 s, --interval at least 1 ms") }
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let model = try ClusterCommand.model(descriptor, try Settings.parse(settings), variant: chosenVariant)
        guard var machine = model.node(id - 1), model.processValues?.count == portList.count else {
            throw UsageError("\(descriptor.name) at these bounds has no node \(id) of \(portList.count), or cannot run as a cluster")
        }
        let runtimeBug = try bug.map { try descriptor.runtimeBug(named: $0) }
        if clients, let agreement = descriptor.cluster.agreement {
            // A ledger on a log of slots, each agreed by its own instance of the spec.
            let node = SlotNode(model: model, agreement: agreement, me: id - 1, ports: portList, router: router, duration: duration,
                                interval: interval, seed: seed, log: log, recover: recover, bug: runtimeBug,
                                telemetry: telemetry(machine.node))
            Terminal.out(try node.run())
            return
        }
        let socket = try LoopbackSocket(port: portList[id - 1])
        let nodes = model.processValues ?? []
        if !recover || !FileManager.default.fileExists(atPath: log) {
            guard FileManager.default.createFile(atPath: log, contents: nil) else { throw UsageError("cannot write \(log)") }
        }
        guard let file = FileHandle(forWritingAtPath: log) else { throw UsageError("cannot write \(log)") }
        try file.seekToEnd()
        // The node's durable state: every variable of its copy of the spec's state, with how many
        // events its log holds and the last of them. It is saved (atomically: a temporary file,
        // fsync, rename) before the event is appended to the log and before anything is sent, so
        // a kill between the two leaves a log one event short, which recovery completes.
        let durable = SavedNodeState.path(forLog: log)
        var existing = recover ? (FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? "") : ""
        if !existing.isEmpty && !existing.hasSuffix("\n") {
            // Killed in the middle of a line: the line was never complete, so it never happened.
            existing = String(existing[..<(existing.lastIndex(of: "\n").map { existing.index(after: $0) } ?? existing.startIndex)])
            try file.truncate(atOffset: UInt64(existing.utf8.count))
        }
        var logged = existing.split(separator: "\n").count, lastLine = ""
        // The node's structured log (`<node>.runtime.log`) and its metrics.
        let telemetry = telemetry(machine.node)
        let shownVariables = descriptor.cluster.shown ?? []
        let role = descriptor.cluster.replicatedLog.map { (variable: $0.role, leader: $0.leader) }
        // With clients, the runtime around the spec's steps that serves them the ledger.
        var replica: LedgerReplica? = nil
        if clients {
            guard let declared = descriptor.cluster.replicatedLog,
                  let made = LedgerReplica(declared, variables: model.variables, node: machine.node, fault: runtimeBug?.serving) else {
                throw UsageError("\(descriptor.name) declares no replicated log to serve clients from")
            }
            replica = made
        }
        // An entry's commands, appended to their own file as the node learns them, and synced
        // before the state that holds the entry is saved: rewriting every batch with the state
        // after every step cost more than the step.
        let batchLog = NodeFiles.path(beside: log, ".batches.log")
        var batchFile: FileHandle? = nil
        if replica != nil {
            if !recover || !FileManager.default.fileExists(atPath: batchLog) {
                guard FileManager.default.createFile(atPath: batchLog, contents: nil) else { throw UsageError("cannot write \(batchLog)") }
            }
            guard let opened = FileHandle(forWritingAtPath: batchLog) else { throw UsageError("cannot write \(batchLog)") }
            try opened.seekToEnd()
            batchFile = opened
        }
        // Where each command took effect (a hint for the history checker; not synced).
        let appliedPath = AppliedCommand.path(forLog: log)
        if replica != nil && (!recover || !FileManager.default.fileExists(atPath: appliedPath)) {
            _ = FileManager.default.createFile(atPath: appliedPath, contents: nil)
        }
        let appliedFile = replica == nil ? nil : FileHandle(forWritingAtPath: appliedPath)
        _ = try? appliedFile?.seekToEnd()
        func persist(_ values: [ITFValue]) throws {
            if let batchFile, let unsaved = replica?.unsaved(), !unsaved.isEmpty {
                try batchFile.write(contentsOf: Data(unsaved.map { String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self) + "\n" }.joined().utf8))
                try batchFile.synchronize()
            }
            let temporary = durable + ".tmp"
            _ = FileManager.default.createFile(atPath: temporary, contents: SavedNodeState(values: values, logged: logged, last: lastLine).data)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, durable) == 0 else { throw UsageError("cannot save \(durable)") }
        }
        func append(_ event: NodeEvent, values: [ITFValue]) throws {
            logged += 1
            // Stamped on the clock every node shares, so validation can follow the real order.
            lastLine = event.at(Date().timeIntervalSince1970).jsonLine
            try persist(values)
            try file.write(contentsOf: Data((lastLine + "\n").utf8))
            try file.synchronize()
        }
        if recover, let data = FileManager.default.contents(atPath: durable) {
            guard let record = SavedNodeState(data: data) else {
                throw UsageError("\(durable) is not a saved state of \(descriptor.name)")
            }
            let (saved, savedLogged, savedLast) = (record.values, record.logged, record.last)
            if savedLogged == logged + 1 && !savedLast.isEmpty {
                // Killed after saving a step and before logging it: the log gets its event now.
                try file.write(contentsOf: Data((savedLast + "\n").utf8))
                try file.synchronize()
                logged += 1
            }
            lastLine = savedLast
            // A line cut short by a kill was never synced, so no saved state needs it.
            let lines = (FileManager.default.contents(atPath: batchLog) ?? Data()).split(separator: UInt8(ascii: "\n"))
            replica?.restore(lines.compactMap { try? JSONDecoder().decode(EntryBatch.self, from: Data($0)) })
            // A runtime bug decides what the node recovers; nil: it starts afresh.
            if let recovered = try runtimeBug.map({ try $0.recover(saved, model.variables, machine.node) }) ?? saved {
                guard machine.restore(recovered) else { throw UsageError("\(durable) is not a saved state of \(descriptor.name)") }
            }
        }
        if recover, let restart = machine.step(choosing: { _ in 0 }, allowed: { name, _ in name == "Restart" }), let event = restart.event {
            // A spec that says what a crash keeps (raft.tla's Restart) takes that step first.
            try append(event, values: machine.values)
        }
        try persist(machine.values)
        telemetry.logger.info(recover ? "recovered" : "started", metadata: ["logged": "\(logged)", "port": "\(portList[id - 1])"])
        telemetry.observe(machine.values, variables: model.variables, shown: shownVariables, role: role, me: machine.node)
        var random = SeededGenerator(seed: seed &+ UInt64(id) &* 0x9E37_79B9_7F4A_7C15)
        let start = Date()
        func elapsed() -> Double { Date().timeIntervalSince(start) * 1000 }
        let end = duration * 1000
        var nextStep = Double(random.below(2 * interval))
        var (steps, sent, received) = (0, 0, 0)
        let policy = descriptor.cluster
        var heard = 0.0
        /// By description: when the step was last taken, what it sent, and whether that was new.
        var lastTaken: [String: (time: Double, sent: [ITFValue], new: Bool)] = [:]
        /// By node: when this node last took in a message from it.
        var heardFrom: [String: Double] = [:]
        func drawTimeouts() -> [String: Double] { policy.idle.mapValues { Double($0.lowerBound + random.below($0.count)) } }
        var timeouts = drawTimeouts()
        /// Applies what the node may now apply and answers the clients waiting for it.
        func serve() {
            guard var current = replica else { return }
            for (port, reply, waited) in current.apply(machine.values) {
                if let bytes = try? JSONEncoder().encode(reply) { socket.send(Array(bytes), to: port) }
                telemetry.answered(reply.type, after: waited)
            }
            let applied = current.takeApplied()
            if !applied.isEmpty { try? appliedFile?.write(contentsOf: Data(applied.map(\.line).joined().utf8)) }
            replica = current
        }
        /// Takes one step the timers allow (of the `only` actions, if given), saves and logs it,
        /// and sends what it produced.
        func take(at now: Double, only: Set<String>?) throws {
            let request = replica?.spec.request, waiting = replica?.mayAppend(machine.values) ?? false
            let allowed: (String, String) -> Bool = { name, description in
                if let only, !only.contains(name) { return false }
                if policy.never.contains(name) { return false }
                // Serving clients, a leader appends an entry only for commands it holds.
                if name == request && !waiting { return false }
                if let timeout = timeouts[name], now - heard < timeout { return false }
                if let period = policy.period[name], let last = lastTaken[description], now - last.time < Double(period) {
                    // Within the period: only a new message answered since (catch-up) goes again.
                    guard last.new, let destination = policy.destination else { return false }
                    return last.sent.contains { m in m[field: destination].flatMap { heardFrom[$0.text] }.map { $0 > last.time } ?? false }
                }
                return true
            }
            guard let taken = machine.step(choosing: { random.below($0) }, allowed: allowed) else { return }
            lastTaken[taken.action] = (now, taken.sent, taken.sent != lastTaken[taken.action]?.sent)
            if let source = policy.source {
                for m in taken.received { if let from = m[field: source] { heardFrom[from.text] = now } }
            }
            if policy.idle[taken.name] != nil {
                heard = now
                timeouts = drawTimeouts()
            }
            steps += 1
            telemetry.stepped(taken.name, sent: taken.sent.count, timeout: policy.idle[taken.name] != nil)
            telemetry.observe(machine.values, variables: model.variables, shown: shownVariables, role: role, me: machine.node)
            if taken.name == replica?.spec.request { replica?.appended(machine.values) }
            // Durable before anything that depends on it leaves the node.
            if let event = taken.event { try append(event, values: machine.values) } else { try persist(machine.values) }
            serve()
            for message in taken.sent {
                let bytes = Datagram.node(message, batches: replica?.batches(for: message) ?? [])
                let to = policy.destination.flatMap { message[field: $0] }.flatMap { name in nodes.firstIndex(of: name) }
                if to == id - 1 {
                    // A message to itself (raft.tla's candidate asks itself for a vote) never
                    // leaves the node.
                    if machine.deliver(message) {
                        try persist(machine.values)
                        serve()
                    }
                    sent += 1
                    continue
                }
                for (k, port) in portList.enumerated() where k != id - 1 && (to == nil || to == k) {
                    if let router { socket.send([UInt8(k), UInt8(id - 1)] + bytes, to: router) } else { socket.send(bytes, to: port) }
                }
                sent += 1
            }
        }
        while elapsed() < end {
            let wait = Int(max(0, min(nextStep, end) - elapsed()))
            if let bytes = socket.receive(waiting: wait) {
                if let command = Datagram.command(bytes) {
                    if let reply = replica?.take(command, machine.values), let data = try? JSONEncoder().encode(reply) {
                        socket.send(Array(data), to: command.port)
                        telemetry.answered(reply.type, after: reply.type == "redirect" ? nil : 0)
                    }
                    continue
                }
                let (bytes, batches) = Datagram.split(bytes)
                replica?.received(batches)
                if let message = try? ITFValue(json: Data(bytes)), machine.deliver(message) {
                    try persist(machine.values)
                    received += 1
                    telemetry.received()
                    if let heartbeat = policy.heartbeat,
                       !heartbeat.values.contains(message[field: heartbeat.field]?.stringValue ?? "") {
                        // Not a message that says the cluster is alive (a candidate's, say).
                    } else {
                        heard = elapsed()
                        timeouts = drawTimeouts()
                    }
                    serve()
                    if !policy.prompt.isEmpty { try take(at: elapsed(), only: policy.prompt) }
                }
                continue
            }
            guard elapsed() >= nextStep else { continue }
            let now = elapsed()
            nextStep = now + Double(1 + random.below(2 * interval))
            try take(at: now, only: nil)
        }
        try file.close()
        telemetry.logger.info("stopped", metadata: ["steps": "\(steps)", "sent": "\(sent)", "received": "\(received)"])
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
        Terminal.out("\(count(steps, "step")), \(count(sent, "message")) sent, \(received) received")
    }
}
