import Foundation
import Testing

/// docs/TUTORIAL.md cannot go stale: its Swift blocks must be copies of the files they name, and
/// its commands must run with the exit codes it states.
@Suite struct TutorialTests {
    struct Block {
        let language: String
        let lines: [String]
    }

    static func blocks() throws -> [Block] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/TUTORIAL.md"), encoding: .utf8)
        var blocks: [Block] = []
        var current: (language: String, lines: [String])? = nil
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if let open = current {
                    blocks.append(Block(language: open.language, lines: open.lines))
                    current = nil
                } else {
                    current = (String(line.dropFirst(3)), [])
                }
            } else if current != nil {
                current!.lines.append(line)
            }
        }
        return blocks
    }

    @Test func everySwiftBlockIsCopiedFromTheFileItNames() throws {
        let swiftBlocks = try Self.blocks().filter { $0.language == "swift" }
        #expect(swiftBlocks.count >= 8)
        for block in swiftBlocks {
            let header = try #require(block.lines.first)
            #expect(header.hasPrefix("// "), "a Swift block must start with // path/to/file")
            let path = String(header.dropFirst(3))
            let source = try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
            let code = block.lines.dropFirst().joined(separator: "\n")
            #expect(source.contains(code), "the block from \(path) is not in that file any more:\n\(code.prefix(300))")
        }
    }

    @Test func everyCommandRunsWithTheExitCodeItStates() throws {
        let commands = try Self.blocks().filter { $0.language == "sh" }.flatMap(\.lines).filter { !$0.isEmpty }
        #expect(commands.count >= 12)
        let ci = try String(contentsOf: repositoryRoot.appendingPathComponent(".ci/run"), encoding: .utf8)
        let directory = try temporaryDirectory()
        for command in commands {
            var words = command.components(separatedBy: "#")[0].split(separator: " ").map(String.init)
            let expected = command.range(of: "# exit ").map { Int32(command[$0.upperBound...].trimmingCharacters(in: .whitespaces))! } ?? 0
            // CI runs these two itself: the tutorial only has to name them as CI does (CI's
            // `swift run` skips the build, its first stage's).
            if words == ["swift", "test"] {
                #expect(ci.contains(words.joined(separator: " ")), "\(command) is not what .ci/run runs")
                continue
            }
            if words == ["swift", "run", "-c", "release", "quorum", "check", "--all"] {
                #expect(ci.contains("\nswift run -c release --skip-build quorum check --all"), "\(command) is not what .ci/run runs")
                continue
            }
            #expect(Array(words.prefix(5)) == ["swift", "run", "-c", "release", "quorum"], "unexpected command: \(command)")
            words.removeFirst(5)
            // Every Raft property over 617,361 states takes minutes in a debug build: that one runs
            // in `swift test -c release`, which CI also runs.
            if !isOptimized && words == ["check", "raft", "--set", "maxLogLength=0"] { continue }
            let arguments = words.map { word in
                word.hasPrefix("counterexamples/") ? repositoryRoot.appendingPathComponent(word).path : word
            }
            let run = try CLI.run(arguments, in: directory)
            #expect(run.status == expected, "\(command): exit \(run.status)\n\(run.stderr.prefix(500))")
        }
        // The page the tutorial asks you to open was written.
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("figure8.html").path))
    }
}
