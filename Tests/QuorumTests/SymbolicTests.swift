import Foundation
import Testing
@testable import QuorumCLI
import QuorumCore
import QuorumZ3
@testable import Paxos
@testable import Raft
import RaftZ3

@Suite struct Z3BindingTests {
    @Test func solverErrorsAreSwiftErrorsNotExits() throws {
        let z = Z3Context()
        let solver = Z3Solver(z)
        solver.add(z.intConstant("x").equals(z.boolConstant("b")))  // a sort error
        #expect(throws: Z3Error.self) { try solver.check() }

        // The context stays usable after an error.
        let fresh = Z3Solver(z)
        let x = z.intConstant("x")
        fresh.add(z.literal(1).less(x))
        fresh.add(x.less(z.literal(3)))
        guard case .satisfiable(let model) = try fresh.check() else {
            Issue.record("1 < x < 3 is satisfiable")
            return
        }
        #expect(try model.int(x) == 2)
    }

    @Test func symbolicLogicFoldsConstantsAndBuildsTerms() throws {
        let z = Z3Context()
        let x = Term<Symbolic>(z.intConstant("x"))
        #expect(Symbolic.isTrue((Term<Symbolic>(2) < Term(3)).value))
        #expect(Symbolic.isFalse((Formula<Symbolic>(false) && x == 1).value))
        let solver = Z3Solver(z)
        solver.add(x + 1 == 5 && ite(x > 3, Term(10), Term(20)) == 10)
        guard case .satisfiable(let model) = try solver.check() else {
            Issue.record("x = 4 satisfies it")
            return
        }
        #expect(try model.int(z.intConstant("x")) == 4)
        solver.add(x != 4)
        guard case .unsatisfiable = try solver.check() else {
            Issue.record("x = 4 is the only solution")
            return
        }
    }
}

/// The symbolic engines on Paxos's encoding, derived from its one description (``PaxosDescription``).
@Suite struct PaxosSymbolicTests {
    let identity = ModelIdentity(spec: "Paxos", variant: nil, parameters: [("acceptors", 3), ("values", 2), ("maxBallot", 1)])

    func encoding(_ paxos: Paxos) -> DerivedEncoding<PaxosDescription> { DerivedEncoding(PaxosDescription(paxos)) }

    @Test func encodingAllowsExactlyTheSpecsTransitions() throws {
        var options = ConformanceOptions()
        options.sample = isOptimized ? nil : 150
        let report = try Conformance(encoding(Paxos()), model: identity).check(options)
        #expect(report.reachableStates == 3_921)
        #expect(report.statesCompared == (isOptimized ? 3_921 : 150))
        #expect(report.mismatches == [])
    }

    @Test(arguments: Paxos.Mutation.allCases)
    func everyMutantsEncodingAgreesWithItsSpec(_ mutation: Paxos.Mutation) throws {
        var options = ConformanceOptions()
        options.sample = isOptimized ? 300 : 60
        // voteBelowPromise reaches 90,817 states: the sample is drawn from the first 5,000.
        options.maxStates = 5_000
        let report = try Conformance(encoding(Paxos(mutation: mutation)), model: identity).check(options)
        #expect(report.mismatches == [])
    }

    /// A deliberately broken description must fail the conformance check, in the direction of its flaw.
    @Test(arguments: FlawedPaxos.Flaw.allCases)
    func conformanceCatchesABrokenEncoding(_ flaw: FlawedPaxos.Flaw) throws {
        var options = ConformanceOptions()
        options.sample = isOptimized ? nil : 150
        let report = try Conformance(DerivedEncoding(FlawedPaxos(PaxosDescription(Paxos()), flaw: flaw)), model: identity).check(options)
        #expect(!report.agrees)
        let first = report.mismatches.first ?? ""
        switch flaw {
        case .phase1aOnlyOnce: #expect(first.hasPrefix("only the spec allows") && first.contains("Phase1a"), "\(first)")
        case .phase1bAcceptsEqualBallot: #expect(first.hasPrefix("only the encoding allows"), "\(first)")
        case .phase2bKeepsMaxVal:
            #expect(report.mismatches.contains { $0.hasPrefix("only the encoding allows") }, "\(first)")
        }
    }

