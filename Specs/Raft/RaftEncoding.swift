import QuorumCore
import QuorumZ3

/// A Raft state as solver terms: one integer or Boolean per variable of raft.tla (logs as a length
/// and a fixed number of entry slots, unused slots pinned to term 0 and value -1; the message bag
/// as one copy count per possible message). Invariants read it through ``RaftView`` exactly as
/// they read a concrete state.
///
/// The same type holds a state's constants and the next-state values an action computes from
/// them, so that each action reads like `apply`.
public struct RaftSymbols: RaftView {
    public typealias L = Symbolic
    public let servers: Range<Int>
    public let logIndices: ClosedRange<Int>
    public let terms: ClosedRange<Int>
    let context: Z3Context
    var term: [Term<Symbolic>]
    var role: [Term<Symbolic>]
    var voted: [Term<Symbolic>]
    var length: [Term<Symbolic>]
    /// `entryTerm[i][k - 1]` is the term of entry k of i's log; 0 past its end.
    var entryTerm: [[Term<Symbolic>]]
    /// -1 past the log's end.
    var entryValue: [[Term<Symbolic>]]
    var commit: [Term<Symbolic>]
    var responded: [[Formula<Symbolic>]]
    var granted: [[Formula<Symbolic>]]
    var next: [[Term<Symbolic>]]
    var match: [[Term<Symbolic>]]
    /// Copies in flight of every possible message, in unary: digit k (0-based) is true when at
    /// least k + 1 copies are in flight. The bag's changes and bound are then Boolean and
    /// pseudo-Boolean constraints, which Z3 handles far faster than sums over hundreds of integers.
    let digits: [RaftMessage: [Formula<Symbolic>]]
    /// Whether the step into this state adds, or removes, a copy of each message (at most one of
    /// each; see ``RaftEncoding/stepConstraint(from:to:)``).
    let added: [RaftMessage: Formula<Symbolic>]
    let removed: [RaftMessage: Formula<Symbolic>]
    /// No copy added, no copy removed: built once per state, shared by every disjunct.
    let noneAdded: Formula<Symbolic>
    let noneRemoved: Formula<Symbolic>

    public func currentTerm(_ i: Int) -> Term<Symbolic> { term[i] }
    public func isLeader(_ i: Int) -> Formula<Symbolic> { role[i] == Term(Role.leader.rawValue) }
    public func isCandidate(_ i: Int) -> Formula<Symbolic> { role[i] == Term(Role.candidate.rawValue) }
    func isFollower(_ i: Int) -> Formula<Symbolic> { role[i] == Term(Role.follower.rawValue) }
    public func votedFor(_ i: Int) -> Term<Symbolic> { voted[i] }
    public func logLength(_ i: Int) -> Term<Symbolic> { length[i] }
    public func logTerm(_ i: Int, _ k: Int) -> Term<Symbolic> { k <= entryTerm[i].count ? entryTerm[i][k - 1] : Term(0) }
    public func logValue(_ i: Int, _ k: Int) -> Term<Symbolic> { k <= entryValue[i].count ? entryValue[i][k - 1] : Term(-1) }
    public func commitIndex(_ i: Int) -> Term<Symbolic> { commit[i] }
    public func votesGranted(_ i: Int, _ j: Int) -> Formula<Symbolic> { granted[i][j] }
    public func voteGrantInFlight(from j: Int, to i: Int, term t: Int) -> Formula<Symbolic> {
        inFlight(.requestVoteResponse(term: t, voteGranted: true, source: j, dest: i))
    }
    func inFlight(_ m: RaftMessage) -> Formula<Symbolic> { digits[m]?.first ?? Formula(false) }

    /// At least `k` copies of `m` are in flight (`k` may be 0 or past the bound).
    func atLeast(_ k: Int, _ m: RaftMessage) -> Formula<Symbolic> {
        let d = digits[m]!
        return k <= 0 ? Formula(true) : k > d.count ? Formula(false) : d[k - 1]
    }

