import QuorumCore

/// The variables of TwoPhase.tla, declared once: the fingerprint, the trace values (in and out)
/// and the variables a step changes are derived from `variables`.
public struct CommitState: DeclaredState {
    public enum RMState: String, Hashable, Codable, Sendable, TraceEnum { case working, prepared, committed, aborted }
    public enum TMState: String, Hashable, Codable, Sendable, TraceEnum { case initial = "init", committed, aborted }

    public var rmState: [RMState]
    public var tmState = TMState.initial
    public var tmPrepared: Set<ProcessID> = []
    public var msgs: Set<CommitMessage> = []

    public static let variables: [StateVariable<CommitState>] = [
        StateVariable("rmState", \.rmState), StateVariable("tmState", \.tmState),
        StateVariable("tmPrepared", \.tmPrepared), StateVariable("msgs", \.msgs),
    ]

    public init(resourceManagers: Int) {
        rmState = Array(repeating: .working, count: resourceManagers)
    }
}

/// A message: "Prepared" from an RM to the TM, or the TM's "Commit" or "Abort" to every RM.
public enum CommitMessage: Hashable, Codable, Sendable, Comparable, TraceValue {
    case prepared(Int)
    case commit
    case abort

    public func traceValue(_ processes: ProcessNames) -> ITFValue {
        switch self {
        case .prepared(let rm): .record([("type", .string("Prepared")), ("rm", .string(processes.name(rm)))])
        case .commit: .record([("type", .string("Commit"))])
        case .abort: .record([("type", .string("Abort"))])
        }
    }

    public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        switch traceValue[field: "type"]?.stringValue {
        case "Prepared":
            guard let name = traceValue[field: "rm"]?.stringValue, let rm = processes.index(name) else { return nil }
            self = .prepared(rm)
        case "Commit": self = .commit
        case "Abort": self = .abort
        default: return nil
        }
    }

    /// The case, then the RM of a Prepared message.
    public func words<H: FingerprintHasher>(into f: inout H) {
        switch self {
        case .prepared(let rm): f.combine(0); f.combine(rm)
        case .commit: f.combine(1)
        case .abort: f.combine(2)
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
