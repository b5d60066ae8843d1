import QuorumCore

/// A Raft invariant, written once over ``RaftView``.
///
/// To add one: write a type conforming to this protocol and list it in `RaftProperties.all`. The
/// explorer, the simulator and symbolic engines all evaluate that one definition.
public protocol RaftFormula: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static func holds<V: RaftView>(in v: V) -> Formula<V.L>
    /// The named conjuncts of `holds`, for `quorum prove --drop` (by default, just one).
    static func conjuncts<V: RaftView>(in v: V) -> [(name: String, formula: Formula<V.L>)]
    /// Conjunct `k` of `conjuncts` alone, for engines that evaluate conjuncts one at a time (by
    /// default taken from `conjuncts`, which evaluates them all).
    static func conjunct<V: RaftView>(_ k: Int, in v: V) -> Formula<V.L>
}

extension RaftFormula {
    public static func conjuncts<V: RaftView>(in v: V) -> [(name: String, formula: Formula<V.L>)] { [(name, holds(in: v))] }
    public static func conjunct<V: RaftView>(_ k: Int, in v: V) -> Formula<V.L> { conjuncts(in: v)[k].formula }
}

/// A Raft property of a step, over the views of the state before and after it.
public protocol RaftStepFormula: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static func holds<V: RaftView>(from before: V, to after: V) -> Formula<V.L>
    /// The variables without whose change a step satisfies `holds` (TLA+'s `[A]_v`), so that the
    /// explorer and the simulator skip the steps that leave them alone; nil by default (no skipping).
    /// `SimulatorTests` checks each frame on random steps.
    static var frame: [RaftVariable]? { get }
}

extension RaftStepFormula {
    public static var frame: [RaftVariable]? { nil }
}

/// A Raft property as the engines hold it: the formula (for symbolic engines) and its
/// specialisation to concrete states (for the explorer and the simulator).
public struct RaftProperty: Sendable {
    public let name: String
    public let summary: String
    public let formula: any RaftFormula.Type
    let concrete: Invariant<RaftState>
    /// The same on the description's states (``RaftVariablesView``).
    let described: Invariant<RaftVariables>

    public init<F: RaftFormula>(_ formula: F.Type) {
        name = F.name
        summary = F.summary
        self.formula = formula
        let names = RaftConcreteView.with(RaftState(servers: 1)) { F.conjuncts(in: $0).map(\.name) }
        let conjuncts: [(name: String, holds: @Sendable (RaftState) -> Bool)] = names.count < 2 ? [] : names.enumerated().map { k, name in
            (name, { state in RaftConcreteView.with(state) { F.conjunct(k, in: $0).value } })
        }
        let parts: [@Sendable (RaftState, inout VariableSet) -> Bool] = names.count < 2
            ? [{ state, reads in RaftConcreteView.with(state, reads: &reads) { F.holds(in: $0).value } }]
            : names.indices.map { k in { state, reads in RaftConcreteView.with(state, reads: &reads) { F.conjunct(k, in: $0).value } } }
        let footprints: [VariableSet] = conjuncts.indices.map { k in RaftFootprintView.footprint { F.conjunct(k, in: $0) } }
        @Sendable func holdsAfter(_ state: RaftState, _ changed: VariableSet) -> Bool {
            RaftConcreteView.with(state) { (view: RaftConcreteView) -> Bool in
                for k in footprints.indices where footprints[k] & changed != 0 && !F.conjunct(k, in: view).value { return false }
                return true
            }
        }
        concrete = Invariant(F.name, F.summary, conjuncts: conjuncts, recordingReads: parts,
                             footprint: RaftFootprintView.footprint(of: F.self),
                             conjunctFootprints: footprints, holdsAfter: footprints.isEmpty ? nil : holdsAfter) { state in
            RaftConcreteView.with(state) { F.holds(in: $0).value }
        }
        let describedConjuncts: [(name: String, holds: @Sendable (RaftVariables) -> Bool)] = names.count < 2 ? [] : names.enumerated().map { k, name in
            (name, { state in F.conjunct(k, in: RaftVariablesView(state)).value })
        }
        described = Invariant(F.name, F.summary, conjuncts: describedConjuncts) { state in F.holds(in: RaftVariablesView(state)).value }
    }
}