    /// `LastTerm(log[i])`.
    func lastTerm(_ i: Int) -> Term<Symbolic> {
        entryTerm[i].indices.reversed().reduce(Term(0)) { rest, k in ite(length[i] == Term(k + 1), entryTerm[i][k], rest) }
    }

    /// Entry `index` (symbolic, 1-based) of i's log: its term and value, or (0, -1) past the end.
    func entry(_ i: Int, at index: Term<Symbolic>) -> (term: Term<Symbolic>, value: Term<Symbolic>) {
        entryTerm[i].indices.reduce((Term(0), Term(-1))) { rest, k in
            (ite(index == Term(k + 1), entryTerm[i][k], rest.0), ite(index == Term(k + 1), entryValue[i][k], rest.1))
        }
    }
}

/// raft.tla's `Init` and `Next` as Z3 formulas, at the sizes of a ``Raft`` value (its mutation
/// included), checked against the pure functions by `quorum conform`.
///
/// Each action is one or more disjuncts of `Next`, written like `apply`: it computes next-state
/// values from the current ones, and the disjunct equates them with the next state. `Receive(m)`
/// is one disjunct per possible message and per branch of its handler. The message bag changes
/// through two vectors of step variables, the copies a step adds and removes (at most one each),
/// constrained once per step instead of once per disjunct.
public struct RaftEncoding: SymbolicEncoding {
    public let system: Raft
    let universe: [RaftMessage]
    let universeSet: Set<RaftMessage>
    /// The universe by kind, source and destination.
    let routes: [Route: [RaftMessage]]

    struct Route: Hashable {
        let kind: Int, source: Int, dest: Int
    }

    public init(_ raft: Raft) {
        system = raft
        universe = RaftEncoding.universe(of: raft)
        universeSet = Set(universe)
        routes = Dictionary(grouping: universe) { Route(kind: $0.kind.rawValue, source: $0.source, dest: $0.dest) }
    }

    var servers: Range<Int> { 0..<system.servers }
    var slots: Int { system.maxLogLength }

    /// Every message the bounds allow: terms 1...maxTerm, log indices 0...maxLogLength, log terms
    /// 0...maxTerm, any source and destination.
    static func universe(of raft: Raft) -> [RaftMessage] {
        let servers = 0..<raft.servers, terms = 1...raft.maxTerm, indices = 0...raft.maxLogLength
        let logTerms = 0...raft.maxTerm
        let entries: [Entry?] = [nil] + (raft.maxLogLength == 0 ? [] : terms.flatMap { t in (0..<raft.values).map { Entry(term: t, value: $0) } })
        var out: [RaftMessage] = []
        for i in servers {
            for j in servers {
                for t in terms {
                    for lt in logTerms { for li in indices { out.append(.requestVoteRequest(term: t, lastLogTerm: lt, lastLogIndex: li, source: i, dest: j)) } }
                    for g in [false, true] { out.append(.requestVoteResponse(term: t, voteGranted: g, source: i, dest: j)) }
                    for p in indices {
                        for pt in logTerms {
                            for e in entries {
                                for c in indices {
                                    out.append(.appendEntriesRequest(term: t, prevLogIndex: p, prevLogTerm: pt, entry: e, commitIndex: c, source: i, dest: j))
                                }
                            }
                        }
                    }
                    for ok in [false, true] { for mi in indices { out.append(.appendEntriesResponse(term: t, success: ok, matchIndex: mi, source: i, dest: j)) } }
                }
            }
        }
        return out
    }

