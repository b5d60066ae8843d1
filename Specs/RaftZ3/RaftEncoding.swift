import QuorumCore
import QuorumZ3
import Raft

/// One message as solver terms, its fields packed as ``RaftMessage`` packs them: `a`, `b`, `c` and
/// `flag` hold different fields for different kinds, and fields a kind does not use are 0 (false),
/// as are all fields of an empty place in the bag.
public struct MessageTerms {
    var present: Formula<Symbolic>
    var kind, source, dest, term, a, b, c: Term<Symbolic>
    var flag: Formula<Symbolic>
    var hasEntry: Formula<Symbolic>
    var entryTerm, entryValue: Term<Symbolic>

    /// A message as constants.
    init(_ m: RaftMessage) {
        present = Formula(true)
        kind = Term(m.kind.rawValue); source = Term(m.source); dest = Term(m.dest); term = Term(m.term)
        a = Term(m.a); b = Term(m.b); c = Term(m.c); flag = Formula(m.flag)
        hasEntry = Formula(m.entry != nil)
        entryTerm = Term(m.entry?.term ?? 0); entryValue = Term(m.entry?.value ?? 0)
    }

    /// An empty place.
    static var empty: MessageTerms {
        MessageTerms(present: Formula(false), kind: 0, source: 0, dest: 0, term: 0, a: 0, b: 0, c: 0,
                     flag: Formula(false), hasEntry: Formula(false), entryTerm: 0, entryValue: 0)
    }

    init(present: Formula<Symbolic>, kind: Term<Symbolic>, source: Term<Symbolic>, dest: Term<Symbolic>, term: Term<Symbolic>,
         a: Term<Symbolic>, b: Term<Symbolic>, c: Term<Symbolic>, flag: Formula<Symbolic>, hasEntry: Formula<Symbolic>,
         entryTerm: Term<Symbolic>, entryValue: Term<Symbolic>) {
        self.present = present
        self.kind = kind; self.source = source; self.dest = dest; self.term = term
        self.a = a; self.b = b; self.c = c; self.flag = flag
        self.hasEntry = hasEntry; self.entryTerm = entryTerm; self.entryValue = entryValue
    }

    /// Fresh constants named after `name`.
    init(declaring name: String, in context: Z3Context) {
        func int(_ field: String) -> Term<Symbolic> { Term(context.intConstant("\(name).\(field)")) }
        func bool(_ field: String) -> Formula<Symbolic> { Formula(context.boolConstant("\(name).\(field)")) }
        self.init(present: bool("present"), kind: int("kind"), source: int("source"), dest: int("dest"), term: int("term"),
                  a: int("a"), b: int("b"), c: int("c"), flag: bool("flag"), hasEntry: bool("hasEntry"),
                  entryTerm: int("entry.term"), entryValue: int("entry.value"))
    }

    /// The same fields (presence aside).
    func sameFields(_ other: MessageTerms) -> Formula<Symbolic> {
        kind == other.kind && source == other.source && dest == other.dest && term == other.term
            && a == other.a && b == other.b && c == other.c && (flag <=> other.flag)
            && (hasEntry <=> other.hasEntry) && entryTerm == other.entryTerm && entryValue == other.entryValue
    }

    /// Present, and the message `m`.
    func holds(_ m: RaftMessage) -> Formula<Symbolic> { present && sameFields(MessageTerms(m)) }

    /// Present, of this kind, from `source` to `dest`.
    func isOn(_ kind: RaftMessage.Kind, from source: Int, to dest: Int) -> Formula<Symbolic> {
        present && self.kind == Term(kind.rawValue) && self.source == Term(source) && self.dest == Term(dest)
    }

    /// `then` where `condition` holds and `otherwise` elsewhere: an `ite` over Booleans.
    static func choose(_ condition: Formula<Symbolic>, _ then: Formula<Symbolic>, _ otherwise: Formula<Symbolic>) -> Formula<Symbolic> {
        (condition && then) || (!condition && otherwise)
    }

