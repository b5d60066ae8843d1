import Foundation
import QuorumCore
import QuorumHistory
import Testing

/// Histories built in memory: `op(p, "write", 1, at: 0, returns: 3)`.
struct HistoryBuilder {
    var operations: [ClientOperation] = []
    var initial: JSONTree? = nil

    mutating func add(_ process: Int, _ f: String, _ input: JSONTree, _ output: JSONTree?, at call: Int, returns ret: Int?) {
        operations.append(ClientOperation(id: operations.count, process: .number(Double(process)), f: f, input: input,
                                    output: ret == nil ? nil : (output ?? input), outcome: ret == nil ? .info : .ok, call: call, ret: ret))
    }

    var history: History { History(operations: operations.sorted { $0.call < $1.call }.enumerated().map { k, op in
        ClientOperation(id: k, process: op.process, f: op.f, input: op.input, output: op.output, outcome: op.outcome, call: op.call, ret: op.ret)
    }, initial: initial) }
}

func n(_ x: Int) -> JSONTree { .number(Double(x)) }

/// Every order of the operations that respects real time, every choice of which indeterminate
/// operations took effect: the definition, for small histories.
func bruteForceLinearizable<M: SequentialModel>(_ history: History, _ model: M) throws -> Bool {
    let ops = history.operations
    func precedes(_ a: ClientOperation, _ b: ClientOperation) -> Bool { a.ret.map { $0 < b.call } ?? false }
    let initial = try model.initial(history.initial, object: nil)
    var used = Array(repeating: false, count: ops.count)
    func extend(_ state: M.State, _ count: Int) -> Bool {
        // Done when every completed operation is placed; indeterminate ones left never took effect.
        if ops.indices.allSatisfy({ used[$0] || ops[$0].outcome == .info }) { return true }
        for k in ops.indices where !used[k] {
            // k may go next only if no unplaced completed operation must precede it.
            if ops.indices.contains(where: { !used[$0] && $0 != k && ops[$0].outcome == .ok && precedes(ops[$0], ops[k]) }) { continue }
            guard let next = model.step(state, ops[k]) else { continue }
            used[k] = true
            if extend(next, count + 1) { return true }
            used[k] = false
        }
        return false
    }
    return extend(initial, 0)
}

@Suite struct LinearizabilityTests {
    let register = LinearizabilityChecker(RegisterModel())

    @Test func aReadOverlappingAWriteMaySeeEitherValue() throws {
        var h = HistoryBuilder()
        h.add(0, "write", n(1), nil, at: 1, returns: 4)
        h.add(1, "read", .null, n(1), at: 2, returns: 3)
        h.add(2, "read", .null, .null, at: 2, returns: 5)
        let report = try register.check(h.history)
        #expect(report.verdict == .linearizable)
        #expect(report.orders.first?.ids == [2, 0, 1])
    }

    @Test func aReadAfterAWriteCompletedMustSeeIt() throws {
        var h = HistoryBuilder()
        h.add(0, "write", n(1), nil, at: 1, returns: 2)
        h.add(1, "read", .null, .null, at: 3, returns: 4)
        h.add(2, "read", .null, n(1), at: 5, returns: 6)
        let report = try register.check(h.history)
        #expect(report.verdict == .notLinearizable)
        #expect(report.partial == [0])
        #expect(report.stuck == 1)
        // The later read is not needed: the write and the stale read are the witness.
        #expect(report.witness == [0, 1])
        #expect(report.witnessLines == 5)
    }