/// A Raft step property as the engines hold it.
public struct RaftStepProperty: Sendable {
    public let name: String
    public let formula: any RaftStepFormula.Type
    let concrete: ActionProperty<RaftState, RaftAction>
    /// The same on the description's steps (``RaftVariablesView``).
    let described: ActionProperty<RaftVariables, RaftInstance>

    public init<F: RaftStepFormula>(_ formula: F.Type) {
        name = F.name
        self.formula = formula
        described = ActionProperty(F.name, F.summary) { before, _, after in
            F.holds(from: RaftVariablesView(before), to: RaftVariablesView(after)).value
        }
        concrete = ActionProperty(F.name, F.summary, frame: F.frame.map { $0.reduce(0) { $0 | $1.bit } }) { before, _, after in
            RaftConcreteView.with(before) { b in RaftConcreteView.with(after) { a in F.holds(from: b, to: a).value } }
        }
    }
}

public enum RaftProperties {
    /// Every Raft invariant, in the order they are checked. A new invariant is listed here.
    public static let all: [RaftProperty] = [
        RaftProperty(ElectionSafety.self), RaftProperty(LogMatching.self),
        RaftProperty(LeaderCompleteness.self), RaftProperty(StateMachineSafety.self),
        RaftProperty(InductiveElectionSafety.self), RaftProperty(CandidatesHaveTimedOut.self),
    ]
    /// Every property of steps.
    public static let steps: [RaftStepProperty] = [
        RaftStepProperty(LeaderAppendOnly.self), RaftStepProperty(LeaderCommitsCurrentTerm.self),
    ]
}

extension RaftView {
    /// Entry k of i's log equals entry k of j's log (both exist, same term and value).
    func sameEntry(_ i: Int, _ j: Int, _ k: Int) -> Formula<L> {
        Term(k) <= logLength(i) && Term(k) <= logLength(j)
            && logTerm(i, k) == logTerm(j, k) && logValue(i, k) == logValue(j, k)
    }

    /// Entry k of i's log is committed in i's view: it exists and k ≤ commitIndex[i].
    func committed(_ i: Int, _ k: Int) -> Formula<L> {
        Term(k) <= commitIndex(i) && Term(k) <= logLength(i)
    }
}

/// At most one leader per term.
public enum ElectionSafety: RaftFormula {
    public static let name = "ElectionSafety"
    public static let summary = "no two servers are leaders in the same term"
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            forAll(s.servers) { j in
                Formula(i >= j) || !(s.isLeader(i) && s.isLeader(j) && s.currentTerm(i) == s.currentTerm(j))
            }
        }
    }
}

