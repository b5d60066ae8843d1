import Foundation
import Testing
import QuorumCore
@testable import Paxos

@Suite struct TraceTests {
    func minorityQuorumDocument() throws -> (TraceDocument, Paxos) {
        let paxos = Paxos(mutation: .minorityQuorums)
        var options = ExplorationOptions()
        options.properties = ["Agreement"]
        let violation = try #require(Explorer(paxos, options: options).run().violations.first)
        let document = TraceDocument(violation.trace, of: paxos, spec: "Paxos", variant: "minorityQuorums",
                                     parameters: [("acceptors", 3), ("values", 2), ("maxBallot", 1)],
                                     property: "Agreement", kind: .invariant)
        return (document, paxos)
    }

    @Test func aWrittenTraceReadsBackAndReplays() throws {
        let (document, paxos) = try minorityQuorumDocument()
        let read = try TraceDocument(json: Data(document.json.utf8))
        #expect(read.spec == "Paxos" && read.variant == "minorityQuorums" && read.property == "Agreement")
        #expect(read.steps.count == document.steps.count)
        #expect(read.steps.map(\.values) == document.steps.map(\.values))
        let report = try paxos.replay(read)
        #expect(report.reproduced)
        #expect(report.failing.contains("Agreement"))
    }

    @Test func theITFFollowsADR015() throws {
        let (document, _) = try minorityQuorumDocument()
        let object = try JSONSerialization.jsonObject(with: Data(document.json.utf8)) as! [String: Any]
        let vars = object["vars"] as! [String]
        #expect(vars == ["maxBal", "maxVBal", "maxVal", "msgs", "mbt::actionTaken", "mbt::nondetPicks"])
        let states = object["states"] as! [[String: Any]]
        #expect((states[0]["#meta"] as! [String: Any])["index"] as? Int == 0)
        #expect(states[0]["mbt::actionTaken"] as? String == "init")
        #expect(states[1]["mbt::actionTaken"] as? String == "Phase1a")
        let maxBal = states[0]["maxBal"] as! [String: Any]
        let pairs = maxBal["#map"] as! [[Any]]
        #expect((pairs[0][1] as! [String: String])["#bigint"] == "-1")
        #expect(document.markdown.contains("| 1 | leader of ballot"))
    }

    @Test func aTamperedStateIsReportedWhereItDiverges() throws {
        let (document, paxos) = try minorityQuorumDocument()
        var tampered = document
        tampered.steps[3].values[0] = .map([(.string("a1"), .int(1)), (.string("a2"), .int(-1)), (.string("a3"), .int(-1))])
        #expect(throws: ReplayError.self) { try paxos.replay(tampered) }
        do {
            _ = try paxos.replay(tampered)
        } catch {
            #expect("\(error)".hasPrefix("step 3:"))
        }
    }

    @Test func aTruncatedTraceNoLongerReproducesItsViolation() throws {
        let (document, paxos) = try minorityQuorumDocument()
        var truncated = document
        truncated.steps.removeLast()
        #expect(throws: ReplayError.self) { try paxos.replay(truncated) }
    }

    @Test func anActionThatIsNotEnabledIsReported() throws {
        let (document, paxos) = try minorityQuorumDocument()
        var swapped = document
        swapped.steps.swapAt(1, 3)
        #expect(throws: ReplayError.self) { try paxos.replay(swapped) }
    }

    @Test func malformedFilesAreFormatErrors() {
        for text in ["", "[]", "{\"#meta\": {}}", "{\"#meta\": {\"spec\": \"Paxos\", \"parameters\": {}}, \"vars\": [\"x\"], \"states\": []}",
                     "{\"#meta\": {\"spec\": \"Paxos\", \"parameters\": {}}, \"vars\": [\"x\"], \"states\": [{\"x\": {\"#bigint\": \"q\"}}]}"] {
            #expect(throws: TraceFormatError.self) { try TraceDocument(json: Data(text.utf8)) }
        }
    }

    @Test func itfValuesRoundTrip() throws {
        let value = ITFValue.record([("a", .set(of: [.int(2), .int(1)])), ("b", .tuple([.bool(true), .string("x\"y")])),
                                     ("c", .map([(.string("k"), .list([.int(-5)]))])), ("d", .variant(tag: "Some", value: .int(3)))])
        let text = "{\"#meta\": {\"spec\": \"S\", \"parameters\": {}}, \"vars\": [\"v\", \"mbt::actionTaken\"], \"states\": [{\"v\": \(value.json), \"mbt::actionTaken\": \"init\"}]}"
        let document = try TraceDocument(json: Data(text.utf8))
        #expect(document.steps[0].values == [value])
    }

    /// `appendJSONString` copies runs of bytes between escapes; JSON's own reader must read back
    /// every string exactly, whatever sits at a run's edges.
    @Test func jsonStringsReadBackExactly() throws {
        let samples = ["", "plain", "\"", "\\", "a\"b\\c", "line\nbreak\r\t", "\u{01}\u{1F}x", "é\"ü", "→\\😀\"",
                       "{\"k\":[1,\"v\"]}", String(repeating: "ab\"", count: 50)]
        for s in samples {
            let literal = jsonString(s)
            let read = try JSONDecoder().decode([String].self, from: Data("[\(literal)]".utf8))
            #expect(read == [s], "\(literal)")
            var appended = "x"
            appendJSONString(s, to: &appended)
            #expect(appended == "x" + literal)
        }
    }
}
