import Testing
import QuorumCore
import TwoPhaseCommit

/// What a declared state derives, on TwoPhaseCommit: trace values that read back to the same
/// state, refusal of values outside the types, and the variables a step changed.
@Suite struct StateSchemaTests {
    let tpc = TwoPhaseCommit(resourceManagers: 3)

    func reachable() -> [CommitState] {
        var seen: Set<CommitState> = [], frontier = tpc.initialStates
        while let s = frontier.popLast() {
            guard seen.insert(s).inserted else { continue }
            frontier += tpc.enabledActions(in: s).map { tpc.apply($0, to: s) }
        }
        return Array(seen)
    }

    @Test func everyReachableStateReadsBackFromItsTraceValues() {
        let states = reachable()
        #expect(states.count == 288)
        for s in states { #expect(tpc.state(fromTraceValues: tpc.traceValues(of: s)) == s) }
        // Distinct states, distinct words.
        #expect(Set(states.map(\.fingerprintKey)).count == states.count)
    }

    @Test func valuesOutsideTheTypesAreRefused() throws {
        let good = tpc.traceValues(of: tpc.initialStates[0])
        #expect(tpc.state(fromTraceValues: good) != nil)
        func with(_ k: Int, _ value: ITFValue) -> [ITFValue] { var v = good; v[k] = value; return v }
        let bad: [[ITFValue]] = [
            Array(good.dropLast()),                                                   // a variable missing
            with(1, .string("maybe")),                                                // tmState outside TMState
            with(1, .int(0)),                                                         // the wrong kind of value
            with(2, .set([.string("r4")])),                                           // an RM that does not exist
            with(2, .set([.string("r1"), .string("r1")])),                            // a set with a repeated element
            with(0, .map([("r1", "working"), ("r2", "working")].map { (.string($0.0), .string($0.1)) })), // an RM's entry missing
            with(3, .set([.record([("type", .string("Prepared"))])])),                // a message without its RM
            with(3, .set([.record([("type", .string("Commit")), ("rm", .string("r1"))])])), // a Commit naming an RM
            with(3, .set([.record([("type", .string("Prepared")), ("rm", .string("r4"))])])), // an RM that does not exist
            with(3, .set([.record([("type", .string("Vote"))])])),                    // a type outside Kind
            with(3, .set([.record([("type", .string("Abort")), ("why", .int(1))])])), // a field the record does not declare
            with(3, .set([.record([("rm", .string("r1"))])])),                        // a record without its type
            with(3, .set([.string("Commit")])),                                       // not a record
        ]
        for values in bad { #expect(tpc.state(fromTraceValues: values) == nil, "\(values)") }
    }

    /// A message's fields are declared once (``TraceRecord``): an absent optional field is no field
    /// in the trace, and its words still tell it apart from every present value.
    @Test func aRecordIsWrittenReadAndOrderedByItsFields() {
        let names = tpc.processNames, all = CommitMessage.all(names)
        #expect(CommitMessage.commit.traceValue(names) == .record([("type", .string("Commit"))]))
        #expect(CommitMessage.prepared(1).traceValue(names) == .record([("type", .string("Prepared")), ("rm", .string("r2"))]))
        for m in all { #expect(CommitMessage(traceValue: m.traceValue(names), names) == m) }
        #expect(Set(all.map(\.fingerprintWords)).count == all.count)
        // The derived order is total and agrees with equality.
        for a in all { for b in all { #expect((a < b) != (b < a) || a == b) } }
        // Type first (Prepared, Commit, Abort, as Kind lists them), then the RM: the universe's order.
        #expect(all.sorted() == all && all.count == 5)
    }

    @Test func changedVariablesAreTheDeclaredOnesThatDiffer() {
        let s = tpc.initialStates[0]
        let t = tpc.apply(CommitAction(.RMPrepare, 1), to: s)
        // rmState (0) and msgs (3) change; tmState (1) and tmPrepared (2) do not.
        #expect(tpc.changedVariables(from: s, to: t) == 0b1001)
        #expect(tpc.traceVariables == ["rmState", "tmState", "tmPrepared", "msgs"])
    }
}

extension TraceValue {
    /// The words a value feeds a fingerprint.
    var fingerprintWords: [UInt64] {
        var key = FingerprintKey()
        words(into: &key)
        return key.words
    }
}
