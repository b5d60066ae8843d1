import QuorumCore

/// A state of ``RaftDescription`` seen through ``RaftView``, in any ``Logic``: what its actions
/// and the ``RaftFormula``s read.
public struct RaftSlotsView<L: Logic>: RaftView {
    public let s: StateTerms<L, RaftVariables>
    public init(_ s: StateTerms<L, RaftVariables>) { self.s = s }

    public var servers: Range<Int> { 0..<s.processes.count }
    public var logIndices: ClosedRange<Int> { 1...max(1, s.processes.capacity) }
    public var terms: ClosedRange<Int> { 1...s.processes.size("maxTerm") }

    public func currentTerm(_ i: Int) -> Term<L> { s[\.currentTerm][i].term }
    public func isLeader(_ i: Int) -> Formula<L> { s[\.state][i] == Role.leader }
    public func isCandidate(_ i: Int) -> Formula<L> { s[\.state][i] == Role.candidate }
    func isFollower(_ i: Int) -> Formula<L> { s[\.state][i] == Role.follower }
    public func votedFor(_ i: Int) -> Term<L> { s[\.votedFor][i].term }
    public func logLength(_ i: Int) -> Term<L> { s[\.log][i].count() }
    public func logTerm(_ i: Int, _ k: Int) -> Term<L> {
        k <= s.processes.capacity ? ite(Term(k) <= logLength(i), entrySlot(i, k - 1, 0), Term(0)) : Term(0)
    }
    public func logValue(_ i: Int, _ k: Int) -> Term<L> {
        k <= s.processes.capacity ? ite(Term(k) <= logLength(i), entrySlot(i, k - 1, 1), Term(-1)) : Term(-1)
    }
    public func commitIndex(_ i: Int) -> Term<L> { s[\.commitIndex][i].term }
    public func votesGranted(_ i: Int, _ j: Int) -> Formula<L> { s[\.votesGranted][i].contains(ProcessID(j)) }
    func nextIndex(_ i: Int, _ j: Int) -> Term<L> { s[\.nextIndex][i][j].term }
    func matchIndex(_ i: Int, _ j: Int) -> Term<L> { s[\.matchIndex][i][j].term }

    public func voteGrantInFlight(from j: Int, to i: Int, term t: Int) -> Formula<L> {
        var fields: [Int] = []
        RaftMessage.requestVoteResponse(term: t, voteGranted: true, source: j, dest: i).slots(s.processes, into: &fields)
        return s.places(\.messages).count(of: fields.map { Term($0) }) > Term(0)
    }

    /// Place by place rather than grant by grant: the same formula (a grant at some place implies
    /// `body`), but the bag's places are read once, and concretely only the places that hold a
    /// granted vote are looked at, so that a cluster's bounds (200 terms, 100 messages) stay cheap.
    public func forAllVoteGrantsInFlight(_ body: (Int, Int, Int) -> Formula<L>) -> Formula<L> {
        let bag = s.places(\.messages)
        var out = Formula<L>(true)
        for p in bag.places {
            let m = bag.elements[p]
            func field(_ f: RaftMessage.Field) -> Term<L> { m[f.rawValue] }
            let grant = bag.counts[p] > Term(0) && field(.kind) == Term(RaftMessage.Kind.requestVoteResponse.rawValue)
                && field(.flag) == Term(1)
            if L.isFalse(grant.value) { continue }
            for j in servers where !L.isFalse((field(.source) == Term(j)).value) {
                for i in servers where !L.isFalse((field(.dest) == Term(i)).value) {
                    for t in terms where !L.isFalse((field(.term) == Term(t)).value) {
                        out = out && (grant && field(.source) == Term(j) && field(.dest) == Term(i) && field(.term) == Term(t) ==> body(j, i, t))
                    }
                }
            }
        }
        return out
    }

    /// Slot `k` of entry `place` (0-based) of i's log.
    func entrySlot(_ i: Int, _ place: Int, _ k: Int) -> Term<L> {
        let entry: Slots<L, Entry> = s[\.log][i][place]
        return Term(value: entry.terms[entry.terms.startIndex + k])
    }

    /// `LastTerm(log[i])`.
    func lastTerm(_ i: Int) -> Term<L> { entry(i, at: logLength(i)).term }

    /// Entry `index` (1-based, a term) of i's log: its term and value, or (0, -1) at 0 or past the places.
    func entry(_ i: Int, at index: Term<L>) -> (term: Term<L>, value: Term<L>) {
        // An index known to be a place's (a concrete one) reads that place alone; one known to
        // be none is (0, -1).
        var known = true
        for k in 0..<s.processes.capacity {
            let here = index == Term(k + 1)
            if L.isTrue(here.value) { return (entrySlot(i, k, 0), entrySlot(i, k, 1)) }
            if !L.isFalse(here.value) {
                known = false
                break
            }
        }
        if known { return (Term(0), Term(-1)) }
        return (0..<s.processes.capacity).reduce((Term<L>(0), Term<L>(-1))) { rest, k in
            (ite(index == Term(k + 1), entrySlot(i, k, 0), rest.0), ite(index == Term(k + 1), entrySlot(i, k, 1), rest.1))
        }
    }
}
