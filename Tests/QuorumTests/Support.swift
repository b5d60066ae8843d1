import Foundation
import QuorumCore

/// A small system whose state space can be worked out by hand: a counter that can be incremented or
/// doubled, bounded by `limit`.
struct Counter: TransitionSystem {
    enum Step: String, Hashable, Codable, Sendable, TraceableAction {
        case increment, double
        var name: String { rawValue }
        var parameters: [(String, ITFValue)] { [] }
        var description: String { rawValue }
    }

    struct State: Hashable, Codable, Sendable, Fingerprintable {
        var x: Int
        func fingerprint<H: FingerprintHasher>(into f: inout H) { f.combine(x) }
    }

    var limit = 10
    var forbidden: Set<Int> = [7]
    var stuckAt: Int? = nil
    var invariants: [Invariant<State>] {
        [Invariant("NotForbidden", "x avoids the forbidden values") { [forbidden] in !forbidden.contains($0.x) },
         Invariant("Small", "x stays below 100") { $0.x < 100 }]
    }
    var actionProperties: [ActionProperty<State, Step>] {
        [ActionProperty("Grows", "no step decreases x") { before, _, after in after.x >= before.x }]
    }

    var initialStates: [State] { [State(x: 0)] }
    func enabledActions(in s: State, into actions: inout [Step]) {
        if s.x == stuckAt { return }
        actions.append(.increment)
        actions.append(.double)
    }
    func apply(_ a: Step, to s: State) -> State { State(x: a == .increment ? s.x + 1 : s.x * 2) }
    func isWithinBounds(_ s: State) -> Bool { s.x <= limit }
    var traceVariables: [String] { ["x"] }
    func traceValues(of s: State) -> [ITFValue] { [.int(s.x)] }
}

/// Runs the built `quorum` executable and captures what it prints.
struct CLI {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static var executable: URL {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [here.appendingPathComponent("quorum"),
                          here.deletingLastPathComponent().appendingPathComponent("quorum")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["GITHUB_ACTIONS"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("quorum-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Heavy explorations run only in optimised builds (`swift test -c release`), where they take
/// seconds instead of minutes.
#if DEBUG
let isOptimized = false
#else
let isOptimized = true
#endif

/// A two-level tree: the root has `width` children, reached by actions 0..<width, and every
/// `stride`-th child has one child of its own. Wide enough that trace links need several bytes
/// per action index and per parent difference, and span many checkpoints.
struct WideTree: TransitionSystem {
    struct Pick: Hashable, Codable, Sendable, TraceableAction {
        var index: Int
        var name: String { "Pick" }
        var parameters: [(String, ITFValue)] { [("index", .int(index))] }
        var description: String { "Pick(\(index))" }
    }

    struct State: Hashable, Codable, Sendable, Fingerprintable {
        var x: Int
        func fingerprint<H: FingerprintHasher>(into f: inout H) { f.combine(x) }
    }

    var width = 5_000
    var stride = 200
    var forbidden = 5_000 + 4_200

    var invariants: [Invariant<State>] {
        [Invariant("NotForbidden", "x avoids the forbidden value") { [forbidden] in $0.x != forbidden }]
    }
    var initialStates: [State] { [State(x: 0)] }
    func enabledActions(in s: State, into actions: inout [Pick]) {
        if s.x == 0 {
            for k in 0..<width { actions.append(Pick(index: k)) }
        } else if s.x <= width && s.x % stride == 0 {
            actions.append(Pick(index: 0))
        }
    }
    func apply(_ a: Pick, to s: State) -> State { State(x: s.x == 0 ? a.index + 1 : s.x + width) }
    func isWithinBounds(_ s: State) -> Bool { true }
    var traceVariables: [String] { ["x"] }
    func traceValues(of s: State) -> [ITFValue] { [.int(s.x)] }
}