    /// An operation whose client timed out may have taken effect, at any time after its call, or never.
    @Test func anIndeterminateWriteMayOrMayNotHaveHappened() throws {
        var seen = HistoryBuilder()
        seen.add(0, "write", n(1), nil, at: 1, returns: nil)
        seen.add(1, "read", .null, n(1), at: 5, returns: 6)
        #expect(try register.check(seen.history).verdict == .linearizable)
        var unseen = HistoryBuilder()
        unseen.add(0, "write", n(1), nil, at: 1, returns: nil)
        unseen.add(1, "read", .null, .null, at: 5, returns: 6)
        #expect(try register.check(unseen.history).verdict == .linearizable)
        var flipFlop = HistoryBuilder()
        flipFlop.add(0, "write", n(1), nil, at: 1, returns: nil)
        flipFlop.add(1, "read", .null, n(1), at: 5, returns: 6)
        flipFlop.add(1, "read", .null, .null, at: 7, returns: 8)
        #expect(try register.check(flipFlop.history).verdict == .notLinearizable)
    }

    /// The checker agrees with the definition on a thousand random small histories, and every
    /// witness it reports is itself not linearizable (by the definition) and part of the history.
    @Test func agreesWithTheDefinitionOnRandomHistories() throws {
        var random = SeededGenerator(seed: 11), hints = SeededGenerator(seed: 12)
        var refuted = 0
        for _ in 0..<1_000 {
            var h = HistoryBuilder()
            var line = 0
            var busyUntil = [0, 0, 0]
            for _ in 0..<(2 + random.below(5)) {
                let p = random.below(3)
                let call = max(line, busyUntil[p]) + 1 + random.below(2)
                let ret: Int? = random.below(8) == 0 ? nil : call + 1 + random.below(6)
                line = call
                busyUntil[p] = ret ?? 1_000
                switch random.below(3) {
                case 0: h.add(p, "write", n(random.below(3)), nil, at: call, returns: ret)
                case 1: h.add(p, "read", .null, random.below(4) == 0 ? .null : n(random.below(3)), at: call, returns: ret)
                default: h.add(p, "cas", .array([n(random.below(2)), n(random.below(3))]), nil, at: call, returns: ret)
                }
            }
            // Lines must be distinct: spread calls and returns apart.
            let history = distinctLines(h.history)
            let report = try register.check(history)
            let expected = try bruteForceLinearizable(history, RegisterModel())
            #expect((report.verdict == .linearizable) == expected, "\(history.operations.map(\.text))")
            // The system's `order` is a hint: any hints, right or wrong, give the same verdict.
            let hinted = History(operations: history.operations.map { op in
                ClientOperation(id: op.id, process: op.process, f: op.f, input: op.input, output: op.output, outcome: op.outcome,
                                call: op.call, ret: op.ret, order: op.ret == nil || hints.below(4) == 0 ? nil : hints.below(10))
            })
            #expect(try register.check(hinted).verdict == report.verdict, "\(hinted.operations.map { "\($0.text) @\($0.order ?? -1)" })")
            if report.verdict == .notLinearizable {
                refuted += 1
                let witness = witnessHistory(history, report)
                #expect(try !bruteForceLinearizable(witness, RegisterModel()), "\(witness.operations.map(\.text))")
                #expect(witness.operations.count <= history.operations.count)
            }
        }
        #expect(refuted > 100)
    }

    /// Each key of a key-value store is checked apart, and the report names the key at fault.
    @Test func keysAreCheckedApart() throws {
        var h = HistoryBuilder()
        h.add(0, "write", .array([.string("x"), n(1)]), nil, at: 1, returns: 2)
        h.add(1, "write", .array([.string("y"), n(1)]), nil, at: 3, returns: 4)
        h.add(0, "read", .array([.string("x"), .null]), .array([.string("x"), n(1)]), at: 5, returns: 6)
        h.add(1, "read", .array([.string("y"), .null]), .array([.string("y"), n(2)]), at: 7, returns: 8)
        let report = try LinearizabilityChecker(KeyValueModel()).check(h.history)
        #expect(report.verdict == .notLinearizable)
        #expect(report.objects == 2)
        #expect(report.object == .string("y"))
        #expect(report.witness == [1, 3])   // the write stays: leaving out a write could make a history fail
    }

