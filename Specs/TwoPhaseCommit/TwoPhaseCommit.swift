import QuorumCore

/// Two-phase commit as in Lamport's TwoPhase.tla (tlaplus/Examples, transaction_commit): a
/// transaction manager (TM) and resource managers (RMs), messages kept in a set that only grows.
/// Written once over any ``Logic``: the explorer, the simulator, `prove`, `bmc` and `conform` all
/// derive their form of it from this file, the tutorial's example.
public struct TwoPhaseCommit: GuardedSystem {
    public enum Mutation: String, Mutant {
        case commitWithoutAllPrepared
        public var breaks: String { "TCConsistent" }
        public var summary: String { "the TM commits once any RM has prepared: another RM may already have aborted" }
    }

    public struct Parameters: ParameterSet {
        public var resourceManagers = 3
        public init() {}
        public static let parameters = [ParameterField("resourceManagers", \Self.resourceManagers, range: 1...6, "the resource managers (banks in the story)")]
    }

    public let resourceManagers: Int, mutation: Mutation?
    public init(resourceManagers: Int = Parameters().resourceManagers, mutation: Mutation? = nil) {
        (self.resourceManagers, self.mutation) = (resourceManagers, mutation)
    }

    public var processNames: ProcessNames { ProcessNames(prefix: "r", count: resourceManagers) }
    public var blank: CommitState { CommitState(rmState: Array(repeating: .working, count: resourceManagers)) }
    public var initialStates: [CommitState] { [blank] }
    public var symmetricProcesses: Bool { true }  // the RMs are interchangeable: `--symmetry`

    /// TPNext, in TLC's order: TMCommit, TMAbort, then for each RM TMRcvPrepared and the RM actions.
    public var actionInstances: [CommitAction] {
        [CommitAction(.TMCommit), CommitAction(.TMAbort)] + (0..<resourceManagers).flatMap { rm in
            [.TMRcvPrepared, .RMPrepare, .RMChooseToAbort, .RMRcvCommitMsg, .RMRcvAbortMsg].map { CommitAction($0, rm) }
        }
    }

    public func step<L: Logic>(_ a: CommitAction, _ s: inout Step<L, CommitState>) -> Formula<L> {
        let rm = a.process ?? 0
        switch a.action {
        case .TMRcvPrepared:
            s.insert(\.tmPrepared, ProcessID(rm))
            return s[\.tmState] == .initial && s[\.msgs].contains(.prepared(rm))
        case .TMCommit:
            s.set(\.tmState, .committed); s.insert(\.msgs, .commit)
            let ready = mutation == .commitWithoutAllPrepared ? !s[\.tmPrepared].isEmpty() : s[\.tmPrepared].count() == Term(resourceManagers)
            return s[\.tmState] == .initial && ready
        case .TMAbort:
            s.set(\.tmState, .aborted); s.insert(\.msgs, .abort)
            return s[\.tmState] == .initial
        case .RMPrepare:
            s.set(\.rmState, rm, .prepared); s.insert(\.msgs, .prepared(rm))
            return s[\.rmState][rm] == .working
        case .RMChooseToAbort:
            s.set(\.rmState, rm, .aborted)
            return s[\.rmState][rm] == .working
        case .RMRcvCommitMsg:
            s.set(\.rmState, rm, .committed)
            return s[\.msgs].contains(.commit)
        case .RMRcvAbortMsg:
            s.set(\.rmState, rm, .aborted)
            return s[\.msgs].contains(.abort)
        }
    }

    public func properties<L: Logic>(of s: StateTerms<L, CommitState>) -> [StateProperty<L>] {
        let rms = 0..<resourceManagers, commit = s[\.msgs].contains(.commit), abort = s[\.msgs].contains(.abort)
        func prepared(_ rm: Int) -> Formula<L> { s[\.msgs].contains(.prepared(rm)) }
        return [
            StateProperty("TCConsistent", "no RM has committed while another has aborted (TCommit.tla)",
                          !(s[\.rmState].contains(CommitState.RM.committed) && s[\.rmState].contains(CommitState.RM.aborted))),
            // TCConsistent is not inductive; this is, and implies it (`quorum prove`).
            StateProperty("InductiveConsistency", "TCConsistent, strengthened by what decisions and messages imply", conjuncts: [
                ("decisionSent", ((s[\.tmState] == .committed) <=> commit) && ((s[\.tmState] == .aborted) <=> abort)),
                ("onlyPreparedAreHeard", forAll(rms) { rm in s[\.tmPrepared].contains(ProcessID(rm)) ==> prepared(rm) }),
                ("preparedLeftWorking", forAll(rms) { rm in prepared(rm) ==> s[\.rmState][rm] != .working }),
                ("commitAfterAllPrepared", commit ==> forAll(rms, prepared)),
                ("committedOnCommit", forAll(rms) { rm in s[\.rmState][rm] == .committed ==> commit }),
                ("abortedUnpreparedOrOnAbort", forAll(rms) { rm in s[\.rmState][rm] == .aborted ==> (abort || !prepared(rm)) }),
            ]),
        ]
    }

    public static let spec = SpecDescriptor(
        name: "TwoPhaseCommit",
        summary: "Two-phase commit (TwoPhase.tla): a transaction manager and resource managers agree to commit or abort",
        mutants: Mutation.self, diagram: { TwoPhaseCommit.diagram($0) },
        build: { (p: Parameters, mutation) in TwoPhaseCommit(resourceManagers: p.resourceManagers, mutation: mutation) })
}

/// The variables of TwoPhase.tla, declared once.
public struct CommitState: DeclaredState {
    public enum RM: String, Hashable, Codable, Sendable, TraceEnum { case working, prepared, committed, aborted }
    public enum TM: String, Hashable, Codable, Sendable, TraceEnum { case initial = "init", committed, aborted }
    public var rmState: [RM], tmState = TM.initial, tmPrepared: Set<ProcessID> = [], msgs: Set<CommitMessage> = []
    public static let variables: [StateVariable<CommitState>] = [
        StateVariable("rmState", \.rmState), StateVariable("tmState", \.tmState),
        StateVariable("tmPrepared", \.tmPrepared), StateVariable("msgs", \.msgs),
    ]
}

/// A message, a record as in TwoPhase.tla: `[type |-> "Prepared", rm |-> r]` from an RM to the TM,
/// or the TM's `[type |-> "Commit"]` or `[type |-> "Abort"]` to every RM (a nil `rm` is no field).
public struct CommitMessage: TraceRecord, Codable, Enumerable, ProcessPermutable {
    public enum Kind: String, Codable, TraceEnum { case Prepared, Commit, Abort }
    public var type: Kind, rm: ProcessID?
    public init() { self.init(.Commit) }
    public init(_ type: Kind, rm: Int? = nil) { (self.type, self.rm) = (type, rm.map { ProcessID($0) }) }
    public static let fields = [RecordField("type", \Self.type), RecordField("rm", \Self.rm)]
    public static let commit = Self(.Commit), abort = Self(.Abort)
    public static func prepared(_ rm: Int) -> Self { Self(.Prepared, rm: rm) }
    public static func all(_ rms: ProcessNames) -> [Self] { (0..<rms.count).map(prepared) + [commit, abort] }
}

/// The actions of TPNext, with their RM (none for the TM's own).
public typealias CommitAction = ProcessAction<CommitStep>
public enum CommitStep: String, ActionKind {
    case TMCommit, TMAbort, TMRcvPrepared, RMPrepare, RMChooseToAbort, RMRcvCommitMsg, RMRcvAbortMsg
    public static let parameter = "rm", processPrefix = "r"
}
