import QuorumCore

/// raft.tla written once over ``Logic``: its variables declared (``RaftVariables``), each action a
/// guard and assignments, its invariants the ``RaftFormula``s read through ``RaftSlotsView``.
///
/// `Receive(m)` is one instance per place of the bag, kind and route of the message there, and
/// disjunct of its handler (``ReceiveBranch``); in any state at most one of a place's instances is
/// enabled, so the description takes the steps TLC counts. The explorer runs ``Raft``'s packed
/// functions; `RaftDescriptionTests` checks that the two agree on every reachable state at small
/// bounds: the same actions in the same order, the same successors and the same trace values.
public struct RaftDescription: GuardedSystem {
    public typealias State = RaftVariables
    public typealias Action = RaftInstance
    public let model: Raft
    /// The server actions, made once: every state's first candidates.
    let serverInstances: [RaftInstance]
    public init(_ model: Raft) {
        self.model = model
        let servers = 0..<model.servers
        var out: [RaftInstance] = []
        out += servers.map { .server(.timeout($0)) }
        out += servers.map { .server(.restart($0)) }
        out += servers.flatMap { i in servers.map { .server(.requestVote(i, $0)) } }
        out += servers.map { .server(.becomeLeader($0)) }
        out += servers.flatMap { i in (0..<model.values).map { .server(.clientRequest(i, value: $0)) } }
        out += servers.map { .server(.advanceCommitIndex($0)) }
        out += servers.flatMap { i in servers.filter { $0 != i }.map { .server(.appendEntries(i, $0)) } }
        serverInstances = out
    }

    var servers: Range<Int> { 0..<model.servers }

    public var processNames: ProcessNames {
        ProcessNames(prefix: "s", count: model.servers, capacity: model.maxLogLength + 1,
                     sizes: ["maxTerm": model.maxTerm, "maxLogLength": model.maxLogLength, "values": model.values,
                             Bag<RaftMessage>.capacityName: model.maxMessages + 1])
    }
    public var blank: RaftVariables { RaftVariables(servers: model.servers) }
    public var initialStates: [RaftVariables] { [blank] }

    public func isWithinBounds(_ s: RaftVariables) -> Bool {
        servers.allSatisfy { s.currentTerm[$0].value <= model.maxTerm && s.log[$0].count <= model.maxLogLength }
            && s.messages.total <= model.maxMessages
    }

    /// The bounds: TLC's state constraint, which every state the explorer expands satisfies.
    public func typeConstraint<L: Logic>(_ s: StateTerms<L, RaftVariables>) -> Formula<L> {
        let bag = s.places(\.messages)
        return forAll(servers) { i in s[\.currentTerm][i].term <= Term(model.maxTerm) && s[\.log][i].count() <= Term(model.maxLogLength) }
            && bag.counts.reduce(Term<L>(0), +) <= Term(model.maxMessages)
    }

    /// `Next`, in the order ``Raft/enabledActions(in:into:)`` lists it.
    public var actionInstances: [RaftInstance] {
        let places = 0..<(model.maxMessages + 1)
        var out = serverInstances
        for p in places {
            for kind in RaftMessage.Kind.allCases {
                for branch in ReceiveBranch.of(kind) {
                    for j in servers { for i in servers { out.append(.receive(place: p, kind: kind, source: j, dest: i, branch)) } }
                }
            }
        }
        out += places.map { .duplicate(place: $0) }
        out += places.map { .drop(place: $0) }
        return out
    }

    /// The server actions, then for each place in use the disjuncts of its message's handler.
    public func candidateInstances(in s: RaftVariables, into candidates: inout [RaftInstance]) {
        let used = s.messages.elements
        candidates += serverInstances
        for (p, m) in used.enumerated() {
            for branch in ReceiveBranch.of(m.kind) { candidates.append(.receive(place: p, kind: m.kind, source: m.source, dest: m.dest, branch)) }
        }
        candidates += used.indices.map { .duplicate(place: $0) }
        candidates += used.indices.map { .drop(place: $0) }
    }

