import ArgumentParser
import Foundation
import QuorumCore

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
    var settings: [String] = []
    @Option(help: "The nodes run this buggy variant; validation is against the spec.") var variant: String?
    @Option(help: "Seconds each node runs.") var duration = 2.0
    @Option(help: "Milliseconds between a node's steps, on average.") var interval = 5
    @Option(help: "Seed of the nodes' choices (timing still varies from run to run).") var seed: UInt64 = 1
    @Option(help: "Directory for the nodes' logs and the validation's trace.") var out = "cluster"

    func validate() throws {
        if !(duration > 0 && duration <= 600) { throw ValidationError("--duration is a number of seconds, at most 600") }
        if interval < 1 { throw ValidationError("--interval must be at least 1 ms") }
    }

    func run() throws {
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let overrides = try Settings.parse(settings)
        let implementation = descriptor.model(try descriptor.resolve(overrides, variant: chosenVariant), variant: chosenVariant)
        let reference = descriptor.model(try descriptor.resolve(overrides), variant: nil)
        guard let processes = implementation.processValues, implementation.node(0) != nil else {
            throw UsageError("\(descriptor.name) cannot run as a cluster: it has no message set that its nodes exchange")
        }
        let ports = try LoopbackSocket.freePorts(processes.count)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        var children: [(name: String, process: Process, log: String)] = []
        for (k, process) in processes.enumerated() {
            let name = process.stringValue ?? process.text
            let log = (out as NSString).appendingPathComponent("\(name).jsonl")
            let child = Process()
            child.executableURL = executable
            child.arguments = ["node", spec, "--id", String(k + 1), "--ports", ports.map(String.init).joined(separator: ","),
                               "--duration", String(duration), "--interval", String(interval), "--seed", String(seed), "--log", log]
                + settings.flatMap { ["--set", $0] } + (variant.map { ["--variant", $0] } ?? [])
            let output = (out as NSString).appendingPathComponent("\(name).out")
            FileManager.default.createFile(atPath: output, contents: nil)
            child.standardOutput = FileHandle(forWritingAtPath: output)
            child.standardError = child.standardOutput
            try child.run()
            children.append((name, child, log))
        }
        let deadline = Date().addingTimeInterval(duration + 10)
        for child in children {
            while child.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
            if child.process.isRunning {
                // Stopped by its own process id, never by name.
                kill(child.process.processIdentifier, SIGKILL)
            }
            child.process.waitUntilExit()
        }
        var events: [NodeEvent] = []
        var text = "\(descriptor.name)\(variant.map { " [nodes run \($0)]" } ?? "") cluster of \(processes.count) nodes on 127.0.0.1, \(duration) s, seed \(seed)\n"
        for child in children {
            let summary = (try? String(contentsOfFile: (out as NSString).appendingPathComponent("\(child.name).out"), encoding: .utf8)) ?? ""
            text += "  \(child.name): " + (summary.split(separator: "\n").last.map(String.init) ?? "no summary (exit \(child.process.terminationStatus))") + "\n"
            guard let data = FileManager.default.contents(atPath: child.log) else { continue }
            events += try ValidateCommand.read(data, file: child.log)
        }
        if events.isEmpty { throw UsageError("the nodes logged no steps") }
        let report = try ValidateCommand.validate(events, model: reference, maxConfigurations: 2_000_000,
                                                  silentActions: ClusterPolicy.of(spec).silent)
        text += ValidateCommand.describe(report, model: reference, logs: NodeLogs(events))
        if report.verdict == "explained" {
            text += report.violated.isEmpty ? "  every invariant holds on the behaviour found\n"
                : "  violated on the behaviour found: " + report.violated.map { "\($0.property) (state \($0.state))" }.joined(separator: ", ") + "\n"
        }
        let stem = [spec.lowercased(), "cluster", report.verdict].joined(separator: "-")
        if let files = try? Terminal.writeTrace(report.document, directory: out, stem: stem) {
            text += "  written: " + files.joined(separator: ", ") + "\n"
        }
        Terminal.out(text)
        switch report.verdict {
        case "explained": if !report.violated.isEmpty { throw ExitCode(Exit.violation) }
        case "undecided": throw ExitCode(Exit.incomplete)
        default: throw ExitCode(Exit.violation)
        }
    }
}