    public func declare(in context: Z3Context, prefix: String) -> RaftSymbols {
        func int(_ name: String) -> Term<Symbolic> { Term(context.intConstant("\(prefix).\(name)")) }
        func bool(_ name: String) -> Formula<Symbolic> { Formula(context.boolConstant("\(prefix).\(name)")) }
        let name = Raft.serverName
        var digits: [RaftMessage: [Formula<Symbolic>]] = [:]
        var added: [RaftMessage: Formula<Symbolic>] = [:]
        var removed: [RaftMessage: Formula<Symbolic>] = [:]
        for m in universe {
            let key = Raft.traceValue(m).text
            digits[m] = (0..<system.maxMessages).map { bool("messages[\(key)]>=\($0 + 1)") }
            added[m] = bool("added[\(key)]")
            removed[m] = bool("removed[\(key)]")
        }
        return RaftSymbols(
            servers: servers, logIndices: 1...max(1, slots), terms: 1...system.maxTerm, context: context,
            term: servers.map { int("currentTerm[\(name($0))]") },
            role: servers.map { int("state[\(name($0))]") },
            voted: servers.map { int("votedFor[\(name($0))]") },
            length: servers.map { int("Len(log[\(name($0))])") },
            entryTerm: servers.map { i in (0..<slots).map { int("log[\(name(i))][\($0 + 1)].term") } },
            entryValue: servers.map { i in (0..<slots).map { int("log[\(name(i))][\($0 + 1)].value") } },
            commit: servers.map { int("commitIndex[\(name($0))]") },
            responded: servers.map { i in servers.map { bool("votesResponded[\(name(i))][\(name($0))]") } },
            granted: servers.map { i in servers.map { bool("votesGranted[\(name(i))][\(name($0))]") } },
            next: servers.map { i in servers.map { int("nextIndex[\(name(i))][\(name($0))]") } },
            match: servers.map { i in servers.map { int("matchIndex[\(name(i))][\(name($0))]") } },
            digits: digits, added: added, removed: removed,
            noneAdded: forAll(universe) { !added[$0]! }, noneRemoved: forAll(universe) { !removed[$0]! })
    }

    public func constant(_ state: RaftState, in context: Z3Context) -> RaftSymbols? {
        guard state.messages.items.allSatisfy({ universeSet.contains($0.message) }) else { return nil }
        func int(_ x: Int) -> Term<Symbolic> { Term(x) }
        let no = Formula<Symbolic>(false)
        return RaftSymbols(
            servers: servers, logIndices: 1...max(1, slots), terms: 1...system.maxTerm, context: context,
            term: servers.map { int(state.currentTerm[$0]) },
            role: servers.map { int(state.state[$0].rawValue) },
            voted: servers.map { int(state.votedFor[$0]) },
            length: servers.map { int(state.log[$0].count) },
            entryTerm: servers.map { i in (0..<slots).map { int($0 < state.log[i].count ? state.log[i][$0].term : 0) } },
            entryValue: servers.map { i in (0..<slots).map { int($0 < state.log[i].count ? state.log[i][$0].value : -1) } },
            commit: servers.map { int(state.commitIndex[$0]) },
            responded: servers.map { i in servers.map { Formula(state.votesResponded[i] & (1 << $0) != 0) } },
            granted: servers.map { i in servers.map { Formula(state.votesGranted[i] & (1 << $0) != 0) } },
            next: servers.map { i in servers.map { int(state.nextIndex[i][$0]) } },
            match: servers.map { i in servers.map { int(state.matchIndex[i][$0]) } },
            digits: Dictionary(uniqueKeysWithValues: universe.map { m in
                (m, (0..<system.maxMessages).map { Formula(state.messages.count(of: m) > $0) })
            }),
            added: Dictionary(uniqueKeysWithValues: universe.map { ($0, no) }),
            removed: Dictionary(uniqueKeysWithValues: universe.map { ($0, no) }), noneAdded: Formula(true), noneRemoved: Formula(true))
    }