    /// Specialised for concrete states: the explorer and the tests call it through the protocol,
    /// from modules that cannot specialise it themselves.
    @_specialize(where L == Concrete)
    public func step<L: Logic>(_ instance: RaftInstance, _ s: inout Step<L, RaftVariables>) -> Formula<L> {
        switch instance {
        case .server(let action): serverStep(action, &s)
        case .receive(let p, let kind, let j, let i, let branch): receive(p, kind, from: j, to: i, branch, &s)
        case .duplicate(let p): network(p, duplicate: true, &s)
        case .drop(let p): network(p, duplicate: false, &s)
        }
    }

    func serverStep<L: Logic>(_ action: RaftAction, _ s: inout Step<L, RaftVariables>) -> Formula<L> {
        let v = RaftSlotsView(s.now), n = model.servers
        switch action {
        case .restart(let i):
            s.set(\.state, i, Role.follower)
            s.set(\.votesResponded, i, Set<ProcessID>())
            s.set(\.votesGranted, i, Set<ProcessID>())
            s.set(\.nextIndex, i, Array(repeating: NextIndex(1), count: n))
            s.set(\.matchIndex, i, Array(repeating: LogIndex(0), count: n))
            s.set(\.commitIndex, i, LogIndex(0))
            if model.mutation == .forgetVoteOnRestart { s.set(\.votedFor, i, Vote(-1)) }
            return Formula(true)
        case .timeout(let i):
            s.set(\.state, i, Role.candidate)
            s.set(\.currentTerm, i, to: v.currentTerm(i) + Term(1))
            s.set(\.votedFor, i, Vote(-1))
            s.set(\.votesResponded, i, Set<ProcessID>())
            s.set(\.votesGranted, i, Set<ProcessID>())
            return !v.isLeader(i)
        case .requestVote(let i, let j):
            send(&s, message(.requestVoteRequest, term: v.currentTerm(i), source: i, dest: j, a: v.lastTerm(i), b: v.logLength(i)))
            return v.isCandidate(i) && !s.now[\.votesResponded][i].contains(ProcessID(j))
        case .becomeLeader(let i):
            s.set(\.state, i, Role.leader)
            for k in servers {
                s.set(\.nextIndex, i, slot: k, to: v.logLength(i) + Term(1))
                s.set(\.matchIndex, i, slot: k, to: Term(0))
            }
            let votes: Slots<L, Set<ProcessID>> = s.now[\.votesGranted][i]
            return v.isCandidate(i) && 2 * votes.count() > Term(n)
        case .clientRequest(let i, let value):
            s.append(\.log, i, [v.currentTerm(i), Term(value)])
            return v.isLeader(i)
        case .advanceCommitIndex(let i):
            s.set(\.commitIndex, i, to: newCommitIndex(i, v))
            return v.isLeader(i)
        case .appendEntries(let i, let j):
            let next = v.nextIndex(i, j), prev = next - 1, length = v.logLength(i)
            let prevTerm = ite(prev > Term(0) && prev <= length, v.entry(i, at: prev).term, Term(0))
            let last = ite(length < next, length, next), entry = v.entry(i, at: next)
            send(&s, message(.appendEntriesRequest, term: v.currentTerm(i), source: i, dest: j, a: prev, b: prevTerm,
                             c: ite(v.commitIndex(i) < last, v.commitIndex(i), last), entry: (next <= length, entry.term, entry.value)))
            return v.isLeader(i)
        case .receive, .duplicateMessage, .dropMessage:
            preconditionFailure("a message's actions are instances of their own")
        }
    }

    /// AdvanceCommitIndex's newCommitIndex: the largest index a quorum agrees on, if that entry is
    /// of the leader's current term.
    func newCommitIndex<L: Logic>(_ i: Int, _ v: RaftSlotsView<L>) -> Term<L> {
        var best = Term<L>(0)
        for index in 1...(model.maxLogLength + 1) {
            let within = Term(index) <= v.logLength(i)
            // Past the log no index is chosen, nor past any index known to be past it: a
            // concrete leader looks at its log's entries only, not at every place (250 in a
            // cluster's model).
            if L.isFalse(within.value) { break }
            let agree = servers.filter { $0 != i }.reduce(Term<L>(1)) { sum, k in sum + ite(v.matchIndex(i, k) >= Term(index), Term(1), Term(0)) }
            best = ite(within && 2 * agree > Term(model.servers), Term(index), best)
        }
        let current = v.entry(i, at: best).term == v.currentTerm(i) || Formula(model.mutation == .commitPreviousTerm)
        return ite(best >= Term(1) && current, best, v.commitIndex(i))
    }