/// How a spec's nodes pace themselves: what the spec leaves to timers. Raft's spec lets a follower
/// time out in any state and a leader send AppendEntries at any moment; a running server times out
/// only after hearing nothing for an election timeout, and sends heartbeats at a period.
struct ClusterPolicy {
    /// Actions a node never takes (crashes are the fault driver's business, not the node's).
    var never: Set<String> = []
    /// Actions taken only after the node has received nothing for a time drawn from the range
    /// (milliseconds), drawn again after each message and each such step: an election timeout.
    var idle: [String: ClosedRange<Int>] = [:]
    /// The least milliseconds between two steps with the same description: a heartbeat's period.
    var period: [String: Int] = [:]
    /// The unlogged steps validation may insert; nil: every one the spec has. Loopback UDP does
    /// not duplicate datagrams, and a lost one stays in flight, so a bag needs neither.
    var silent: Set<String>? = nil
    /// The message field that names the one node a message is for (Raft's `mdest`); nil: every
    /// message goes to every other node, as a message set's do.
    var destination: String? = nil

    static func of(_ spec: String) -> ClusterPolicy {
        switch spec.lowercased() {
        case "raft":
            ClusterPolicy(never: ["Restart"], idle: ["Timeout": 300...600],
                          period: ["AppendEntries": 40, "RequestVote": 40, "ClientRequest": 100], silent: [],
                          destination: "mdest")
        default:
            ClusterPolicy()
        }
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

    func run() throws {
        let portList = ports.split(separator: ",").compactMap { UInt16($0) }
        guard portList.count == ports.split(separator: ",").count, (1...portList.count).contains(id) else {
            throw UsageError("--ports is a comma-separated list of ports and --id a place in it")
        }
        guard duration > 0 && duration <= 600, interval >= 1 else { throw UsageError("--duration is 0 to 600 s, --interval at least 1 ms") }
        let descriptor = try Catalog.spec(named: spec)
        let chosenVariant = try variant.map { try descriptor.variant(named: $0) }
        let model = descriptor.model(try descriptor.resolve(try Settings.parse(settings), variant: chosenVariant), variant: chosenVariant)
        guard var machine = model.node(id - 1), model.processValues?.count == portList.count else {
            throw UsageError("\(descriptor.name) at these bounds has no node \(id) of \(portList.count), or cannot run as a cluster")
        }
        let socket = try LoopbackSocket(port: portList[id - 1])
        let nodes = model.processValues ?? []
        guard FileManager.default.createFile(atPath: log, contents: nil), let file = FileHandle(forWritingAtPath: log) else {
            throw UsageError("cannot write \(log)")
        }
        var random = SeededGenerator(seed: seed &+ UInt64(id) &* 0x9E37_79B9_7F4A_7C15)
        let start = Date()
        func elapsed() -> Double { Date().timeIntervalSince(start) * 1000 }
        let end = duration * 1000
        var nextStep = Double(random.below(2 * interval))
        var (steps, sent, received) = (0, 0, 0)
        let policy = ClusterPolicy.of(spec)
        var heard = 0.0, lastTaken: [String: Double] = [:]
        func drawTimeouts() -> [String: Double] { policy.idle.mapValues { Double($0.lowerBound + random.below($0.count)) } }
        var timeouts = drawTimeouts()
        while elapsed() < end {
            let wait = Int(max(0, min(nextStep, end) - elapsed()))
            if let bytes = socket.receive(waiting: wait) {
                if let message = try? ITFValue(json: Data(bytes)), machine.deliver(message) {
                    received += 1
                    heard = elapsed()
                    timeouts = drawTimeouts()
                }
                continue
            }
            guard elapsed() >= nextStep else { continue }
            let now = elapsed()
            nextStep = now + Double(1 + random.below(2 * interval))
            let allowed: (String, String) -> Bool = { name, description in
                if policy.never.contains(name) { return false }
                if let timeout = timeouts[name], now - heard < timeout { return false }
                if let period = policy.period[name], let last = lastTaken[description], now - last < Double(period) { return false }
                return true
            }
            guard let taken = machine.step(choosing: { random.below($0) }, allowed: allowed) else { continue }
            lastTaken[taken.action] = now
            if policy.idle[taken.name] != nil {
                heard = now
                timeouts = drawTimeouts()
            }
            steps += 1
            if let event = taken.event {
                // Durable before anything that depends on it leaves the node.
                try file.write(contentsOf: Data((event.jsonLine + "\n").utf8))
                try file.synchronize()
            }
            for message in taken.sent {
                let bytes = Array(message.json.utf8)
                let to = policy.destination.flatMap { message[field: $0] }.flatMap { name in nodes.firstIndex(of: name) }
                for (k, port) in portList.enumerated() where k != id - 1 && (to == nil || to == k) { socket.send(bytes, to: port) }
                sent += 1
            }
        }
        try file.close()
        func count(_ n: Int, _ what: String) -> String { "\(n) \(what)\(n == 1 ? "" : "s")" }
        Terminal.out("\(count(steps, "step")), \(count(sent, "message")) sent, \(received) received")
    }
}