/// ElectionSafety strengthened until it is inductive: the facts about votes and vote messages that
/// make two leaders of one term impossible. `quorum prove raft --invariant InductiveElectionSafety`
/// proves it; `--drop` any conjunct and the prover shows why that conjunct is needed.
public enum InductiveElectionSafety: RaftFormula {
    public static let name = "InductiveElectionSafety"
    public static let summary = "ElectionSafety with the facts about votes and vote messages that make it inductive"
    /// The conjunction, evaluated lazily and without building the list of conjuncts: the explorer
    /// and the simulator evaluate it on every state.
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        ElectionSafety.holds(in: s) && leadersHaveQuorums(s) && s.countedVotesWereCast() && grantMessagesWereCast(s)
            && s.oneVotePerTerm()
    }

    public static func conjuncts<V: RaftView>(in s: V) -> [(name: String, formula: Formula<V.L>)] {
        conjunctNames.indices.map { (conjunctNames[$0], conjunct($0, in: s)) }
    }

    static let conjunctNames = ["electionSafety", "leadersHaveQuorums", "countedVotesWereCast", "grantMessagesWereCast",
                                "oneVotePerTerm"]

    public static func conjunct<V: RaftView>(_ k: Int, in s: V) -> Formula<V.L> {
        switch k {
        case 0: ElectionSafety.holds(in: s)
        case 1: leadersHaveQuorums(s)
        case 2: s.countedVotesWereCast()
        case 3: grantMessagesWereCast(s)
        default: s.oneVotePerTerm()
        }
    }

    /// A leader's votesGranted holds a quorum.
    static func leadersHaveQuorums<V: RaftView>(_ s: V) -> Formula<V.L> {
        let quorums = majorities[s.servers.count]
        return forAll(s.servers) { i in
            s.isLeader(i) ==> exists(quorums) { q in forAll(q) { j in s.votesGranted(i, j) } }
        }
    }

    /// A candidate or leader counts j's vote only if j cast it for it in its term (or has moved on).
    /// Views answer it (``RaftView/countedVotesWereCast()``), by default with this definition.
    public static func countedVotesWereCastByDefinition<V: RaftView>(_ s: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            forAll(s.servers) { j in counts(s, i, j) ==> votedFor(s, j, i, s.currentTerm(i)) }
        }
    }

    /// The same for a vote-granting response in flight, at the message's term.
    static func grantMessagesWereCast<V: RaftView>(_ s: V) -> Formula<V.L> {
        s.forAllVoteGrantsInFlight { j, i, t in votedFor(s, j, i, Term(t)) }
    }

    /// No server's vote in one term is counted, or in flight, for two servers. Views answer it
    /// (``RaftView/oneVotePerTerm()``), by default with this definition.
    public static func oneVotePerTermByDefinition<V: RaftView>(_ s: V) -> Formula<V.L> {
        forAll(s.servers) { j in
            forAll(s.servers) { i in
                counts(s, i, j) ==> forAll(s.servers) { i2 in
                    Formula(i2 <= i) || !(counts(s, i2, j) && s.currentTerm(i) == s.currentTerm(i2))
                }
            }
        }
            && s.forAllVoteGrantsInFlight { j, i, t in
                forAll(s.servers) { i2 in Formula(i2 == i) || !(counts(s, i2, j) && s.currentTerm(i2) == Term(t)) }
                    && s.forAllVoteGrantsInFlight { j2, i2, t2 in Formula(j2 != j || t2 != t || i2 == i) }
            }
    }

    /// j's vote in term t went to i: j is past term t, or in it having voted for i.
    static func votedFor<V: RaftView>(_ s: V, _ j: Int, _ i: Int, _ t: Term<V.L>) -> Formula<V.L> {
        s.currentTerm(j) > t || (s.currentTerm(j) == t && s.votedFor(j) == Term(i))
    }

    /// i, a candidate or leader, counts j's vote (in i's current term).
    static func counts<V: RaftView>(_ s: V, _ i: Int, _ j: Int) -> Formula<V.L> {
        s.votesGranted(i, j) && (s.isLeader(i) || s.isCandidate(i))
    }
}

/// The smallest majorities of n servers, for n = 0...5, computed once.
let majorities: [[[Int]]] = (0...5).map { n in subsets(of: Array(0..<n), size: n / 2 + 1) }

/// The subsets of `elements` with `size` members, in a fixed order.
public func subsets(of elements: [Int], size: Int) -> [[Int]] {
    guard size > 0 else { return [[]] }
    guard elements.count >= size else { return [] }
    let first = elements[0], rest = Array(elements.dropFirst())
    return subsets(of: rest, size: size - 1).map { [first] + $0 } + subsets(of: rest, size: size)
}

/// raft.tla's LogMatching: two logs with an entry of the same term at an index agree up to it.
public enum LogMatching: RaftFormula {
    public static let name = "LogMatching"
    public static let summary = "if two logs have an entry of the same term at an index, they are identical up to it"
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            forAll(s.servers) { j in
                Formula(i >= j) || forAll(s.logIndices) { k in
                    (Term(k) <= s.logLength(i) && Term(k) <= s.logLength(j) && s.logTerm(i, k) == s.logTerm(j, k))
                        ==> forAll(1...k) { l in s.sameEntry(i, j, l) }
                }
            }
        }
    }
}

/// A leader holds every entry committed in a term not after its own.
///
/// Stated over the state alone (raft.tla's proof uses history variables instead): an entry a
/// server j counts as committed was committed by a leader of a term ≤ currentTerm[j], so every
/// leader of a term ≥ currentTerm[j] must have it.
public enum LeaderCompleteness: RaftFormula {
    public static let name = "LeaderCompleteness"
    public static let summary = "a leader's log holds every entry committed in its term or earlier"
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            s.isLeader(i) ==> forAll(s.servers) { j in
                (s.currentTerm(j) <= s.currentTerm(i)) ==> forAll(s.logIndices) { k in
                    s.committed(j, k) ==> s.sameEntry(i, j, k)
                }
            }
        }
    }
}

