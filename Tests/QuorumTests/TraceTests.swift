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

/// The hand-written JSON reader against `JSONDecoder`, which it replaced for speed: the same
/// trees from valid texts, a refusal wherever `JSONDecoder` refuses.
@Suite struct JSONReaderTests {
    func decoded(_ text: String) -> JSONTree? { try? JSONDecoder().decode(JSONTree.self, from: Data(text.utf8)) }
    func read(_ text: String) -> JSONTree? { try? JSONTree(json: Data(text.utf8)) }

    @Test func readsWhatJSONDecoderReads() throws {
        let samples = [
            "null", "true", "false", "0", "-0", "12", "-3.5", "1e3", "1E-2", "2.5e+4", "123456789012345678901234567890",
            "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"é中😀\"",
            "[]", "{}", " [ 1 , [ 2 , { } ] ] ", "{\"a\": {\"b\": [true, null, \"x\"]}, \"c\": -1}",
            "{\"k\": 1, \"k\": 2}", "[{\"#bigint\": \"5\"}, {\"#set\": []}]", "[1,]", "{\"a\":1,}", "[1, ]",
            // Refused by both:
            "", " ", "[,]", "{,}", "[1,,]", "01", "-", "1.", ".5", "+1", "1e", "tru", "nul", "[1 2]", "{\"a\" 1}", "{a: 1}",
            "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "\"\u{01}\"", "1e400", "-1e400", "[1]]", "{} {}",
            "/* c */ 1", "[1] // c", "\"unterminated", "[", "{", "{\"a\":", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for text in samples {
            #expect(read(text) == decoded(text), "\(text.prefix(80))")
        }
        // Invalid UTF-8, as bytes.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D]] {
            let data = Data(bytes)
            #expect((try? JSONTree(json: data)) == (try? JSONDecoder().decode(JSONTree.self, from: data)), "\(bytes)")
        }
    }

    /// Random texts built from JSON's own tokens, most of them not JSON: both readers agree on
    /// every one.
    @Test func agreesWithJSONDecoderOnRandomTokens() {
        let tokens = ["{", "}", "[", "]", ",", ":", "\"k\"", "\"\\u0041\"", "1", "-2.5e1", "0", "true", "null", " ", "\"", "\\", "e", "."]
        var random = SeededGenerator(seed: 7)
        var valid = 0
        for _ in 0..<5_000 {
            let text = (0..<(1 + random.below(10))).map { _ in tokens[random.below(tokens.count)] }.joined()
            let expected = decoded(text)
            #expect(read(text) == expected, "\(text)")
            if expected != nil { valid += 1 }
        }
        #expect(valid > 200)
    }
}
