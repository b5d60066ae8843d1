import Foundation
import Testing

/// CI runs the tests in release mode: every suite that reads `isOptimized` must run there (all of
/// them, or named in the release stage's filter if it has one), or its release-only checks never run.
@Suite struct ReleaseStageTests {
    @Test func everySuiteThatReadsIsOptimizedRunsInTheReleaseStage() throws {
        let ci = try String(contentsOf: repositoryRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        let line = try #require(ci.split(separator: "\n").first { $0.hasPrefix("swift test -c release") })
        let tests = repositoryRoot.appendingPathComponent("Tests/QuorumTests")
        var readers: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: tests.path) where file.hasSuffix(".swift") && !["Support.swift", "ReleaseStageTests.swift"].contains(file) {
            var suite: String?
            for line in try String(contentsOf: tests.appendingPathComponent(file), encoding: .utf8).split(separator: "\n") {
                if let range = line.range(of: "@Suite struct ") {
                    suite = line[range.upperBound...].split(separator: " ").first.map(String.init)
                }
                if line.contains("isOptimized"), let suite { readers.insert(suite) }
            }
        }
        #expect(readers.contains("RaftBMCTests") && readers.contains("PaxosTests"))
        guard line.contains("--filter") else { return }   // every suite runs
        let listed = Set(line.split(separator: "'")[1].split(separator: "|").map(String.init))
        #expect(readers.subtracting(listed).isEmpty, "not in .ci/run's release stage: \(readers.subtracting(listed).sorted())")
    }
}