    /// `Receive(m)` for the message at place `p`, of kind `kind` from `j` to `i`: the disjunct `branch`.
    func receive<L: Logic>(_ p: Int, _ kind: RaftMessage.Kind, from j: Int, to i: Int, _ branch: ReceiveBranch,
                           _ s: inout Step<L, RaftVariables>) -> Formula<L> {
        let v = RaftSlotsView(s.now)
        var bag = s.now.places(\.messages)
        let m = bag.elements[p]
        func field(_ f: RaftMessage.Field) -> Term<L> { m[f.rawValue] }
        let here = bag.counts[p] > Term(0) && field(.kind) == Term(kind.rawValue) && field(.source) == Term(j) && field(.dest) == Term(i)
        if L.isFalse(here.value) { return here }
        let term = field(.term), current = v.currentTerm(i), flag = field(.flag) == Term(1)
        /// `Reply(response, m)`: the request leaves and the response is sent.
        func reply(_ response: [Term<L>]) {
            bag.remove(at: p)
            bag.add(response)
            s.set(\.messages, bag)
        }
        func discard() {
            bag.remove(at: p)
            s.set(\.messages, bag)
        }
        switch branch {
        case .updateTerm:
            s.set(\.currentTerm, i, to: term)
            s.set(\.state, i, Role.follower)
            s.set(\.votedFor, i, Vote(-1))
            return here && term > current
        case .handleRequestVoteRequest:
            let lastTerm = v.lastTerm(i)
            let logOk = field(.a) > lastTerm || (field(.a) == lastTerm && field(.b) >= v.logLength(i))
            let voted = v.votedFor(i)
            let grant = term == current && (logOk || Formula(model.mutation == .voteWithoutLogCheck))
                && (voted == Term(-1) || voted == Term(j))
            s.set(\.votedFor, i, to: ite(grant, Term(j), voted))
            reply(message(.requestVoteResponse, term: current, source: i, dest: j, flag: grant))
            return here && term <= current
        case .dropStaleResponse:
            discard()
            return here && term < current
        case .handleRequestVoteResponse:
            let granted: Slots<L, Set<ProcessID>> = s.now[\.votesGranted][i]
            s.set(\.votesResponded, i, slot: j, to: Term(1))
            s.set(\.votesGranted, i, slot: j, to: ite(flag, Term(1), Term(value: granted.terms[granted.terms.startIndex + j])))
            discard()
            return here && term == current
        case .rejectAppendEntriesRequest:
            reply(message(.appendEntriesResponse, term: current, source: i, dest: j, a: Term(0), flag: Formula(false)))
            return here && term <= current && (term < current || (v.isFollower(i) && !appendLogOk(m, i, v)))
        case .returnToFollowerState:
            s.set(\.state, i, Role.follower)
            return here && term == current && v.isCandidate(i)
        case .acceptAppendEntriesRequest, .conflictAppendEntriesRequest, .appendEntry:
            let accepting = here && term == current && v.isFollower(i) && appendLogOk(m, i, v)
            let hasEntry = field(.hasEntry) == Term(1), index = field(.a) + Term(1), length = v.logLength(i)
            let sameTerm = length >= index && v.entry(i, at: index).term == field(.entryTerm)
            let conflicts = hasEntry && length >= index && !sameTerm
            switch branch {
            case .acceptAppendEntriesRequest:
                s.set(\.commitIndex, i, to: field(.c))
                reply(message(.appendEntriesResponse, term: current, source: i, dest: j,
                              a: field(.a) + ite(hasEntry, Term(1), Term(0)), flag: Formula(true)))
                return accepting && (!hasEntry || sameTerm || (conflicts && Formula(model.mutation == .keepConflictingEntries)))
            case .conflictAppendEntriesRequest:
                s.removeLast(\.log, i)
                return accepting && conflicts && Formula(model.mutation != .keepConflictingEntries)
            default:
                s.append(\.log, i, [field(.entryTerm), field(.entryValue)])
                return accepting && hasEntry && length == field(.a)
            }
        case .handleAppendEntriesResponse:
            let next = v.nextIndex(i, j)
            s.set(\.nextIndex, i, slot: j, to: ite(flag, field(.a) + Term(1), ite(next - 1 < Term(1), Term(1), next - 1)))
            s.set(\.matchIndex, i, slot: j, to: ite(flag, field(.a), v.matchIndex(i, j)))
            discard()
            return here && term == current
        }
    }