    /// Field by field, `then` where `condition` holds and `otherwise` elsewhere.
    static func choose(_ condition: Formula<Symbolic>, _ then: MessageTerms, _ otherwise: MessageTerms) -> MessageTerms {
        MessageTerms(present: choose(condition, then.present, otherwise.present), kind: ite(condition, then.kind, otherwise.kind),
                     source: ite(condition, then.source, otherwise.source), dest: ite(condition, then.dest, otherwise.dest),
                     term: ite(condition, then.term, otherwise.term), a: ite(condition, then.a, otherwise.a),
                     b: ite(condition, then.b, otherwise.b), c: ite(condition, then.c, otherwise.c),
                     flag: choose(condition, then.flag, otherwise.flag), hasEntry: choose(condition, then.hasEntry, otherwise.hasEntry),
                     entryTerm: ite(condition, then.entryTerm, otherwise.entryTerm),
                     entryValue: ite(condition, then.entryValue, otherwise.entryValue))
    }
}

/// A Raft state as solver terms: one integer or Boolean per variable of raft.tla (logs as a length
/// and a fixed number of entry slots, unused slots pinned to term 0 and value -1; the message bag
/// as maxMessages places, each empty or holding one copy of a message). Invariants read it through
/// ``RaftView`` exactly as they read a concrete state.
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
    /// The bag: as many places as copies may be in flight. A copy may sit in any place, so one bag
    /// has several arrangements; ``RaftEncoding/equals(_:_:)`` compares bags, not arrangements.
    /// Places instead of one count per possible message keep a state a few dozen terms at any
    /// bounds, where the possible messages run to thousands.
    let bag: [MessageTerms]
    /// The step into this state: the message it adds (all fields 0 when it adds none), the place
    /// the copy goes to, and the place a copy is taken from (at most one each; see
    /// ``RaftEncoding/stepConstraint(from:to:)``).
    let sent: MessageTerms
    let sendsTo: [Formula<Symbolic>]
    let takesFrom: [Formula<Symbolic>]

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
        exists(bag) { $0.isOn(.requestVoteResponse, from: j, to: i) && $0.term == Term(t) && $0.flag }
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
/// values from the current ones, and the disjunct equates them with the next state. `Receive` is
/// one disjunct per place in the bag, kind and route of the message there, and branch of its
/// handler, with the message's fields left symbolic. The bag changes through step variables, the
/// message a step adds and the places it adds it to and takes a copy from, constrained once per
/// step instead of once per disjunct.
public struct RaftEncoding: SymbolicEncoding {
    public let system: Raft

    public init(_ raft: Raft) {
        system = raft
    }

    var servers: Range<Int> { 0..<system.servers }

    /// Terms reach maxTerm + 1 (a timeout in the last term, ruled out by the bound), indices
    /// maxLogLength + 1, process numbers `servers` (the network's); nothing else is larger.
    public var integerBound: Int? { max(system.maxTerm, system.maxLogLength, system.servers, system.values) + 2 }

    /// Servers are interchangeable, as the explorer's symmetry reduction assumes (``Raft/hasSymmetry``).
    public var interchangeableProcesses: Bool { true }

    var slots: Int { system.maxLogLength }
    var places: Range<Int> { 0..<system.maxMessages }

    /// Whether the bounds allow message `m` (every message of a state within the bounds fits):
    /// ``wellFormed(_:)`` on the message's constants, which folds to true or false.
    func fits(_ m: RaftMessage) -> Bool { Symbolic.isTrue(wellFormed(MessageTerms(m)).value) }