    /// A ledger never overdraws and never makes or loses money: a read showing either is refused.
    @Test func aLedgerReadMustShowReachableBalances() throws {
        func ledger(_ reads: [String: Int]) throws -> LinearizabilityReport.Verdict {
            var h = HistoryBuilder()
            h.initial = .object(["a": n(10), "b": n(0)])
            h.add(0, "transfer", .object(["from": .string("a"), "to": .string("b"), "amount": n(7)]), nil, at: 1, returns: 4)
            h.add(1, "transfer", .object(["from": .string("a"), "to": .string("b"), "amount": n(5)]), nil, at: 2, returns: nil)
            h.add(2, "read", .null, .object(reads.mapValues(n)), at: 5, returns: 6)
            return try LinearizabilityChecker(LedgerModel()).check(h.history).verdict
        }
        #expect(try ledger(["a": 3, "b": 7]) == .linearizable)
        #expect(try ledger(["a": -2, "b": 12]) == .notLinearizable)   // both transfers: overdrawn
        #expect(try ledger(["a": 3, "b": 8]) == .notLinearizable)     // money made
        #expect(try ledger(["a": 10]) == .notLinearizable)            // the completed transfer lost
    }

    /// Thirty transfers open at once and thirty reads, each showing one more of them done: every
    /// read pins the balances to a number of transfers, and the search must find which. With
    /// the ledger's own order as hints it takes that order, one step per operation.
    @Test func theSystemsOrderIsTriedFirst() throws {
        func history(hinted: Bool) -> History {
            var ops: [ClientOperation] = []
            for k in 0..<30 {
                ops.append(ClientOperation(id: ops.count, process: n(k), f: "transfer", input: .object(["from": .string("a"), "to": .string("b"), "amount": n(1)]),
                                           output: .object(["from": .string("a"), "to": .string("b"), "amount": n(1)]), outcome: .ok,
                                           call: 1 + k, ret: 61 + k, order: hinted ? 2 * k + 1 : nil))
            }
            for k in 0..<30 {
                ops.append(ClientOperation(id: ops.count, process: n(30 + k), f: "read", input: .null, output: .object(["a": n(99 - k), "b": n(k + 1)]),
                                           outcome: .ok, call: 31 + k, ret: 91 + k, order: hinted ? 2 * k + 2 : nil))
            }
            return History(operations: ops, initial: .object(["a": n(100), "b": n(0)]))
        }
        let report = try LinearizabilityChecker(LedgerModel(), budget: 100_000).check(history(hinted: true))
        #expect(report.verdict == .linearizable)
        #expect(report.steps == 61)
        let unhinted = try LinearizabilityChecker(LedgerModel(), budget: 100_000).check(history(hinted: false))
        #expect(unhinted.verdict != .notLinearizable)
        #expect(unhinted.steps > 10 * report.steps)
    }