    /// HandleAppendEntriesRequest's logOk for the request `m` (its slots).
    func appendLogOk<L: Logic>(_ m: [Term<L>], _ i: Int, _ v: RaftSlotsView<L>) -> Formula<L> {
        let prev = m[RaftMessage.Field.a.rawValue], prevTerm = m[RaftMessage.Field.b.rawValue]
        return prev == Term(0) || (prev > Term(0) && prev <= v.logLength(i) && prevTerm == v.entry(i, at: prev).term)
    }

    /// DuplicateMessage and DropMessage of the message at place `p`.
    func network<L: Logic>(_ p: Int, duplicate: Bool, _ s: inout Step<L, RaftVariables>) -> Formula<L> {
        var bag = s.now.places(\.messages)
        let inUse = bag.counts[p] > Term(0)
        if duplicate { bag.duplicate(at: p) } else { bag.remove(at: p) }
        s.set(\.messages, bag)
        return inUse
    }

    /// A message's slots, in ``RaftMessage/Field`` order; fields a kind does not use are 0.
    func message<L: Logic>(_ kind: RaftMessage.Kind, term: Term<L>, source: Int, dest: Int, a: Term<L> = 0, b: Term<L> = 0,
                           c: Term<L> = 0, flag: Formula<L> = Formula(false),
                           entry: (present: Formula<L>, term: Term<L>, value: Term<L>)? = nil) -> [Term<L>] {
        let present = entry?.present ?? Formula(false)
        return [entry.map { ite(present, $0.value, Term(0)) } ?? Term(0), entry.map { ite(present, $0.term, Term(0)) } ?? Term(0),
                ite(present, Term(1), Term(0)), ite(flag, Term(1), Term(0)), c, b, a, Term(dest), Term(source), term,
                Term(kind.rawValue)]
    }

    func send<L: Logic>(_ s: inout Step<L, RaftVariables>, _ m: [Term<L>]) {
        var bag = s.now.places(\.messages)
        bag.add(m)
        s.set(\.messages, bag)
    }

    /// A running cluster's servers exchange the bag's messages, as ``Raft``'s do.
    public var messageVariable: String? { "messages" }

    /// Traces record raft.tla's actions (`Receive(m)` with its message), as ``Raft``'s do.
    public func recorded(_ action: RaftInstance, from state: RaftVariables) -> any TraceableAction { action.action(in: state) }

    /// Raft's step properties (LeaderCommitsCurrentTerm, LeaderAppendOnly), their formulas read
    /// through ``RaftVariablesView``, so that they hold at any bounds (a cluster's logs outgrow
    /// the packed state).
    public var actionProperties: [ActionProperty<RaftVariables, RaftInstance>] { RaftProperties.steps.map(\.described) }

    /// Raft's invariants, their formulas read through ``RaftVariablesView`` rather than the slots
    /// (``properties(of:)``, which the symbolic engines read): the same formulas, at the cost of
    /// the state rather than of its bounds.
    public var invariants: [Invariant<RaftVariables>] { RaftProperties.all.map(\.described) }

    public func properties<L: Logic>(of s: StateTerms<L, RaftVariables>) -> [StateProperty<L>] {
        let view = RaftSlotsView(s)
        return RaftProperties.all.map { p in StateProperty(p.name, p.summary, conjuncts: p.formula.conjuncts(in: view)) }
    }
}
