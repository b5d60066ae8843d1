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
        func fingerprint(into f: inout Fingerprinter) { f.combine(x) }
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