    /// The types of the variables and the bounds (TLC's state constraint) in one: terms 1...maxTerm,
    /// logs of at most maxLogLength entries, at most maxMessages copies in flight.
    public func domain(_ s: RaftSymbols) -> Formula<Symbolic> {
        let n = system.servers, top = system.maxTerm
        func within(_ x: Term<Symbolic>, _ low: Int, _ high: Int) -> Formula<Symbolic> { x >= Term(low) && x <= Term(high) }
        let perServer = forAll(servers) { i -> Formula<Symbolic> in
            let scalars = within(s.term[i], 1, top) && within(s.role[i], 0, 2) && within(s.voted[i], -1, n - 1)
                && within(s.length[i], 0, slots) && within(s.commit[i], 0, slots)
            let log = forAll(0..<slots) { k -> Formula<Symbolic> in
                let used = s.length[i] > Term(k)
                let entry = within(s.entryTerm[i][k], 1, top) && within(s.entryValue[i][k], 0, system.values - 1)
                let blank = s.entryTerm[i][k] == 0 && s.entryValue[i][k] == -1
                return (used ==> entry) && (used || blank)
            }
            let rows = forAll(servers) { j in within(s.next[i][j], 1, slots + 1) && within(s.match[i][j], 0, slots) }
            return scalars && log && rows
        }
        let ordered = forAll(universe) { m in
            let d = s.digits[m]!
            return forAll(d.indices.dropFirst()) { k in d[k] ==> d[k - 1] }
        }
        let all = universe.flatMap { s.digits[$0]! }.compactMap { if case .term(let x) = $0.value { x } else { nil } }
        let bag = ordered && (all.isEmpty ? Formula(true) : Formula(s.context.atMost(all, system.maxMessages)))
        return perServer && bag
    }

    public func initial(_ s: RaftSymbols) -> Formula<Symbolic> {
        forAll(servers) { i in
            s.term[i] == 1 && s.isFollower(i) && s.voted[i] == -1 && s.length[i] == 0 && s.commit[i] == 0
                && forAll(servers) { j in !s.responded[i][j] && !s.granted[i][j] && s.next[i][j] == 1 && s.match[i][j] == 0 }
        } && forAll(universe) { m in !s.inFlight(m) }
    }

    /// `messages' = messages (+) added (-) removed`, with at most one message added and one removed.
    public func stepConstraint(from s: RaftSymbols, to t: RaftSymbols) -> Formula<Symbolic> {
        forAll(universe) { m in
            let add = t.added[m]!, remove = t.removed[m]!
            let up = add && !remove, down = remove && !add
            // Copies stay within the digits, and a removed copy was there.
            return (up ==> !s.atLeast(system.maxMessages, m)) && (down ==> s.atLeast(1, m))
                && forAll(1..<(system.maxMessages + 1)) { k in
                    t.atLeast(k, m) <=> ((up && s.atLeast(k - 1, m)) || (down && s.atLeast(k + 1, m))
                                         || (!up && !down && s.atLeast(k, m)))
                }
        } && Formula(atMost(t.added, 1)) && Formula(atMost(t.removed, 1))
    }

    private func atMost(_ flags: [RaftMessage: Formula<Symbolic>], _ k: Int) -> Z3Expr {
        let terms = universe.map { flags[$0]!.value }.compactMap { if case .term(let x) = $0 { x } else { nil } }
        return terms[0].context.atMost(terms, k)
    }

    // MARK: Next