    func prove(_ invariants: [String], dropping dropped: [String] = [], implies: [String] = [],
               _ paxos: Paxos = Paxos(maxBallot: 3)) throws -> ProofReport {
        var options = ProofOptions(invariants: invariants)
        options.dropped = dropped
        options.implies = implies
        return try Prover(encoding(paxos), model: identity).prove(options)
    }

    @Test func inductiveInvIsInductiveAndImpliesAgreement() throws {
        let report = try prove(["InductiveInv"], implies: ["Agreement"])
        #expect(report.result == .inductive)
        #expect(report.obligations.map(\.name) == ["Init", "⇒ Agreement", "Phase1a", "Phase2a", "Phase1b", "Phase2b"])
        #expect(report.obligations.allSatisfy { $0.holds == true })
    }

    /// Lamport's Inv holds on every reachable state but is not inductive on its own: a 1b message
    /// may claim "no vote" from an acceptor that voted below the message's ballot.
    @Test func lamportsInvAloneIsNotInductive() throws {
        let report = try prove(["Inv"])
        #expect(report.result == .notInductive)
        #expect(report.obligations.first { $0.holds == false }?.name == "Phase2a")
        let document = try #require(report.counterexample)
        #expect(try Paxos(maxBallot: 3).replay(document).reproduced)
    }

    /// Dropping "an acceptor's vote variables describe one of its votes" breaks Phase1b: the
    /// minimal counterexample is one acceptor and one message.
    @Test func droppingAConjunctGivesAMinimalCounterexampleToInduction() throws {
        let report = try prove(["InductiveInv"], dropping: ["acceptors"])
        #expect(report.result == .notInductive)
        #expect(report.sizes.map(\.0) == ["slots away from the initial state"])
        #expect(report.sizes.map(\.1) == [2])
        let document = try #require(report.counterexample)
        #expect(document.steps.count == 2)
        #expect(document.induction == TraceDocument.Induction(invariants: ["InductiveInv"], dropped: ["acceptors"]))
        // It replays from its file, and a tampered first state is refused.
        let reread = try TraceDocument(json: Data(document.json.utf8))
        #expect(try Paxos(maxBallot: 3).replay(reread).reproduced)
        var tampered = reread
        tampered.induction = .init(invariants: ["InductiveInv"], dropped: [])
        #expect(throws: ReplayError.self) { try Paxos(maxBallot: 3).replay(tampered) }
    }

    @Test func anInductiveInvariantTooWeakForAgreementIsCaught() throws {
        let report = try prove(["InductiveInv"], dropping: ["msgs2a"], implies: ["Agreement"])
        #expect(report.result == .notInductive)
        let document = try #require(report.counterexample)
        #expect(document.steps.count == 1)
        #expect(document.property == "Agreement")
        #expect(try Paxos(maxBallot: 3).replay(document).reproduced)
    }

    @Test func unknownNamesAreUsageErrors() throws {
        #expect(throws: UsageError.self) { try prove(["NoSuchInvariant"]) }
        #expect(throws: UsageError.self) { try prove(["InductiveInv"], dropping: ["noSuchConjunct"]) }
        #expect(throws: UsageError.self) { try prove(["InductiveInv"], implies: ["NoSuchProperty"]) }
    }

    /// Bounded model checking finds traces exactly as short as the explorer's.
    @Test(arguments: Paxos.Mutation.allCases)
    func bmcAndTheExplorerAgreeOnTheShortestCounterexample(_ mutation: Paxos.Mutation) throws {
        let paxos = Paxos(mutation: mutation)
        var explorerOptions = ExplorationOptions()
        explorerOptions.properties = ["Agreement"]
        let explored = try #require(Explorer(paxos, options: explorerOptions).run().violations.first)
        var options = BMCOptions(maxDepth: explored.trace.length)
        options.invariants = ["Agreement"]
        let report = try BoundedModelChecker(encoding(paxos), model: identity).run(options)
        #expect(report.result == .violation)
        let document = try #require(report.counterexample)
        #expect(document.steps.count - 1 == explored.trace.length)
        #expect(document.property == "Agreement")
        #expect(try paxos.replay(document).reproduced)
    }