    /// Where the system's order skips a place, an operation whose answer never came took effect
    /// there, unless a refusal (a `fail`, which the check drops) names the place. Forty places:
    /// every fourth a refused transfer, and place 21 an indeterminate transfer of 5 that every
    /// later read sees. The hint places it at its gap without a search through the refusals' gaps.
    @Test func anIndeterminateOperationIsTriedAtItsGapInTheOrder() throws {
        var invokes: [String] = [], completions: [String] = []
        var (a, b) = (100, 0)
        for k in 1...40 {
            let p = k
            if k == 21 {
                invokes.append("{\"process\": \(p), \"type\": \"invoke\", \"f\": \"transfer\", \"value\": {\"from\": \"a\", \"to\": \"b\", \"amount\": 5}}")
                (a, b) = (a - 5, b + 5)
            } else if k % 4 == 0 {
                let value = "{\"from\": \"b\", \"to\": \"a\", \"amount\": 1000}"
                invokes.append("{\"process\": \(p), \"type\": \"invoke\", \"f\": \"transfer\", \"value\": \(value)}")
                completions.append("{\"process\": \(p), \"type\": \"fail\", \"f\": \"transfer\", \"value\": \(value), \"order\": \(k)}")
            } else if k % 2 == 1 {
                let value = "{\"from\": \"a\", \"to\": \"b\", \"amount\": 1}"
                invokes.append("{\"process\": \(p), \"type\": \"invoke\", \"f\": \"transfer\", \"value\": \(value)}")
                completions.append("{\"process\": \(p), \"type\": \"ok\", \"f\": \"transfer\", \"value\": \(value), \"order\": \(k)}")
                (a, b) = (a - 1, b + 1)
            } else {
                invokes.append("{\"process\": \(p), \"type\": \"invoke\", \"f\": \"read\", \"value\": null}")
                completions.append("{\"process\": \(p), \"type\": \"ok\", \"f\": \"read\", \"value\": {\"a\": \(a), \"b\": \(b)}, \"order\": \(k)}")
            }
        }
        // Completions in reverse, all after every call: only the orders say which came first.
        let text = (["{\"type\": \"init\", \"value\": {\"a\": 100, \"b\": 0}}"] + invokes + completions.reversed()).joined(separator: "\n")
        let history = try History(jsonLines: Data(text.utf8), file: "h.jsonl")
        #expect(history.failedOrders.sorted() == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40])
        let report = try LinearizabilityChecker(LedgerModel(), budget: 100_000).check(history)
        #expect(report.verdict == .linearizable)
        #expect(report.steps <= 40, "\(report.steps) steps")
    }

    /// An indeterminate transfer that the system placed first but refused there (the account held
    /// too little; the answer never came), then thirty transfers into that account, each followed
    /// by a read, all open at once. Once the account holds enough, the refused transfer fits
    /// anywhere; the search must not take it at a place after its own, or every path below goes
    /// astray (through the subsets of thirty open transfers). Its place is read from the `info`
    /// line, as a Quorum cluster writes it from the nodes' applied commands.
    @Test func anIndeterminateOperationIsNotTakenAfterItsPlace() throws {
        var invokes: [String] = [], completions: [String] = []
        let stale = "{\"from\": \"a\", \"to\": \"b\", \"amount\": 50}"
        invokes.append("{\"process\": 0, \"type\": \"invoke\", \"f\": \"transfer\", \"value\": \(stale)}")
        completions.append("{\"process\": 0, \"type\": \"info\", \"f\": \"transfer\", \"value\": \(stale), \"order\": 1}")
        var (a, b) = (0, 1000)
        for k in 1...30 {
            let value = "{\"from\": \"b\", \"to\": \"a\", \"amount\": 10}"
            invokes.append("{\"process\": \(2 * k - 1), \"type\": \"invoke\", \"f\": \"transfer\", \"value\": \(value)}")
            completions.append("{\"process\": \(2 * k - 1), \"type\": \"ok\", \"f\": \"transfer\", \"value\": \(value), \"order\": \(2 * k)}")
            (a, b) = (a + 10, b - 10)
            invokes.append("{\"process\": \(2 * k), \"type\": \"invoke\", \"f\": \"read\", \"value\": null}")
            completions.append("{\"process\": \(2 * k), \"type\": \"ok\", \"f\": \"read\", \"value\": {\"a\": \(a), \"b\": \(b)}, \"order\": \(2 * k + 1)}")
        }
        let text = (["{\"type\": \"init\", \"value\": {\"a\": 0, \"b\": 1000}}"] + invokes + completions).joined(separator: "\n")
        let history = try History(jsonLines: Data(text.utf8), file: "h.jsonl")
        #expect(history.operations.first { $0.outcome == .info }?.order == 1)
        let reread = try History(jsonLines: Data(history.jsonLines.utf8), file: "again.jsonl")
        #expect(reread.operations.map(\.order) == history.operations.map(\.order))
        let report = try LinearizabilityChecker(LedgerModel(), budget: 100_000).check(history)
        #expect(report.verdict == .linearizable)
        // One step refusing the stale transfer at its place, one per other operation, one to end.
        #expect(report.steps == 62, "\(report.steps) steps")
    }