    public func transitions(from s: RaftSymbols, to t: RaftSymbols) -> [(action: String, relation: Formula<Symbolic>)] {
        var out: [(String, Formula<Symbolic>)] = []
        /// A disjunct: the guard, the next state as `update` computes it, and the bag's change.
        func step(_ name: String, _ guardFormula: Formula<Symbolic>,
                  sends: [RaftMessage: Formula<Symbolic>] = [:], removing: RaftMessage? = nil,
                  _ update: (inout RaftSymbols) -> Void = { _ in }) {
            if Symbolic.isFalse(guardFormula.value) { return }
            var u = s
            update(&u)
            var relation = guardFormula && sameVariables(t, u)
            relation = relation && sending(sends, t) && removal(removing, t)
            out.append((name, relation))
        }
        let n = system.servers
        for i in servers {
            step("Restart", Formula(true)) { u in
                u.role[i] = Term(Role.follower.rawValue)
                u.responded[i] = servers.map { _ in Formula(false) }
                u.granted[i] = servers.map { _ in Formula(false) }
                u.next[i] = servers.map { _ in Term(1) }
                u.match[i] = servers.map { _ in Term(0) }
                u.commit[i] = Term(0)
                if system.mutation == .forgetVoteOnRestart { u.voted[i] = Term(-1) }
            }
        }
        for i in servers {
            step("Timeout", !s.isLeader(i)) { u in
                u.role[i] = Term(Role.candidate.rawValue)
                u.term[i] = s.term[i] + 1
                u.voted[i] = Term(-1)
                u.responded[i] = servers.map { _ in Formula(false) }
                u.granted[i] = servers.map { _ in Formula(false) }
            }
        }
        for i in servers {
            for j in servers {
                let request = messages(.requestVoteRequest, from: i, to: j) { m in
                    s.term[i] == Term(m.term) && s.lastTerm(i) == Term(m.lastLogTerm) && s.length[i] == Term(m.lastLogIndex)
                }
                step("RequestVote", s.isCandidate(i) && !s.responded[i][j], sends: request)
            }
        }
        let quorums = subsets(of: Array(servers), size: n / 2 + 1)
        for i in servers {
            step("BecomeLeader", s.isCandidate(i) && exists(quorums) { q in forAll(q) { j in s.granted[i][j] } }) { u in
                u.role[i] = Term(Role.leader.rawValue)
                u.next[i] = servers.map { _ in s.length[i] + 1 }
                u.match[i] = servers.map { _ in Term(0) }
            }
        }
        for i in servers {
            for v in 0..<system.values {
                step("ClientRequest", s.isLeader(i)) { u in
                    u.length[i] = s.length[i] + 1
                    for k in 0..<slots {
                        u.entryTerm[i][k] = ite(s.length[i] == Term(k), s.term[i], s.entryTerm[i][k])
                        u.entryValue[i][k] = ite(s.length[i] == Term(k), Term(v), s.entryValue[i][k])
                    }
                }
            }
        }
        for i in servers {
            step("AdvanceCommitIndex", s.isLeader(i)) { u in u.commit[i] = newCommitIndex(i, s, quorums) }
        }
        for i in servers {
            for j in servers where j != i {
                let next = s.next[i][j], prev = s.next[i][j] - 1
                let prevTerm = ite(prev > 0 && prev <= s.length[i], s.entry(i, at: prev).term, Term(0))
                let hasEntry = next <= s.length[i]
                let sent = s.entry(i, at: next)
                let lastEntry = ite(s.length[i] < next, s.length[i], next)
                let commitField = ite(s.commit[i] < lastEntry, s.commit[i], lastEntry)
                let request = messages(.appendEntriesRequest, from: i, to: j) { m in
                    s.term[i] == Term(m.term) && prev == Term(m.prevLogIndex) && prevTerm == Term(m.prevLogTerm)
                        && commitField == Term(m.commitIndex)
                        && (m.entry.map { e in hasEntry && sent.term == Term(e.term) && sent.value == Term(e.value) } ?? !hasEntry)
                }
                step("AppendEntries", s.isLeader(i), sends: request)
            }
        }
        for m in universe { receive(m, s) { step($0, $1, sends: $2, removing: $3, $4) } }
        for m in universe { step("DuplicateMessage", s.inFlight(m), sends: [m: Formula(true)]) }
        for m in universe { step("DropMessage", s.inFlight(m), removing: m) }
        return out
    }

    /// A disjunct as `receive` adds it: name, guard, messages sent, message removed, update.
    typealias Step = (String, Formula<Symbolic>, [RaftMessage: Formula<Symbolic>], RaftMessage?,
                      (inout RaftSymbols) -> Void) -> Void