    @Test func bmcFindsNothingInTheCorrectSpec() throws {
        var options = BMCOptions(maxDepth: 6)
        options.invariants = ["Agreement"]
        let report = try BoundedModelChecker(encoding(Paxos()), model: identity).run(options)
        #expect(report.result == .ok)
        #expect(report.depthChecked == 6)
    }

    /// Every mutant breaks the inductive invariant: `prove` gives a counterexample to induction
    /// that replays against the mutant.
    @Test(arguments: Paxos.Mutation.allCases)
    func everyMutantBreaksTheInductiveInvariant(_ mutation: Paxos.Mutation) throws {
        let paxos = Paxos(maxBallot: 3, mutation: mutation)
        let report = try prove(["InductiveInv"], implies: ["Agreement"], paxos)
        #expect(report.result == .notInductive)
        let document = try #require(report.counterexample)
        #expect(try paxos.replay(document).reproduced)
    }
}

@Suite struct RaftSymbolicTests {
    let identity = ModelIdentity(spec: "Raft", variant: nil, parameters: [])

    @Test func encodingAllowsExactlyTheSpecsTransitions() throws {
        var options = ConformanceOptions()
        options.sample = isOptimized ? 200 : 40
        options.maxStates = 100_000
        for raft in [Raft(maxLogLength: 0), Raft(maxLogLength: 1)] {
            let report = try Conformance(RaftEncoding(raft), model: identity).check(options)
            #expect(report.mismatches == [], "\(raft.maxLogLength)")
            #expect(report.successorsCompared > options.sample!)
        }
    }

    @Test(arguments: Raft.Mutation.allCases)
    func everyMutantsEncodingAgreesWithItsSpec(_ mutation: Raft.Mutation) throws {
        var options = ConformanceOptions()
        options.sample = 30
        options.maxStates = 50_000
        let report = try Conformance(RaftEncoding(Raft(maxTerm: 3, mutation: mutation)), model: identity).check(options)
        #expect(report.mismatches == [])
    }

    /// Dropping the bound on messages in flight from the encoding is caught.
    @Test func conformanceCatchesAnEncodingOfTheWrongSpec() throws {
        var options = ConformanceOptions()
        options.sample = 100
        options.maxStates = 20_000
        // The encoding of a spec that allows two messages in flight, against the spec that allows one.
        let wide = RaftEncoding(Raft(maxLogLength: 0, maxMessages: 2))
        let report = try Conformance(MismatchedEncoding(base: wide, system: Raft(maxLogLength: 0, maxMessages: 1)), model: identity).check(options)
        #expect(!report.agrees)
        #expect(report.mismatches.first?.hasPrefix("only the encoding allows") == true)
    }

    /// An integer bound too small for the encoding's values makes bmc's bit-vectors wrap: the
    /// comparison at bmc's widths catches it, the one with Z3's integers cannot.
    @Test func conformanceAtBitVectorWidthsCatchesAWrongIntegerBound() throws {
        var options = ConformanceOptions()
        options.sample = 60
        options.maxStates = 5_000
        let raft = Raft(maxLogLength: 0, maxMessages: 1)
        let narrow = MismatchedEncoding(base: RaftEncoding(raft), system: raft, bound: 1)
        let integers = try Conformance(narrow, model: identity).check(options)
        #expect(integers.agrees && integers.integerBits == nil)
        options.bitVectors = true
        let caught: Bool
        do {
            let report = try Conformance(narrow, model: identity).check(options)
            #expect(report.integerBits == 2)
            caught = !report.agrees
        } catch {
            caught = true  // a value the readout cannot map back is caught too
        }
        #expect(caught)
        let right = try Conformance(RaftEncoding(raft), model: identity).check(options)
        #expect(right.agrees && right.integerBits != nil)
        // 5,000 of Raft's 617,361 reachable states: the report says it saw only the first ones.
        #expect(right.reachableStates >= 5_000 && right.reachableStates < 617_361 && !right.allReachable)
    }

