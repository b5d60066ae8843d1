import Testing
import QuorumCore
import QuorumTesting
import MultiPaxos
import TwoPhaseCommit

/// Symmetry derived from the declared variables (``DeclaredSystem/symmetricProcesses``): the
/// images commute with the steps, and the check that says so fails on a system whose steps tell
/// the processes apart.
@Suite struct SymmetryTests {
    @Test func twoPhaseCommitsRenamingsCommuteWithItsSteps() {
        expectSymmetric(TwoPhaseCommit(), states: 288)
        expectSymmetric(TwoPhaseCommit(mutation: .commitWithoutAllPrepared), states: 300)
    }

    @Test func multiPaxosRenamingsCommuteWithItsSteps() {
        expectSymmetric(MultiPaxos(), states: isOptimized ? 1_000 : 100)
    }

    /// A message's RM is renamed with the RMs' states (a record's fields, derived).
    @Test func aStateIsRenamedInEveryVariable() {
        let tpc = TwoPhaseCommit()
        var s = tpc.blank
        s.rmState[0] = .prepared
        s.msgs = [.prepared(0), .commit]
        s.tmPrepared = [ProcessID(0)]
        let t = s.permuted([2, 0, 1])
        #expect(t.rmState == [.working, .working, .prepared])
        #expect(t.msgs == [.prepared(2), .commit])
        #expect(t.tmPrepared == [ProcessID(2)])
        var images = 0
        tpc.forEachSymmetricImage(of: s) { _ in images += 1 }
        #expect(images == 6 && tpc.hasSymmetry)
    }

    /// Symmetry reduction of the spec gives fewer states, the same verdicts and a caught mutant.
    @Test func checkingWithSymmetryKeepsTheVerdicts() {
        var options = ExplorationOptions()
        options.symmetry = true
        let reduced = Explorer(TwoPhaseCommit(), options: options).run()
        #expect(reduced.violations.isEmpty && reduced.distinctStates < 288)
        options.properties = ["TCConsistent"]
        let caught = Explorer(TwoPhaseCommit(mutation: .commitWithoutAllPrepared), options: options).run()
        #expect(caught.violations.first?.property == "TCConsistent" && caught.violations.first?.trace.length == 5)
    }

    /// TwoPhaseCommit where only r1 may abort on its own: declared symmetric, it is not.
    struct OnlyFirstAborts: TransitionSystem {
        let base = TwoPhaseCommit()
        var initialStates: [CommitState] { base.initialStates }
        func enabledActions(in state: CommitState, into actions: inout [CommitAction]) {
            base.enabledActions(in: state, into: &actions)
            actions.removeAll { $0.action == .RMChooseToAbort && $0.process != 0 }
        }
        func apply(_ action: CommitAction, to state: CommitState) -> CommitState { base.apply(action, to: state) }
        var invariants: [Invariant<CommitState>] { base.invariants }
        func isWithinBounds(_ state: CommitState) -> Bool { true }
        var traceVariables: [String] { base.traceVariables }
        func traceValues(of state: CommitState) -> [ITFValue] { base.traceValues(of: state) }
        var hasSymmetry: Bool { true }
        func forEachSymmetricImage(of state: CommitState, _ body: (CommitState) -> Void) { base.forEachSymmetricImage(of: state, body) }
    }

    @Test func aSymmetryTheStepsBreakIsReported() {
        withKnownIssue {
            expectSymmetric(OnlyFirstAborts(), states: 50)
        }
    }
}