    /// `Receive(m)`: one disjunct per branch of the handler, each with the branch's condition.
    func receive(_ m: RaftMessage, _ s: RaftSymbols, _ step: Step) {
        let i = m.dest, j = m.source
        let present = s.inFlight(m)
        let mterm = Term<Symbolic>(m.term)
        // UpdateTerm: the message stays, to be handled in the new term.
        step("Receive", present && mterm > s.term[i], [:], nil) { u in
            u.term[i] = mterm
            u.role[i] = Term(Role.follower.rawValue)
            u.voted[i] = Term(-1)
        }
        let current = present && mterm <= s.term[i]
        switch m.kind {
        case .requestVoteRequest:
            let logOk = Term(m.lastLogTerm) > s.lastTerm(i)
                || (Term(m.lastLogTerm) == s.lastTerm(i) && Term(m.lastLogIndex) >= s.length[i])
            let grant = mterm == s.term[i] && (logOk || Formula(system.mutation == .voteWithoutLogCheck))
                && (s.voted[i] == -1 || s.voted[i] == Term(j))
            for granted in [true, false] {
                let reply = messages(.requestVoteResponse, from: i, to: j) { r in
                    s.term[i] == Term(r.term) && Formula(r.voteGranted == granted)
                }
                step("Receive", current && (granted ? grant : !grant), reply, m) { u in
                    if granted { u.voted[i] = Term(j) }
                }
            }
        case .requestVoteResponse:
            step("Receive", current && mterm < s.term[i], [:], m) { _ in }  // DropStaleResponse
            step("Receive", current && mterm == s.term[i], [:], m) { u in
                u.responded[i][j] = Formula(true)
                if m.voteGranted { u.granted[i][j] = Formula(true) }
            }
        case .appendEntriesRequest:
            let prev = m.prevLogIndex
            let logOk = Formula<Symbolic>(prev == 0)
                || (Term(prev) <= s.length[i] && s.logTerm(i, prev) == Term(m.prevLogTerm))
            let reject = mterm < s.term[i] || (s.isFollower(i) && !logOk)
            let rejection = messages(.appendEntriesResponse, from: i, to: j) { r in
                s.term[i] == Term(r.term) && Formula(!r.success && r.matchIndex == 0)
            }
            step("Receive", current && reject, rejection, m) { _ in }
            // A candidate of the message's term returns to follower; the message stays.
            step("Receive", current && mterm == s.term[i] && s.isCandidate(i), [:], nil) { u in
                u.role[i] = Term(Role.follower.rawValue)
            }
            let accept = current && mterm == s.term[i] && s.isFollower(i) && logOk
            let index = prev + 1
            let conflicts: Formula<Symbolic> = m.entry.map { e in Term(index) <= s.length[i] && s.logTerm(i, index) != Term(e.term) }
                ?? Formula(false)
            let done = Formula<Symbolic>(m.entry == nil) || (Term(index) <= s.length[i] && !conflicts)
                || (conflicts && Formula(system.mutation == .keepConflictingEntries))
            let success = messages(.appendEntriesResponse, from: i, to: j) { r in
                s.term[i] == Term(r.term) && Formula(r.success && r.matchIndex == prev + (m.entry == nil ? 0 : 1))
            }
            step("Receive", accept && done, success, m) { u in u.commit[i] = Term(m.commitIndex) }
            step("Receive", accept && !done && conflicts, [:], nil) { u in
                // Remove the last entry.
                u.length[i] = s.length[i] - 1
                for k in 0..<slots {
                    u.entryTerm[i][k] = ite(s.length[i] == Term(k + 1), Term(0), s.entryTerm[i][k])
                    u.entryValue[i][k] = ite(s.length[i] == Term(k + 1), Term(-1), s.entryValue[i][k])
                }
            }
            if let e = m.entry, prev < slots {
                step("Receive", accept && !done && !conflicts && s.length[i] == Term(prev), [:], nil) { u in
                    u.length[i] = Term(prev + 1)
                    u.entryTerm[i][prev] = Term(e.term)
                    u.entryValue[i][prev] = Term(e.value)
                }
            }
        case .appendEntriesResponse:
            step("Receive", current && mterm < s.term[i], [:], m) { _ in }  // DropStaleResponse
            step("Receive", current && mterm == s.term[i], [:], m) { u in
                if m.success {
                    u.next[i][j] = Term(m.matchIndex + 1)
                    u.match[i][j] = Term(m.matchIndex)
                } else {
                    u.next[i][j] = ite(s.next[i][j] > 1, s.next[i][j] - 1, Term(1))
                }
            }
        }
    }