    /// A mutant written in the functions but not in the encoding: prove and bmc would check the
    /// stale encoding, so the quick sample they run first refuses it.
    @Test func proveAndBMCRefuseAnEncodingThatDisagreesWithTheFunctions() throws {
        let mutated = Raft(maxLogLength: 0, maxMessages: 1, mutation: .forgetVoteOnRestart)
        let stale = MismatchedEncoding(base: RaftEncoding(Raft(maxLogLength: 0, maxMessages: 1)), system: mutated)
        #expect(throws: UsageError.self) { try EncodingCheck.sample(SymbolicModel(stale, model: identity), quiet: true) }
        try EncodingCheck.sample(SymbolicModel(RaftEncoding(mutated), model: identity), quiet: true)
    }

    func prove(_ dropped: [String] = [], _ raft: Raft = Raft(maxTerm: 4, maxLogLength: 0, maxMessages: 2)) throws -> ProofReport {
        var options = ProofOptions(invariants: ["InductiveElectionSafety"])
        options.dropped = dropped
        options.implies = ["ElectionSafety"]
        return try Prover(RaftEncoding(raft), model: identity).prove(options)
    }

    @Test func inductiveElectionSafetyIsInductive() throws {
        let report = try prove()
        #expect(report.result == .inductive)
        #expect(report.obligations.count == 12)
    }

    /// Without "a counted vote was cast", a candidate may count a vote its voter gave elsewhere.
    @Test func droppingAConjunctGivesAMinimalCounterexampleToInduction() throws {
        let report = try prove(["countedVotesWereCast"])
        #expect(report.result == .notInductive)
        #expect(report.sizes.map(\.1) == [1, 1, 1])
        let document = try #require(report.counterexample)
        let reread = try TraceDocument(json: Data(document.json.utf8))
        #expect(try Raft(maxTerm: 4, maxLogLength: 0, maxMessages: 2).replay(reread).reproduced)
    }

    /// A server that forgets its vote on restart breaks the inductive invariant.
    @Test func forgetVoteOnRestartBreaksInductiveElectionSafety() throws {
        let raft = Raft(maxTerm: 4, maxLogLength: 0, maxMessages: 2, mutation: .forgetVoteOnRestart)
        let report = try prove([], raft)
        #expect(report.result == .notInductive)
        #expect(report.obligations.first { $0.holds == false }?.name == "Restart")
        #expect(try raft.replay(try #require(report.counterexample)).reproduced)
    }
}

/// An encoding paired with a spec it was not made from: what a stale or wrong encoding looks like
/// to the conformance check.
struct MismatchedEncoding: SymbolicEncoding {
    let base: RaftEncoding
    let system: Raft
    /// A bound on the integers other than the encoding's own (nil: the encoding's).
    var bound: Int? = nil
    var integerBound: Int? { bound ?? base.integerBound }
    func declare(in context: Z3Context, prefix: String) -> RaftSymbols { base.declare(in: context, prefix: prefix) }
    func domain(_ s: RaftSymbols) -> Formula<Symbolic> { base.domain(s) }
    func initial(_ s: RaftSymbols) -> Formula<Symbolic> { base.initial(s) }
    func transitions(from s: RaftSymbols, to t: RaftSymbols) -> [(action: String, relation: Formula<Symbolic>)] { base.transitions(from: s, to: t) }
    func stepConstraint(from s: RaftSymbols, to t: RaftSymbols) -> Formula<Symbolic> { base.stepConstraint(from: s, to: t) }
    func invariant(_ name: String, on s: RaftSymbols, without dropped: Set<String>) -> Formula<Symbolic> { base.invariant(name, on: s, without: dropped) }
    func equals(_ s: RaftSymbols, _ state: RaftState) -> Formula<Symbolic> { base.equals(s, state) }
    func constant(_ state: RaftState, in context: Z3Context) -> RaftSymbols? { base.constant(state, in: context) }
    func state(of s: RaftSymbols, in model: Z3Model) throws -> RaftState { try base.state(of: s, in: model) }
    func measures(of s: RaftSymbols) -> [Measure] { base.measures(of: s) }
}

