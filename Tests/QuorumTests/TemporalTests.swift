import Foundation
import Testing
import QuorumCore
import ResultBroadcast
import AuditLog
@testable import Paxos
import Raft

/// A three-state system whose fair behaviours can be worked out by hand: `a` goes 0 → 1, `b` goes
/// back 1 → 0, and `c` goes 0 → 2, the goal. A behaviour can cycle 0 → 1 → 0 forever and never take c.
struct Detour: TransitionSystem {
    enum Move: String, Hashable, Codable, Sendable, TraceableAction {
        case a, b, c
        var name: String { rawValue }
        var parameters: [(String, ITFValue)] { [] }
        var description: String { rawValue }
    }

    struct State: Hashable, Codable, Sendable, Fingerprintable {
        var at: Int
        func fingerprint<H: FingerprintHasher>(into f: inout H) { f.combine(at) }
    }

    var fairness: [Fairness<State, Move>]
    var extra: [TemporalProperty<State, Move>] = []
    var initialStates: [State] { [State(at: 0)] }
    func enabledActions(in s: State, into actions: inout [Move]) {
        if s.at == 0 { actions += [.a, .c] }
        if s.at == 1 { actions.append(.b) }
    }
    func apply(_ m: Move, to s: State) -> State { State(at: m == .a ? 1 : m == .b ? 0 : 2) }
    func isWithinBounds(_ s: State) -> Bool { true }
    var invariants: [Invariant<State>] { [] }
    var temporalProperties: [TemporalProperty<State, Move>] {
        [.eventually("ReachesTwo", "eventually at 2", { $0.at == 2 }, fairness: fairness)] + extra
    }
    var traceVariables: [String] { ["at"] }
    func traceValues(of s: State) -> [ITFValue] { [.int(s.at)] }

    static func fair(_ kind: Fairness<State, Move>.Kind, _ move: Move) -> Fairness<State, Move> {
        kind == .weak ? .weak(move.name) { _, m in m == move } : .strong(move.name) { _, m in m == move }
    }
}

@Suite struct TemporalCheckerTests {
    func lasso(_ fairness: [Fairness<Detour.State, Detour.Move>]) -> Trace<Detour>? {
        TemporalChecker(Detour(fairness: fairness)).run().violations.first?.trace
    }

    @Test func withoutFairnessABehaviourMayStutterForever() throws {
        let trace = try #require(lasso([]))
        #expect(trace.length == 0 && trace.loop == 0)
    }

    @Test func weakFairnessIsMetByACycleThatPassesAStateWhereTheActionIsDisabled() throws {
        // c is disabled in state 1, so cycling 0 → 1 → 0 is weakly fair to c.
        let trace = try #require(lasso([Detour.fair(.weak, .c), Detour.fair(.weak, .b)]))
        #expect(trace.states.map(\.at) == [0, 1, 0])
        #expect(trace.loop == 0)
    }

    @Test func strongFairnessRulesOutTheDetour() {
        // c is enabled infinitely often on the cycle and never taken; stuttering in 1 starves b.
        #expect(lasso([Detour.fair(.strong, .c), Detour.fair(.weak, .b)]) == nil)
    }

    @Test func infinitelyOftenFailsWhenARunCanLeaveForGood() throws {
        // []<>(at = 1) under WF(a): a run may take c to 2 and stay there, where a is disabled.
        var system = Detour(fairness: [])
        system.extra = [.infinitelyOften("VisitsOne", "1 again and again", { $0.at == 1 }, fairness: [Detour.fair(.weak, .a)])]
        let trace = try #require(TemporalChecker(system, properties: system.extra).run().violations.first?.trace)
        #expect(trace.states.map(\.at) == [0, 2])
        #expect(trace.loop == 1)
        // Once c is off limits (a step assumption), every fair run returns to 1 forever.
        let confined = system.extra[0].assuming("never c") { _, m in m != .c }
        #expect(TemporalChecker(system, properties: [confined]).run().violations.isEmpty)
    }