    /// AdvanceCommitIndex's new commitIndex: the highest index a quorum has, if its entry is of the
    /// leader's term (or of any term, for the commitPreviousTerm mutant); else unchanged.
    func newCommitIndex(_ i: Int, _ s: RaftSymbols, _ quorums: [[Int]]) -> Term<Symbolic> {
        (1...max(1, slots)).reduce(s.commit[i]) { lower, index in
            guard index <= slots else { return lower }
            let agree = exists(quorums) { q in forAll(q) { k in Formula(k == i) || s.match[i][k] >= Term(index) } }
            let termOk = s.logTerm(i, index) == s.term[i] || Formula(system.mutation == .commitPreviousTerm)
            return ite(Term(index) <= s.length[i] && agree, ite(termOk, Term(index), s.commit[i]), lower)
        }
    }

    /// The possible messages of `kind` from `i` to `j`, each with the condition under which it is
    /// the one sent.
    func messages(_ kind: RaftMessage.Kind, from i: Int, to j: Int, _ fields: (RaftMessage) -> Formula<Symbolic>) -> [RaftMessage: Formula<Symbolic>] {
        var out: [RaftMessage: Formula<Symbolic>] = [:]
        for m in routes[Route(kind: kind.rawValue, source: i, dest: j)] ?? [] {
            let condition = fields(m)
            if !Symbolic.isFalse(condition.value) { out[m] = condition }
        }
        return out
    }

    /// The step adds one copy of the message whose condition holds (exactly one does), or none.
    /// Candidates whose condition folded to false are left out of `sends`; the step constraint's
    /// "at most one added" rules them out.
    func sending(_ sends: [RaftMessage: Formula<Symbolic>], _ t: RaftSymbols) -> Formula<Symbolic> {
        if sends.isEmpty { return t.noneAdded }
        let candidates = sends.keys.sorted()
        return exists(candidates) { m in sends[m]! } && forAll(candidates) { m in t.added[m]! <=> sends[m]! }
    }

    func removal(_ m: RaftMessage?, _ t: RaftSymbols) -> Formula<Symbolic> {
        guard let m else { return t.noneRemoved }
        return t.removed[m]!
    }

    /// The variables other than the bag are equal.
    func sameVariables(_ t: RaftSymbols, _ u: RaftSymbols) -> Formula<Symbolic> {
        forAll(servers) { i in
            t.term[i] == u.term[i] && t.role[i] == u.role[i] && t.voted[i] == u.voted[i] && t.length[i] == u.length[i]
                && t.commit[i] == u.commit[i]
                && forAll(0..<slots) { k in t.entryTerm[i][k] == u.entryTerm[i][k] && t.entryValue[i][k] == u.entryValue[i][k] }
                && forAll(servers) { j in
                    (t.responded[i][j] <=> u.responded[i][j]) && (t.granted[i][j] <=> u.granted[i][j])
                        && t.next[i][j] == u.next[i][j] && t.match[i][j] == u.match[i][j]
                }
        }
    }

    // MARK: Invariants, states, sizes

    public func invariant(_ name: String, on s: RaftSymbols, without dropped: Set<String>) -> Formula<Symbolic> {
        guard let property = RaftProperties.all.first(where: { $0.name == name }) else { return Formula(false) }
        return property.formula.conjuncts(in: s).reduce(Formula(true)) { dropped.contains($1.name) ? $0 : $0 && $1.formula }
    }