/// No two servers apply different entries at the same index.
public enum StateMachineSafety: RaftFormula {
    public static let name = "StateMachineSafety"
    public static let summary = "no two servers have committed different entries at the same index"
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            forAll(s.servers) { j in
                Formula(i >= j) || forAll(s.logIndices) { k in
                    (s.committed(i, k) && s.committed(j, k)) ==> s.sameEntry(i, j, k)
                }
            }
        }
    }
}

/// A leader only appends to its log while it stays leader in the same term.
public enum LeaderAppendOnly: RaftStepFormula {
    public static let name = "LeaderAppendOnly"
    public static let summary = "a leader never removes or changes entries of its log while it stays leader of its term"
    /// A step that leaves every log alone keeps every leader's log.
    public static let frame: [RaftVariable]? = [.log]
    public static func holds<V: RaftView>(from s: V, to t: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            (s.isLeader(i) && t.isLeader(i) && s.currentTerm(i) == t.currentTerm(i)) ==>
                (s.logLength(i) <= t.logLength(i) && forAll(s.logIndices) { k in
                    (Term(k) <= s.logLength(i)) ==> (s.logTerm(i, k) == t.logTerm(i, k) && s.logValue(i, k) == t.logValue(i, k))
                })
        }
    }
}

/// Raft's commitment rule (§5.4.2 of the Raft paper): a leader commits by counting replicas only
/// entries of its current term; earlier entries become committed with them.
///
/// Breaking the rule does no visible harm until two more elections have happened (the paper's
/// Figure 8), which lies beyond the reach of exhaustive exploration with three servers; this
/// property catches the broken rule at the step where it is broken.
public enum LeaderCommitsCurrentTerm: RaftStepFormula {
    public static let name = "LeaderCommitsCurrentTerm"
    public static let summary = "a leader that advances its commitIndex commits an entry of its current term"
    /// A step that leaves every commitIndex alone advances none.
    public static let frame: [RaftVariable]? = [.commitIndex]
    public static func holds<V: RaftView>(from s: V, to t: V) -> Formula<V.L> {
        forAll(s.servers) { i in
            (s.isLeader(i) && t.isLeader(i) && s.currentTerm(i) == t.currentTerm(i) && s.commitIndex(i) < t.commitIndex(i)) ==>
                forAll(t.logIndices) { k in (t.commitIndex(i) == Term(k)) ==> (t.logTerm(i, k) == t.currentTerm(i)) }
        }
    }
}

extension RaftProperties {
    /// "With no failures, fair message delivery and no timeouts once a leader exists, a leader is
    /// eventually elected." It does not hold, in the bounded model or in raft.tla: servers can split
    /// their votes in every term (Raft relies on randomised timeouts, which the spec leaves out), and
    /// with terms bounded the split vote in the last term is final. Checked on request, to show it:
    /// `quorum check raft --invariant EventuallyLeader`.
    static func eventuallyLeader(servers: Int) -> TemporalProperty<RaftState, RaftAction> {
        @Sendable func hasLeader(_ s: RaftState) -> Bool { (0..<servers).contains { s.state[$0] == .leader } }
        let fairness: [Fairness<RaftState, RaftAction>] = ["Timeout", "RequestVote", "BecomeLeader", "Receive"].map { name in
            .weak(name) { _, action in action.name == name }
        }
        return TemporalProperty.eventually("EventuallyLeader", "a leader is eventually elected", hasLeader, fairness: fairness)
            .assuming("no Restart, DuplicateMessage or DropMessage, no Timeout once a leader exists") { s, action in
                switch action {
                case .restart, .duplicateMessage, .dropMessage: false
                case .timeout: !hasLeader(s)
                default: true
                }
            }
            .onRequest()
    }
}

/// A server leaves Follower only by timing out, which raises its term above the initial 1, so
/// candidates and leaders have terms of at least 2. (The tutorial's example: docs/TUTORIAL.md.)
public enum CandidatesHaveTimedOut: RaftFormula {
    public static let name = "CandidatesHaveTimedOut"
    public static let summary = "a candidate's or a leader's term is at least 2"
    public static func holds<V: RaftView>(in s: V) -> Formula<V.L> {
        forAll(s.servers) { i in (s.isCandidate(i) || s.isLeader(i)) ==> (s.currentTerm(i) >= 2) }
    }
}