    /// A history that ends before an operation completes, or whose operation returns before its
    /// call, is refused or read as indeterminate, never trapped on.
    @Test func malformedHistoriesAreRefusedWithTheirLine() throws {
        let cases = [
            "{\"process\": 0, \"type\": \"ok\", \"f\": \"read\"}": "h.jsonl:1: process 0 completes an operation it did not invoke",
            "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}":
                "h.jsonl:2: process 0 invokes while its previous operation is outstanding",
            "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n{\"process\": 0, \"type\": \"ok\", \"f\": \"write\"}":
                "h.jsonl:2: process 0 invoked read but completes write",
            "{\"process\": 0, \"type\": \"begin\", \"f\": \"read\"}": "h.jsonl:1: unknown type \"begin\"",
            "{\"process\": [0], \"type\": \"invoke\", \"f\": \"read\"}": "h.jsonl:1: \"process\" is neither a name nor an integer",
            "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"time\": \"soon\"}": "h.jsonl:1: \"time\" is not a number",
            "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n{\"type\": \"init\", \"value\": 1}": "h.jsonl:2: an \"init\" line comes first",
            "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}\n{\"process\": 0, \"type\": \"info\", \"f\": \"read\"}\n{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\"}":
                "h.jsonl:3: process 0 invokes after an info",
            "oops": "h.jsonl:1: not a JSON object",
        ]
        for (text, message) in cases {
            do {
                _ = try History(jsonLines: Data(text.utf8), file: "h.jsonl")
                Issue.record("accepted: \(text)")
            } catch {
                #expect("\(error)".hasPrefix(message), "\(error)")
            }
        }
        let open = try History(jsonLines: Data("{\"process\": 0, \"type\": \"invoke\", \"f\": \"write\", \"value\": 1}".utf8), file: "h")
        #expect(open.operations.map(\.outcome) == [.info])
        let backwards = History(operations: [ClientOperation(id: 0, process: n(0), f: "read", input: .null, output: .null, outcome: .ok, call: 5, ret: 2)])
        #expect(throws: HistoryError.self) { try register.check(backwards) }
        var unknown = HistoryBuilder()
        unknown.add(0, "increment", .null, nil, at: 1, returns: 2)
        #expect(throws: HistoryError.self) { try register.check(unknown.history) }
    }

    /// A register replicated by a leader, simulated with random delays, and the bugs of such
    /// implementations: each must be caught within fifty seeded runs, and the correct one never.
    @Test(arguments: [RegisterRun.Bug.staleReads, .earlyAcknowledgement, nil])
    func aReplicatedRegistersBugsAreCaught(_ bug: RegisterRun.Bug?) throws {
        let first = try (1...50).first { seed in
            try register.check(RegisterRun(seed: UInt64(seed), bug: bug).history).verdict == .notLinearizable
        }
        switch bug {
        case nil: #expect(first == nil)
        case .staleReads: #expect(first == 13)
        case .earlyAcknowledgement: #expect(first == 3)
        }
    }

    /// A history written as JSON Lines reads back as the same operations.
    @Test func historiesRoundTripThroughJSONLines() throws {
        let history = RegisterRun(seed: 3, bug: .earlyAcknowledgement).history
        let read = try History(jsonLines: Data(history.jsonLines.utf8), file: "h")
        #expect(read.operations.map(\.text) == history.operations.map(\.text))
        #expect(try register.check(read).verdict == .notLinearizable)
    }