    @Test func aLassoIsWrittenWithItsLoopAndReplays() throws {
        let system = Detour(fairness: [Detour.fair(.weak, .c), Detour.fair(.weak, .b)])
        let trace = try #require(lasso(system.fairness))
        let document = TraceDocument(trace, of: system, spec: "Detour", variant: nil, parameters: [],
                                     property: "ReachesTwo", kind: .temporal)
        #expect(document.json.contains("\"loop\": 0") && document.json.contains("\"loop\":{\"#bigint\":\"0\"}"))
        let read = try TraceDocument(json: Data(document.json.utf8))
        #expect(read.loop == 0)
        #expect(try system.replay(read).reproduced)
        // The same cycle is not a counterexample once c is strongly fair.
        let strict = Detour(fairness: [Detour.fair(.strong, .c), Detour.fair(.weak, .b)])
        #expect(throws: ReplayError.self) { try strict.replay(read) }
        // A loop that does not close is refused.
        var open = read
        open.loop = 1
        #expect(throws: ReplayError.self) { try system.replay(open) }
    }
}

@Suite struct ResultBroadcastTests {
    @Test func figuresEqualTLCs() {
        // TLC on bcastByz.tla with bcastByz.cfg (N = 4, T = 1, F = 1): 14,424 distinct states,
        // 227,344 generated, depth 7.
        let result = Explorer(ResultBroadcast()).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 14_424)
        #expect(result.statesGenerated == 227_344)
        #expect(result.diameter + 1 == 7)
    }

    @Test func unforgeabilityCorrectnessAndRelayHold() {
        let result = TemporalChecker(ResultBroadcast()).run()
        #expect(result.incomplete == nil)
        #expect(result.graphStates == 14_424)
        #expect(result.violations.isEmpty)
    }

    @Test(arguments: [("acceptAfterFewerEchoes", "Relay", 4), ("tooFewStations", "Unforgeability", 3),
                      ("doubleCountedEcho", "Unforgeability", 4)])
    func eachMutantBreaksItsProperty(mutant: String, property: String, stations: Int) throws {
        let system = ResultBroadcast(stations: stations, mutation: ResultBroadcast.Mutation(rawValue: mutant)!)
        let checker = TemporalChecker(system, properties: system.temporalProperties.filter { $0.name == property })
        let violation = try #require(checker.run().violations.first)
        #expect(violation.property == property)
        // A liveness violation is a lasso; Unforgeability is violated by a finite trace.
        #expect((violation.trace.loop != nil) == (property == "Relay"))
        let document = TraceDocument(violation.trace, of: system, spec: "ResultBroadcast", variant: mutant,
                                     parameters: [], property: property, kind: .temporal)
        #expect(try system.replay(TraceDocument(json: Data(document.json.utf8))).reproduced)
    }

    @Test func withoutFairnessCorrectnessFails() throws {
        // Every correct station heard the announcement, and nobody ever moves.
        let system = ResultBroadcast()
        let unfair = system.temporalProperties.first { $0.name == "Correctness" }!
        let property = TemporalProperty<BroadcastState, BroadcastAction>.eventually(
            "Correctness", unfair.summary, from: unfair.trigger, unfair.goal, fairness: [])
        let trace = try #require(TemporalChecker(system, properties: [property]).run().violations.first?.trace)
        #expect(trace.length == 0 && trace.loop == 0)
    }
}