    public func equals(_ s: RaftSymbols, _ state: RaftState) -> Formula<Symbolic> {
        forAll(servers) { i in
            s.term[i] == Term(state.currentTerm[i]) && s.role[i] == Term(state.state[i].rawValue)
                && s.voted[i] == Term(state.votedFor[i]) && s.length[i] == Term(state.log[i].count)
                && s.commit[i] == Term(state.commitIndex[i])
                && forAll(0..<slots) { k in
                    s.entryTerm[i][k] == Term(k < state.log[i].count ? state.log[i][k].term : 0)
                        && s.entryValue[i][k] == Term(k < state.log[i].count ? state.log[i][k].value : -1)
                }
                && forAll(servers) { j in
                    s.responded[i][j] <=> Formula(state.votesResponded[i] & (1 << j) != 0)
                        && s.granted[i][j] <=> Formula(state.votesGranted[i] & (1 << j) != 0)
                        && s.next[i][j] == Term(state.nextIndex[i][j]) && s.match[i][j] == Term(state.matchIndex[i][j])
                }
        } && forAll(universe) { m in
            forAll(1..<(system.maxMessages + 1)) { k in s.atLeast(k, m) <=> Formula(state.messages.count(of: m) >= k) }
        } && Formula(state.messages.items.allSatisfy { universeSet.contains($0.message) && $0.count <= system.maxMessages })
    }

    public func state(of s: RaftSymbols, in model: Z3Model) throws -> RaftState {
        let context = s.context
        func int(_ x: Term<Symbolic>) throws -> Int { try model.int(Symbolic.term(x.value, in: context)) }
        func bool(_ x: Formula<Symbolic>) throws -> Bool { try model.bool(x.term(in: context)) }
        var state = RaftState(servers: system.servers)
        for i in servers {
            state.currentTerm[i] = try int(s.term[i])
            guard let role = Role(rawValue: try int(s.role[i])) else { throw Z3Error("a role out of range in the model") }
            state.state[i] = role
            state.votedFor[i] = try int(s.voted[i])
            var log = RaftLog()
            for k in 0..<(try int(s.length[i])) { log.append(Entry(term: try int(s.entryTerm[i][k]), value: try int(s.entryValue[i][k]))) }
            state.log[i] = log
            state.commitIndex[i] = try int(s.commit[i])
            var responded = 0, granted = 0
            var next = state.nextIndex[i], match = state.matchIndex[i]
            for j in servers {
                if try bool(s.responded[i][j]) { responded |= 1 << j }
                if try bool(s.granted[i][j]) { granted |= 1 << j }
                next[j] = try int(s.next[i][j])
                match[j] = try int(s.match[i][j])
            }
            state.votesResponded[i] = responded
            state.votesGranted[i] = granted
            state.nextIndex[i] = next
            state.matchIndex[i] = match
        }
        for m in universe {
            for digit in s.digits[m]! where try bool(digit) { state.messages.add(m) }
        }
        return state
    }

    /// Fewest messages in flight, then fewest servers away from their initial state, then the
    /// smallest highest term.
    public func measures(of s: RaftSymbols) -> [Measure] {
        let context = s.context
        let digits = universe.flatMap { s.digits[$0]! }.map { $0.term(in: context) }
        let busy = servers.map { i in
            (s.term[i] != 1 || !s.isFollower(i) || s.voted[i] != -1 || s.length[i] != 0 || s.commit[i] != 0
                || exists(servers) { j in s.responded[i][j] || s.granted[i][j] || s.next[i][j] != 1 || s.match[i][j] != 0 })
                .term(in: context)
        }
        return [
            Measure("messages", bounds: 0...system.maxMessages) { Formula(context.atMost(digits, $0)) },
            Measure("servers away from their initial state", bounds: 0...system.servers) { Formula(context.atMost(busy, $0)) },
            Measure("highest term", bounds: 1...system.maxTerm) { n in forAll(servers) { s.term[$0] <= Term(n) } },
        ]
    }
}