    /// The command line: exit 0, 1, 2 or 3, the witness printed and drawn.
    @Test func theCommandLineSaysWhichByItsExitCode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ text: String, _ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let good = try write(RegisterRun(seed: 3, bug: nil).history.jsonLines, "good.jsonl")
        let bad = try write(RegisterRun(seed: 3, bug: .earlyAcknowledgement).history.jsonLines, "bad.jsonl")
        let ok = try CLI.run(["linearizable", good])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("result: linearizable"))
        let page = dir.appendingPathComponent("bad.html").path
        let refused = try CLI.run(["linearizable", bad, "--html", page])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("result: not linearizable"))
        #expect(refused.stdout.contains("a smaller history that is not linearizable either"))
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("class=\"op witness"))
        #expect(!html.contains("<script"))
        let cut = try CLI.run(["linearizable", bad, "--budget", "2"])
        #expect(cut.status == 3, "\(cut.stdout)")
        let malformed = try write("{\"process\": 0, \"type\": \"ok\", \"f\": \"read\"}\n", "malformed.jsonl")
        let refusedInput = try CLI.run(["linearizable", malformed])
        #expect(refusedInput.status == 2)
        #expect(refusedInput.stderr.contains("malformed.jsonl:1: process 0 completes an operation it did not invoke"), "\(refusedInput.stderr)")
        let ledger = try CLI.run(["linearizable", good, "--model", "ledger"])
        #expect(ledger.status == 2)
        #expect(ledger.stderr.contains("good.jsonl, line 5: a read completes with an object of balances, not null"), "\(ledger.stderr)")
    }

    /// The example histories that docs/LINEARIZABILITY.md shows.
    @Test func theExampleHistoriesGiveTheirDocumentedVerdicts() throws {
        func check(_ name: String, _ model: some SequentialModel) throws -> LinearizabilityReport {
            let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Examples/Histories/\(name).jsonl"))
            return try LinearizabilityChecker(model).check(try History(jsonLines: data, file: name))
        }
        #expect(try check("register-ok", RegisterModel()).verdict == .linearizable)
        let stale = try check("register-stale-read", RegisterModel())
        #expect(stale.verdict == .notLinearizable)
        #expect(stale.witness == [0, 2] && stale.witnessLines == 7 && stale.stuck == 2)
        #expect(try check("ledger-ok", LedgerModel()).verdict == .linearizable)
        let lost = try check("ledger-lost-money", LedgerModel())
        #expect(lost.verdict == .notLinearizable)
        #expect(lost.witness == [0, 2] && lost.witnessLines == nil)
    }
}

/// Three clients of a register that a leader holds and two followers copy with a lag: each
/// operation reaches the leader after a random delay, takes effect there, and is answered after
/// another. The bugs are real implementations' shortcuts.
struct RegisterRun {
    enum Bug: String, CustomStringConvertible {
        /// Reads are answered by any replica from its copy, which lags the leader.
        case staleReads
        /// A write is acknowledged as soon as the leader receives it, before it takes effect.
        case earlyAcknowledgement
        var description: String { rawValue }
    }

    let history: History