@Suite struct RaftBMCTests {
    let identity = ModelIdentity(spec: "Raft", variant: nil, parameters: [])

    /// The explorer's shortest violation of `property` by `raft`, and the bounded model checker's.
    func shortest(_ raft: Raft, _ property: String, reduction: Bool = true) throws -> (explored: Int, bmc: TraceDocument) {
        var explorerOptions = ExplorationOptions()
        explorerOptions.properties = [property]
        let explored = try #require(Explorer(raft, options: explorerOptions).run().violations.first)
        var options = BMCOptions(maxDepth: explored.trace.length)
        options.invariants = [property]
        options.reduction = reduction
        let report = try BoundedModelChecker(RaftEncoding(raft), model: identity).run(options)
        #expect(report.result == .violation)
        return (explored.trace.length, try #require(report.counterexample))
    }

    /// The explorer and bounded model checking agree on the shortest violation of the
    /// strengthened invariant by the forgetVoteOnRestart mutant, with and without the reduction.
    @Test(arguments: [true, false])
    func bmcAndTheExplorerAgreeOnForgetVoteOnRestart(reduction: Bool) throws {
        let raft = Raft(maxLogLength: 0, mutation: .forgetVoteOnRestart)
        let (explored, document) = try shortest(raft, "InductiveElectionSafety", reduction: reduction)
        #expect(document.steps.count - 1 == explored)
        #expect(explored == 4)
        #expect(try raft.replay(document).reproduced)
    }

    // The mutants that need two leaders and a log entry (traces of 25 to 28 steps, a step property
    // among them) take bmc minutes of Z3 each: `.ci/run` runs `quorum bmc` on them beside its other
    // stages and checks that each finds the explorer's length in a trace that replays.

    /// The reduction's premise, on the concrete spec: a step the encoding calls local commutes
    /// with any step of another server or of the network, and neither enables nor disables the
    /// other. Checked on every pair of steps enabled together on random runs of each mutant.
    @Test(arguments: [nil] + Raft.Mutation.allCases)
    func localStepsCommuteWithOtherServersSteps(_ mutation: Raft.Mutation?) throws {
        let raft = Raft(maxTerm: 3, maxLogLength: 2, maxMessages: 2, mutation: mutation)
        let context = Z3Context()
        let encoding = RaftEncoding(raft)
        let disjuncts = encoding.attributedTransitions(from: encoding.declare(in: context, prefix: "s"),
                                                       to: encoding.declare(in: context, prefix: "t"))
        let local = Set(disjuncts.filter { $0.actor?.isLocal == true }.map(\.action))
        #expect(local == ["Restart", "Timeout", "BecomeLeader", "ClientRequest", "AdvanceCommitIndex"])
        #expect(local.isDisjoint(with: disjuncts.filter { $0.actor?.isLocal != true }.map(\.action)))
        #expect(nonCommuting(raft, isLocal: { local.contains($0.name) }) == 0)
        // Were sending a request local, two servers' sends would not commute: one fills the bag.
        #expect(nonCommuting(raft, isLocal: { local.contains($0.name) || $0.name == "RequestVote" }) > 0)
    }

    /// Pairs (local step of q, step of another process) enabled in one state that do not commute.
    func nonCommuting(_ raft: Raft, isLocal: (RaftAction) -> Bool) -> Int {
        func successor(_ a: RaftAction, _ s: RaftState) -> RaftState? {
            guard raft.enabledActions(in: s).contains(a) else { return nil }
            let t = raft.apply(a, to: s)
            return raft.isWithinBounds(t) ? t : nil
        }
        var failures = 0
        for run in 0..<(isOptimized ? 80 : 40) {
            var rng = SeededGenerator(seed: 11, run: run)
            var state = raft.initialStates[0]
            for _ in 0..<60 {
                let enabled = raft.enabledActions(in: state).filter { successor($0, state) != nil }
                guard !enabled.isEmpty else { break }
                for b in enabled where isLocal(b) {
                    for a in enabled where a.process != b.process {
                        let ab = successor(a, state).flatMap { successor(b, $0) }
                        let ba = successor(b, state).flatMap { successor(a, $0) }
                        if ab == nil || ab != ba { failures += 1 }
                    }
                }
                state = successor(enabled[rng.below(enabled.count)], state)!
            }
        }
        return failures
    }

    /// Without the reduction and with it, the correct spec has no violation up to a depth, and
    /// every depth's verdict is the same.
    @Test func theReductionKeepsTheCorrectSpecCorrect() throws {
        for reduction in [true, false] {
            var options = BMCOptions(maxDepth: isOptimized ? 12 : 8)
            options.reduction = reduction
            let report = try BoundedModelChecker(RaftEncoding(Raft(maxLogLength: 1)), model: identity).run(options)
            #expect(report.result == .ok, "reduction \(reduction)")
        }
    }

    @Test func aSolverTimeoutIsReportedAsUnknownWithExitCode3() throws {
        // Each depth past 17 takes seconds here (depth 20: 39 s), so a 0.2 s limit stops it long before 40.
        let run = try CLI.run(["bmc", "raft", "--depth", "40", "--timeout", "0.2",
                               "--invariant", "ElectionSafety", "--quiet", "--no-files"])
        #expect(run.status == 3, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains("result: unknown after depth"))
    }
}

/// Paxos's description with one deliberate mistake, for testing that `conform` catches a wrong
/// encoding (each flaw changes the derived relation, not the packed functions it is compared with).
struct FlawedPaxos: GuardedSystem {
    enum Flaw: Sendable, CaseIterable {
        /// Phase2b leaves the voter's `maxVal` as it was (a forgotten assignment).
        case phase2bKeepsMaxVal
        /// Phase1b accepts a 1a message of the ballot already promised (`>=` for `>`).
        case phase1bAcceptsEqualBallot
        /// Phase1a only when its message is new: the stuttering re-send Paxos.tla allows is lost.
        case phase1aOnlyOnce
    }
    typealias State = PaxosVariables
    typealias Action = PaxosInstance
    let description: PaxosDescription
    let flaw: Flaw
    init(_ description: PaxosDescription, flaw: Flaw) {
        self.description = description
        self.flaw = flaw
    }