    public func declare(in context: Z3Context, prefix: String) -> RaftSymbols {
        func int(_ name: String) -> Term<Symbolic> { Term(context.intConstant("\(prefix).\(name)")) }
        func bool(_ name: String) -> Formula<Symbolic> { Formula(context.boolConstant("\(prefix).\(name)")) }
        let name = Raft.serverName
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
            bag: places.map { MessageTerms(declaring: "\(prefix).messages#\($0 + 1)", in: context) },
            sent: { var m = MessageTerms(declaring: "\(prefix).sent", in: context); m.present = Formula(true); return m }(),
            sendsTo: places.map { bool("sendsTo#\($0 + 1)") },
            takesFrom: places.map { bool("takesFrom#\($0 + 1)") })
    }

    public func constant(_ state: RaftState, in context: Z3Context) -> RaftSymbols? {
        let copies = state.messages.items.flatMap { Array(repeating: $0.message, count: $0.count) }
        guard copies.count <= system.maxMessages, copies.allSatisfy(fits) else { return nil }
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
            bag: places.map { $0 < copies.count ? MessageTerms(copies[$0]) : .empty },
            sent: .empty, sendsTo: places.map { _ in no }, takesFrom: places.map { _ in no })
    }

    /// The types of the variables and the bounds (TLC's state constraint) in one: terms 1...maxTerm,
    /// logs of at most maxLogLength entries, messages whose fields are within the same bounds, at
    /// most maxMessages copies in flight (by the number of places).
    public func domain(_ s: RaftSymbols) -> Formula<Symbolic> {
        let n = system.servers, top = system.maxTerm
        let perServer = forAll(servers) { i -> Formula<Symbolic> in
            let scalars = within(s.term[i], 1, top) && within(s.role[i], 0, 2) && within(s.voted[i], -1, n - 1)
                && within(s.length[i], 0, slots) && within(s.commit[i], 0, slots)
            let log = forAll(0..<slots) { k -> Formula<Symbolic> in
                let used = s.length[i] > Term(k)
                let entry = within(s.entryTerm[i][k], 1, top) && within(s.entryValue[i][k], 0, system.values - 1)
                let blank = s.entryTerm[i][k] == 0 && s.entryValue[i][k] == -1
                let box = within(s.entryTerm[i][k], 0, top) && within(s.entryValue[i][k], -1, system.values - 1)
                return box && (used ==> entry) && (used || blank)
            }
            let rows = forAll(servers) { j in within(s.next[i][j], 1, slots + 1) && within(s.match[i][j], 0, slots) }
            return scalars && log && rows
        }
        return perServer && forAll(s.bag) { m in box(m) && (m.present ==> wellFormed(m)) && (m.present || isBlank(m)) }
    }

    /// Bounds on each field whatever the kind, which ``wellFormed(_:)`` and ``isBlank(_:)``
    /// narrow: stated apart, they are plain bounds on variables, which lets Z3 turn the integers
    /// into bits.
    private func box(_ m: MessageTerms) -> Formula<Symbolic> {
        let top = system.maxTerm, n = system.servers
        return within(m.kind, 0, 3) && within(m.source, 0, n - 1) && within(m.dest, 0, n - 1) && within(m.term, 0, top)
            && within(m.a, 0, max(top, slots)) && within(m.b, 0, max(top, slots)) && within(m.c, 0, slots)
            && within(m.entryTerm, 0, top) && within(m.entryValue, 0, system.values - 1)
    }

    private func within(_ x: Term<Symbolic>, _ low: Int, _ high: Int) -> Formula<Symbolic> { x >= Term(low) && x <= Term(high) }

    /// Every field 0 or false.
    private func isBlank(_ m: MessageTerms) -> Formula<Symbolic> { MessageTerms.empty.sameFields(m) }

    /// A message the bounds allow, with the fields its kind does not use at 0.
    private func wellFormed(_ m: MessageTerms) -> Formula<Symbolic> {
        let top = system.maxTerm, n = system.servers
        let route = within(m.source, 0, n - 1) && within(m.dest, 0, n - 1) && within(m.term, 1, top)
        let noEntry = !m.hasEntry && m.entryTerm == 0 && m.entryValue == 0
        let kinds: [(RaftMessage.Kind, Formula<Symbolic>)] = [
            (.requestVoteRequest, within(m.a, 0, top) && within(m.b, 0, slots) && m.c == 0 && !m.flag && noEntry),
            (.requestVoteResponse, m.a == 0 && m.b == 0 && m.c == 0 && noEntry),
            (.appendEntriesRequest, within(m.a, 0, slots) && within(m.b, 0, top) && within(m.c, 0, slots) && !m.flag
                && (noEntry || (Formula(slots > 0) && m.hasEntry && within(m.entryTerm, 1, top) && within(m.entryValue, 0, system.values - 1)))),
            (.appendEntriesResponse, within(m.a, 0, slots) && m.b == 0 && m.c == 0 && noEntry),
        ]
        return route && exists(kinds) { kind, fields in m.kind == Term(kind.rawValue) && fields }
    }

    public func initial(_ s: RaftSymbols) -> Formula<Symbolic> {
        forAll(servers) { i in
            s.term[i] == 1 && s.isFollower(i) && s.voted[i] == -1 && s.length[i] == 0 && s.commit[i] == 0
                && forAll(servers) { j in !s.responded[i][j] && !s.granted[i][j] && s.next[i][j] == 1 && s.match[i][j] == 0 }
        } && forAll(s.bag) { !$0.present }
    }

    /// `messages' = messages (+) sent (-) taken`: a copy is taken from at most one place, and the
    /// sent message goes to at most one place, empty before the step or emptied by it. Places the
    /// step leaves alone keep their message. A step that sends nothing has a blank `sent`.
    public func stepConstraint(from s: RaftSymbols, to t: RaftSymbols) -> Formula<Symbolic> {
        let perPlace = forAll(places) { k -> Formula<Symbolic> in
            let send = t.sendsTo[k], take = t.takesFrom[k]
            let after = MessageTerms.choose(send, t.sent, MessageTerms.choose(take, .empty, s.bag[k]))
            return (take ==> s.bag[k].present) && (send ==> (!s.bag[k].present || take))
                && (t.bag[k].present <=> (send || (s.bag[k].present && !take))) && t.bag[k].sameFields(after)
        }
        return perPlace && box(t.sent) && atMostOne(t.sendsTo) && atMostOne(t.takesFrom) && (exists(t.sendsTo) { $0 } || isBlank(t.sent))
    }

    private func atMostOne(_ flags: [Formula<Symbolic>]) -> Formula<Symbolic> {
        forAll(flags.indices) { k in forAll(flags.indices.dropFirst(k + 1)) { l in !(flags[k] && flags[l]) } }
    }

    // MARK: Next

    public func transitions(from s: RaftSymbols, to t: RaftSymbols) -> [(action: String, relation: Formula<Symbolic>)] {
        attributedTransitions(from: s, to: t).map { ($0.action, $0.relation) }
    }

    /// Each disjunct is taken by the server whose variables it reads and writes (`i` below: a
    /// handler touches only its receiver's); those that touch no message are local. Losing or
    /// duplicating a message is the network's.
    public func attributedTransitions(from s: RaftSymbols, to t: RaftSymbols) -> [(action: String, relation: Formula<Symbolic>, actor: Actor?)] {
        var out: [(String, Formula<Symbolic>, Actor?)] = []
        /// A disjunct of server `i` (the network's, if nil): the guard, the next state as `update`
        /// computes it, and the bag's change.
        func step(_ name: String, _ i: Int?, _ guardFormula: Formula<Symbolic>, sends: MessageTerms? = nil,
                  takingFrom place: Int? = nil, readsMessages: Bool = false, _ update: (inout RaftSymbols) -> Void = { _ in }) {
            if Symbolic.isFalse(guardFormula.value) { return }
            var u = s
            update(&u)
            let sending = sends.map { m in exists(t.sendsTo) { $0 } && t.sent.sameFields(m) } ?? forAll(t.sendsTo) { !$0 }
            let taking = place.map { t.takesFrom[$0] } ?? forAll(t.takesFrom) { !$0 }
            let local = sends == nil && place == nil && !readsMessages
            out.append((name, guardFormula && sameVariables(t, u) && sending && taking,
                        Actor(process: i, isLocal: i != nil && local)))
        }
        let n = system.servers
        for i in servers {
            step("Restart", i, Formula(true)) { u in
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
            step("Timeout", i, !s.isLeader(i)) { u in
                u.role[i] = Term(Role.candidate.rawValue)
                u.term[i] = s.term[i] + 1
                u.voted[i] = Term(-1)
                u.responded[i] = servers.map { _ in Formula(false) }
                u.granted[i] = servers.map { _ in Formula(false) }
            }
        }
        for i in servers {
            for j in servers {
                let request = message(.requestVoteRequest, from: i, to: j, term: s.term[i], a: s.lastTerm(i), b: s.length[i])
                step("RequestVote", i, s.isCandidate(i) && !s.responded[i][j], sends: request)
            }
        }
        let quorums = subsets(of: Array(servers), size: n / 2 + 1)
        for i in servers {
            step("BecomeLeader", i, s.isCandidate(i) && exists(quorums) { q in forAll(q) { j in s.granted[i][j] } }) { u in
                u.role[i] = Term(Role.leader.rawValue)
                u.next[i] = servers.map { _ in s.length[i] + 1 }
                u.match[i] = servers.map { _ in Term(0) }
            }
        }
        for i in servers {
            for v in 0..<system.values {
                step("ClientRequest", i, s.isLeader(i)) { u in
                    u.length[i] = s.length[i] + 1
                    for k in 0..<slots {
                        u.entryTerm[i][k] = ite(s.length[i] == Term(k), s.term[i], s.entryTerm[i][k])
                        u.entryValue[i][k] = ite(s.length[i] == Term(k), Term(v), s.entryValue[i][k])
                    }
                }
            }
        }
        for i in servers {
            step("AdvanceCommitIndex", i, s.isLeader(i)) { u in u.commit[i] = newCommitIndex(i, s, quorums) }
        }
        for i in servers {
            for j in servers where j != i {
                let next = s.next[i][j], prev = s.next[i][j] - 1
                let prevTerm = ite(prev > 0 && prev <= s.length[i], s.entry(i, at: prev).term, Term(0))
                let hasEntry = next <= s.length[i]
                let sent = s.entry(i, at: next)
                let lastEntry = ite(s.length[i] < next, s.length[i], next)
                let commitField = ite(s.commit[i] < lastEntry, s.commit[i], lastEntry)
                var request = message(.appendEntriesRequest, from: i, to: j, term: s.term[i], a: prev, b: prevTerm, c: commitField)
                if slots > 0 {
                    request.hasEntry = hasEntry
                    request.entryTerm = ite(hasEntry, sent.term, Term(0))
                    request.entryValue = ite(hasEntry, sent.value, Term(0))
                }
                step("AppendEntries", i, s.isLeader(i), sends: request)
            }
        }
        for k in places {
            for kind in [RaftMessage.Kind.requestVoteRequest, .requestVoteResponse, .appendEntriesRequest, .appendEntriesResponse] {
                for j in servers {
                    for i in servers {
                        receive(s.bag[k], kind, from: j, to: i, s) { name, condition, reply, taken, update in
                            step(name, i, condition, sends: reply, takingFrom: taken ? k : nil, readsMessages: true, update)
                        }
                    }
                }
            }
        }
        for k in places { step("DuplicateMessage", nil, s.bag[k].present, sends: s.bag[k]) }
        for k in places { step("DropMessage", nil, s.bag[k].present, takingFrom: k) }
        return out
    }

    /// A message with the given fields, the rest 0.
    func message(_ kind: RaftMessage.Kind, from i: Int, to j: Int, term: Term<Symbolic>, a: Term<Symbolic> = 0,
                 b: Term<Symbolic> = 0, c: Term<Symbolic> = 0, flag: Formula<Symbolic> = Formula(false)) -> MessageTerms {
        MessageTerms(present: Formula(true), kind: Term(kind.rawValue), source: Term(i), dest: Term(j), term: term, a: a, b: b, c: c,
                     flag: flag, hasEntry: Formula(false), entryTerm: 0, entryValue: 0)
    }

    /// A disjunct as `receive` adds it: name, guard, reply sent, whether the message is taken
    /// from the bag, update.
    typealias Step = (String, Formula<Symbolic>, MessageTerms?, Bool, (inout RaftSymbols) -> Void) -> Void

    /// `Receive(m)` for the message `m` in a place of the bag, when it is of `kind` and goes from
    /// `j` to `i`: one disjunct per branch of the handler, each with the branch's condition.
    func receive(_ m: MessageTerms, _ kind: RaftMessage.Kind, from j: Int, to i: Int, _ s: RaftSymbols, _ step: Step) {
        let present = m.isOn(kind, from: j, to: i)
        if Symbolic.isFalse(present.value) { return }
        let mterm = m.term
        // UpdateTerm: the message stays, to be handled in the new term.
        step("Receive", present && mterm > s.term[i], nil, false) { u in
            u.term[i] = mterm
            u.role[i] = Term(Role.follower.rawValue)
            u.voted[i] = Term(-1)
        }
        let current = present && mterm <= s.term[i]
        switch kind {
        case .requestVoteRequest:
            let lastLogTerm = m.a, lastLogIndex = m.b
            let logOk = lastLogTerm > s.lastTerm(i) || (lastLogTerm == s.lastTerm(i) && lastLogIndex >= s.length[i])
            let grant = mterm == s.term[i] && (logOk || Formula(system.mutation == .voteWithoutLogCheck))
                && (s.voted[i] == -1 || s.voted[i] == Term(j))
            for granted in [true, false] {
                let reply = message(.requestVoteResponse, from: i, to: j, term: s.term[i], flag: Formula(granted))
                step("Receive", current && (granted ? grant : !grant), reply, true) { u in
                    if granted { u.voted[i] = Term(j) }
                }
            }
        case .requestVoteResponse:
            step("Receive", current && mterm < s.term[i], nil, true) { _ in }  // DropStaleResponse
            step("Receive", current && mterm == s.term[i], nil, true) { u in
                u.responded[i][j] = Formula(true)
                u.granted[i][j] = s.granted[i][j] || m.flag
            }
        case .appendEntriesRequest:
            let prev = m.a, prevTerm = m.b
            let logOk = prev == 0 || (prev <= s.length[i] && s.entry(i, at: prev).term == prevTerm)
            let reject = mterm < s.term[i] || (s.isFollower(i) && !logOk)
            step("Receive", current && reject, message(.appendEntriesResponse, from: i, to: j, term: s.term[i]), true) { _ in }
            // A candidate of the message's term returns to follower; the message stays.
            step("Receive", current && mterm == s.term[i] && s.isCandidate(i), nil, false) { u in
                u.role[i] = Term(Role.follower.rawValue)
            }
            let accept = current && mterm == s.term[i] && s.isFollower(i) && logOk
            let index = prev + 1
            let conflicts = m.hasEntry && index <= s.length[i] && s.entry(i, at: index).term != m.entryTerm
            let done = !m.hasEntry || (index <= s.length[i] && !conflicts)
                || (conflicts && Formula(system.mutation == .keepConflictingEntries))
            let success = message(.appendEntriesResponse, from: i, to: j, term: s.term[i],
                                  a: ite(m.hasEntry, index, prev), flag: Formula(true))
            step("Receive", accept && done, success, true) { u in u.commit[i] = m.c }
            step("Receive", accept && !done && conflicts, nil, false) { u in
                // Remove the last entry.
                u.length[i] = s.length[i] - 1
                for k in 0..<slots {
                    u.entryTerm[i][k] = ite(s.length[i] == Term(k + 1), Term(0), s.entryTerm[i][k])
                    u.entryValue[i][k] = ite(s.length[i] == Term(k + 1), Term(-1), s.entryValue[i][k])
                }
            }
            step("Receive", accept && !done && !conflicts && s.length[i] == prev && prev < Term(slots), nil, false) { u in
                u.length[i] = index
                for k in 0..<slots {
                    u.entryTerm[i][k] = ite(prev == Term(k), m.entryTerm, s.entryTerm[i][k])
                    u.entryValue[i][k] = ite(prev == Term(k), m.entryValue, s.entryValue[i][k])
                }
            }
        case .appendEntriesResponse:
            step("Receive", current && mterm < s.term[i], nil, true) { _ in }  // DropStaleResponse
            step("Receive", current && mterm == s.term[i], nil, true) { u in
                let matchIndex = m.a
                u.next[i][j] = ite(m.flag, matchIndex + 1, ite(s.next[i][j] > 1, s.next[i][j] - 1, Term(1)))
                u.match[i][j] = ite(m.flag, matchIndex, s.match[i][j])
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

    public func stepProperty(_ name: String, from s: RaftSymbols, to t: RaftSymbols) -> Formula<Symbolic>? {
        RaftProperties.steps.first { $0.name == name }.map { $0.formula.holds(from: s, to: t) }
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
        } && sameBag(s.bag, state.messages)
    }

    /// The places hold exactly the copies of `bag`, in any arrangement.
    func sameBag(_ places: [MessageTerms], _ bag: MessageBag) -> Formula<Symbolic> {
        guard bag.total <= places.count else { return Formula(false) }
        return exactly(places.map(\.present), bag.total)
            && forAll(bag.items) { item in Formula(fits(item.message)) && exactly(places.map { $0.holds(item.message) }, item.count) }
    }

    /// Exactly `n` of `flags` hold.
    private func exactly(_ flags: [Formula<Symbolic>], _ n: Int) -> Formula<Symbolic> {
        let known = flags.filter { Symbolic.isTrue($0.value) }.count
        let open = flags.compactMap { if case .term(let x) = $0.value { x } else { nil } }
        let wanted = n - known
        guard wanted >= 0, wanted <= open.count else { return Formula(false) }
        guard let first = open.first else { return Formula(true) }
        let context = first.context
        return Formula(context.atMost(open, wanted)) && (wanted == 0 ? Formula(true) : !Formula(context.atMost(open, wanted - 1)))
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
        for place in s.bag where try bool(place.present) {
            state.messages.add(try message(in: place, model: model, context: context))
        }
        return state
    }

    /// The message a place holds in `model`.
    private func message(in place: MessageTerms, model: Z3Model, context: Z3Context) throws -> RaftMessage {
        func int(_ x: Term<Symbolic>) throws -> Int { try model.int(Symbolic.term(x.value, in: context)) }
        func bool(_ x: Formula<Symbolic>) throws -> Bool { try model.bool(x.term(in: context)) }
        let fields = try [place.term, place.source, place.dest, place.a, place.b, place.c, place.entryTerm, place.entryValue].map(int)
        let entry = try bool(place.hasEntry) ? Entry(term: fields[6], value: fields[7]) : nil
        guard let kind = RaftMessage.Kind(rawValue: try int(place.kind)),
              RaftMessage.fits(term: fields[0], source: fields[1], dest: fields[2], a: fields[3], b: fields[4], c: fields[5], entry: entry)
        else {
            throw Z3Error("a message out of range in the model")
        }
        let m = RaftMessage(kind: kind, term: fields[0], source: fields[1], dest: fields[2], a: fields[3], b: fields[4], c: fields[5],
                            flag: try bool(place.flag), entry: entry)
        guard fits(m) else { throw Z3Error("a message out of the bounds in the model: \(m)") }
        return m
    }

    /// Fewest messages in flight, then fewest servers away from their initial state, then the
    /// smallest highest term.
    public func measures(of s: RaftSymbols) -> [Measure] {
        let context = s.context
        let present = s.bag.map { $0.present.term(in: context) }
        let busy = servers.map { i in
            (s.term[i] != 1 || !s.isFollower(i) || s.voted[i] != -1 || s.length[i] != 0 || s.commit[i] != 0
                || exists(servers) { j in s.responded[i][j] || s.granted[i][j] || s.next[i][j] != 1 || s.match[i][j] != 0 })
                .term(in: context)
        }
        return [
            Measure("messages", bounds: 0...system.maxMessages) { Formula(context.atMost(present, $0)) },
            Measure("servers away from their initial state", bounds: 0...system.servers) { Formula(context.atMost(busy, $0)) },
            Measure("highest term", bounds: 1...system.maxTerm) { n in forAll(servers) { s.term[$0] <= Term(n) } },
        ]
    }
}