    init(seed: UInt64, bug: Bug?, operationsPerClient: Int = 8) {
        var random = SeededGenerator(seed: seed)
        func delay() -> Double { 1 + Double(random.below(4000)) / 1000 }
        // The leader's value over time: (time it took effect, value), in order.
        var effects: [(time: Double, value: JSONTree)] = []
        func value(at t: Double) -> JSONTree { effects.last { $0.time <= t }?.value ?? .null }
        struct Pending { let process: Int; let f: String; let input: JSONTree; let call: Double; let arrives: Double; let answer: Double }
        var clock = [0.0, 0.0, 0.0]
        var next = 1
        var pending: [Pending] = []
        for _ in 0..<operationsPerClient {
            for p in 0..<3 {
                let call = clock[p] + Double(random.below(3000)) / 1000
                let arrives = call + delay(), answer = arrives + delay()
                switch random.below(3) {
                case 0:
                    pending.append(Pending(process: p, f: "write", input: n(next), call: call, arrives: arrives, answer: answer))
                    next += 1
                case 1: pending.append(Pending(process: p, f: "read", input: .null, call: call, arrives: arrives, answer: answer))
                default: pending.append(Pending(process: p, f: "cas", input: .array([n(random.below(next)), n(next)]), call: call, arrives: arrives, answer: answer))
                    next += 1
                }
                clock[p] = answer
            }
        }
        // The leader applies operations in the order they arrive.
        var ops: [(process: Int, f: String, input: JSONTree, output: JSONTree, call: Double, ret: Double, ok: Bool)] = []
        for op in pending.sorted(by: { $0.arrives < $1.arrives }) {
            let before = value(at: op.arrives)
            let answer = op.answer
            switch op.f {
            case "write":
                let effect = bug == .earlyAcknowledgement ? answer + delay() : op.arrives
                effects.append((effect, op.input))
                effects.sort { $0.time < $1.time }
                ops.append((op.process, op.f, op.input, op.input, op.call, answer, true))
            case "read":
                let seen = bug == .staleReads ? value(at: op.arrives - Double(random.below(6000)) / 1000) : before
                ops.append((op.process, op.f, op.input, seen, op.call, answer, true))
            default:
                let pair = op.input.array!
                let swapped = before == pair[0]
                if swapped { effects.append((op.arrives, pair[1])) }
                ops.append((op.process, op.f, op.input, op.input, op.call, answer, swapped))
            }
        }
        // Lines in time order; a cas that did not swap is logged as failed, so it is left out.
        let kept = ops.filter(\.ok)
        var points: [(time: Double, op: Int, isReturn: Bool)] = []
        for (k, op) in kept.enumerated() { points += [(op.call, k, false), (op.ret, k, true)] }
        points.sort { ($0.time, $0.isReturn ? 1 : 0) < ($1.time, $1.isReturn ? 1 : 0) }
        var call = [Int](repeating: 0, count: kept.count), ret = call
        for (line, p) in points.enumerated() {
            if p.isReturn { ret[p.op] = line + 1 } else { call[p.op] = line + 1 }
        }
        let order = kept.indices.sorted { call[$0] < call[$1] }
        history = History(operations: order.enumerated().map { id, k in
            ClientOperation(id: id, process: n(kept[k].process), f: kept[k].f, input: kept[k].input, output: kept[k].output,
                            outcome: .ok, call: call[k], ret: ret[k], callTime: kept[k].call, returnTime: kept[k].ret)
        })
    }
}

/// The history with calls and returns moved to distinct lines, their order kept (ties: calls first).
func distinctLines(_ history: History) -> History {
    var points: [(line: Int, isReturn: Bool, op: Int)] = []
    for op in history.operations {
        points.append((op.call, false, op.id))
        if let r = op.ret { points.append((r, true, op.id)) }
    }
    points.sort { ($0.line, $0.isReturn ? 1 : 0, $0.op) < ($1.line, $1.isReturn ? 1 : 0, $1.op) }
    var call = [Int: Int](), ret = [Int: Int]()
    for (k, p) in points.enumerated() {
        if p.isReturn { ret[p.op] = k + 1 } else { call[p.op] = k + 1 }
    }
    return History(operations: history.operations.map { op in
        ClientOperation(id: op.id, process: op.process, f: op.f, input: op.input, output: op.output, outcome: op.outcome,
                  call: call[op.id]!, ret: ret[op.id])
    }, initial: history.initial)
}

/// The witness as a history: its operations up to its cut, those open there indeterminate.
func witnessHistory(_ history: History, _ report: LinearizabilityReport) -> History {
    let cut = report.witnessLines ?? Int.max
    let ops = history.operations.filter { report.witness.contains($0.id) }.map { op in
        guard let r = op.ret, r < cut else {
            return ClientOperation(id: op.id, process: op.process, f: op.f, input: op.input, output: nil, outcome: .info, call: op.call, ret: nil)
        }
        return op
    }
    return History(operations: ops, initial: history.initial)
}