    var processNames: ProcessNames { description.processNames }
    var blank: PaxosVariables { description.blank }
    var initialStates: [PaxosVariables] { description.initialStates }
    var actionInstances: [PaxosInstance] { description.actionInstances }
    func properties<L: Logic>(of s: StateTerms<L, PaxosVariables>) -> [StateProperty<L>] { description.properties(of: s) }

    /// The concrete functions stay the description's: `conform` compares them with the flawed
    /// symbolic relation derived from `step` below.
    func enabledActions(in state: PaxosVariables, into actions: inout [PaxosInstance]) {
        description.derivedEnabledActions(in: state, into: &actions)
    }
    func apply(_ action: PaxosInstance, to state: PaxosVariables) -> PaxosVariables { description.derivedApply(action, to: state) }

    func step<L: Logic>(_ instance: PaxosInstance, _ s: inout Step<L, PaxosVariables>) -> Formula<L> {
        let view = PaxosSlotsView(s.now, quorums: [])
        switch (flaw, instance.action) {
        case (.phase2bKeepsMaxVal, .phase2b):
            let enabled = description.step(instance, &s)
            s.set(\.maxVal, s[\.maxVal])
            return enabled
        case (.phase1bAcceptsEqualBallot, .phase1b(let a, let b)):
            // The description's effects, which it records only where its own guard may hold.
            s.set(\.maxBal, a, Ballot(b))
            for mbal in -1...description.model.maxBallot {
                for mval in -1..<description.model.values {
                    s.insert(\.msgs, .phase1b(acc: a, bal: b, mbal: mbal, mval: mval), if: view.maxVBal(a) == Term(mbal) && view.maxVal(a) == Term(mval))
                }
            }
            return view.sent1a(bal: b) && view.maxBal(a) <= Term(b)
        case (.phase1aOnlyOnce, .phase1a(let b)):
            return description.step(instance, &s) && !view.sent1a(bal: b)
        default:
            return description.step(instance, &s)
        }
    }
}
