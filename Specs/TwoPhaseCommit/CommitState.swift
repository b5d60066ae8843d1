import QuorumCore

/// The variables of TwoPhase.tla.
public struct CommitState: Hashable, Codable, Sendable, Fingerprintable {
    public enum RMState: String, Hashable, Codable, Sendable, CaseIterable { case working, prepared, committed, aborted }
    public enum TMState: String, Hashable, Codable, Sendable, CaseIterable { case initial = "init", committed, aborted }

    public var rmState: [RMState]
    public var tmState = TMState.initial
    public var tmPrepared: Set<Int> = []
    public var msgs: Set<CommitMessage> = []

    public init(resourceManagers: Int) {
        rmState = Array(repeating: .working, count: resourceManagers)
    }

    /// Every field goes into the fingerprint, in a fixed order: sets as bit sets.
    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        for state in rmState { f.combine(RMState.allCases.firstIndex(of: state)!) }
        f.combine(TMState.allCases.firstIndex(of: tmState)!)
        f.combine(tmPrepared.reduce(0) { $0 | 1 << $1 })
        f.combine(msgs.reduce(0) { $0 | $1.bit })
    }
}

/// A message: "Prepared" from an RM to the TM, or the TM's "Commit" or "Abort" to every RM.
public enum CommitMessage: Hashable, Codable, Sendable {
    case prepared(Int)
    case commit
    case abort

    var bit: Int {
        switch self {
        case .prepared(let rm): 1 << rm
        case .commit: 1 << 62
        case .abort: 1 << 61
        }
    }

    var traceValue: ITFValue {
        switch self {
        case .prepared(let rm): .record([("type", .string("Prepared")), ("rm", .string(TwoPhaseCommit.rmName(rm)))])
        case .commit: .record([("type", .string("Commit"))])
        case .abort: .record([("type", .string("Abort"))])
        }
    }
}

/// The actions of TPNext, with their RM.
public enum CommitAction: Hashable, Codable, Sendable, TraceableAction {
    case tmRcvPrepared(Int), tmCommit, tmAbort
    case rmPrepare(Int), rmChooseToAbort(Int), rmRcvCommitMsg(Int), rmRcvAbortMsg(Int)

    public var name: String {
        switch self {
        case .tmRcvPrepared: "TMRcvPrepared"
        case .tmCommit: "TMCommit"
        case .tmAbort: "TMAbort"
        case .rmPrepare: "RMPrepare"
        case .rmChooseToAbort: "RMChooseToAbort"
        case .rmRcvCommitMsg: "RMRcvCommitMsg"
        case .rmRcvAbortMsg: "RMRcvAbortMsg"
        }
    }

    /// The RM, or nil for the TM's own steps.
    public var rm: Int? {
        switch self {
        case .tmRcvPrepared(let rm), .rmPrepare(let rm), .rmChooseToAbort(let rm), .rmRcvCommitMsg(let rm), .rmRcvAbortMsg(let rm): rm
        case .tmCommit, .tmAbort: nil
        }
    }

    public var parameters: [(String, ITFValue)] { rm.map { [("rm", .string(TwoPhaseCommit.rmName($0)))] } ?? [] }

    public var description: String { name + (rm.map { "(\(TwoPhaseCommit.rmName($0)))" } ?? "") }
}
