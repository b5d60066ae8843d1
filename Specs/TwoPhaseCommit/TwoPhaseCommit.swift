import QuorumCore

/// Two-phase commit as in Lamport's TwoPhase.tla (tlaplus/Examples, transaction_commit): a
/// transaction manager (TM) and resource managers (RMs), messages kept in a set that only grows.
///
/// This spec is also the tutorial's example of a protocol of one's own (docs/TUTORIAL.md): it is
/// written plainly, with arrays and sets, rather than packed for speed.
public struct TwoPhaseCommit: DeclaredSystem {
    public enum Mutation: String, Sendable, CaseIterable {
        /// TMCommit once any RM has prepared, instead of all of them.
        case commitWithoutAllPrepared
    }

    public let resourceManagers: Int
    public let mutation: Mutation?

    public init(resourceManagers: Int = 3, mutation: Mutation? = nil) {
        self.resourceManagers = resourceManagers
        self.mutation = mutation
    }

    var rms: Range<Int> { 0..<resourceManagers }

    public var initialStates: [CommitState] { [CommitState(resourceManagers: resourceManagers)] }

    /// TPNext: TMCommit, TMAbort, and for each RM the five RM actions and TMRcvPrepared.
    public func enabledActions(in s: CommitState, into actions: inout [CommitAction]) {
        let everyonePrepared = s.tmPrepared.count == resourceManagers
        let commitAllowed = mutation == .commitWithoutAllPrepared ? !s.tmPrepared.isEmpty : everyonePrepared
        if s.tmState == .initial && commitAllowed { actions.append(.tmCommit) }
        if s.tmState == .initial { actions.append(.tmAbort) }
        for rm in rms {
            if s.tmState == .initial && s.msgs.contains(.prepared(rm)) { actions.append(.tmRcvPrepared(rm)) }
            if s.rmState[rm] == .working { actions.append(.rmPrepare(rm)) }
            if s.rmState[rm] == .working { actions.append(.rmChooseToAbort(rm)) }
            if s.msgs.contains(.commit) { actions.append(.rmRcvCommitMsg(rm)) }
            if s.msgs.contains(.abort) { actions.append(.rmRcvAbortMsg(rm)) }
        }
    }

    public func apply(_ action: CommitAction, to s: CommitState) -> CommitState {
        var t = s
        switch action {
        case .tmRcvPrepared(let rm): t.tmPrepared.insert(ProcessID(rm))
        case .tmCommit: t.tmState = .committed; t.msgs.insert(.commit)
        case .tmAbort: t.tmState = .aborted; t.msgs.insert(.abort)
        case .rmPrepare(let rm): t.rmState[rm] = .prepared; t.msgs.insert(.prepared(rm))
        case .rmChooseToAbort(let rm): t.rmState[rm] = .aborted
        case .rmRcvCommitMsg(let rm): t.rmState[rm] = .committed
        case .rmRcvAbortMsg(let rm): t.rmState[rm] = .aborted
        }
        return t
    }

    public func isWithinBounds(_ state: CommitState) -> Bool { true }

    public var invariants: [Invariant<CommitState>] {
        [
            Invariant("TCConsistent", "no RM has committed while another has aborted (TCommit.tla)") { s in
                !(s.rmState.contains(.committed) && s.rmState.contains(.aborted))
            },
            Invariant("TPTypeOK", "tmPrepared and the Prepared messages name RMs that exist") { s in
                s.tmPrepared.allSatisfy { rms.contains($0.index) } && s.msgs.allSatisfy { m in
                    if case .prepared(let rm) = m { rms.contains(rm) } else { true }
                }
            },
        ]
    }

    /// Trace files name the RMs r1, r2, ….
    public var processNames: ProcessNames { ProcessNames(prefix: "r", count: resourceManagers) }

    public var blank: CommitState { CommitState(resourceManagers: resourceManagers) }

    static func rmName(_ rm: Int) -> String { "r\(rm + 1)" }
}