@Suite struct AuditLogTests {
    @Test func theAuditorAcceptsExactlyThePrefixesOfTheTrueLog() {
        // TamperEvident (no false acceptance) and HonestReplicasPass (no false alarm) both hold.
        let result = Explorer(AuditLog(maxLength: 3, maxEdits: 2)).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 3_163)
    }

    @Test func digestsAreInjectiveWithinTheBounds() {
        let log = AuditLog(results: 2, maxLength: 4, maxEdits: 3)
        var seen: [Int: [Int]] = [:]
        func chains(_ prefix: [Int]) {
            let d = log.chain(prefix).last?.digest ?? AuditLog.genesis
            #expect(seen[d] == nil || seen[d] == prefix)
            seen[d] = prefix
            if prefix.count < 7 { for p in 0..<2 { chains(prefix + [p]) } }
        }
        chains([])
        #expect(seen.count == 255)
    }

    @Test(arguments: [("digestWithoutPredecessor", 3), ("auditLastRecordOnly", 4)])
    func eachMutantLetsATamperedReplicaPass(mutant: String, steps: Int) throws {
        let system = AuditLog(mutation: AuditLog.Mutation(rawValue: mutant)!)
        let violation = try #require(Explorer(system).run().violations.first)
        #expect(violation.property == "TamperEvident")
        #expect(violation.trace.length == steps)
        #expect(violation.trace.last.edits == 1)
    }
}

@Suite struct ConsensusLivenessTests {
    @Test func paxosEventuallyChoosesAValueWhenEveryPhaseIsFair() throws {
        let paxos = Paxos()
        let result = TemporalChecker(paxos).run()
        #expect(result.graphStates == 3_921)
        #expect(result.violations.isEmpty)
        // Without fairness for Phase2b, acceptors may never vote: the run stops once every 2a is sent.
        let unfair = PaxosProperties.temporal(for: paxos, fair: ["Phase1a", "Phase1b", "Phase2a"])
        let trace = try #require(TemporalChecker(paxos, properties: unfair).run().violations.first?.trace)
        #expect(trace.loop == trace.length)
        #expect(trace.steps.contains { $0.action.name == "Phase2a" })
        #expect(trace.steps.allSatisfy { $0.action.name != "Phase2b" })
    }

    @Test func raftSplitVotesInTheLastTermAreFinalOnlyWhenTheBoundsGuardTheActions() throws {
        let raft = Raft(servers: 2, values: 1, maxTerm: 2, maxLogLength: 0, maxMessages: 1)
        let property = raft.temporalProperties.filter { $0.name == "EventuallyLeader" }
        #expect(property.count == 1 && !property[0].byDefault)
        // Judged on the spec, a fair behaviour must time out again and leave the bounds: nothing found.
        #expect(TemporalChecker(raft, properties: property).run().violations.isEmpty)
        // Judged on the bounded model, both servers vote for themselves in term 2 and stay there.
        let trace = try #require(TemporalChecker(raft, properties: property, boundedFairness: true).run().violations.first?.trace)
        #expect(trace.loop == trace.length)
        #expect((0..<2).allSatisfy { trace.last.state[$0] == .candidate && trace.last.votedFor[$0] == $0 })
        #expect(trace.steps.allSatisfy { !["Restart", "DuplicateMessage", "DropMessage"].contains($0.action.name) })
    }
}

@Suite struct ConditionalInvariantSimulationTests {
    @Test func theSimulatorChecksUnforgeabilityOnRunsThatStartWithoutTheAnnouncement() throws {
        var options = SimulationOptions()
        options.runs = 300
        options.seed = 1
        options.workers = 1
        // Seven stations, two faulty: beyond the explorer's reach, within the simulator's.
        let correct = Simulator(ResultBroadcast(stations: 7, maxFaulty: 2, faulty: 2), options: options).run()
        #expect(correct.failure == nil)
        let broken = Simulator(ResultBroadcast(stations: 6, maxFaulty: 2, faulty: 2, mutation: .tooFewStations), options: options).run()
        let failure = try #require(broken.failure)
        #expect(failure.property == "Unforgeability" && failure.kind == .temporal)
        // The shrunk run starts with every correct station in V0 and ends with one of them accepting.
        let first = failure.shrunk.initial, last = failure.shrunk.last
        #expect(ResultBroadcast.members(first.correct).allSatisfy { first.control($0) == .v0 })
        #expect(ResultBroadcast.members(last.correct).contains { last.control($0) == .accepted })
    }
}
