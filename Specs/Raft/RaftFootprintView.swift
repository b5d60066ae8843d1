import QuorumCore

/// Raft's variables as a property may read them, in ``Footprint``: each accessor answers the
/// variable it reads, and the quantifier domains that depend on the state (`logIndices`, `terms`)
/// note theirs in `domains`. A formula evaluated over this view, joined with `domains`, is every
/// variable it can read on any state: its ``Invariant/footprint``.
struct RaftFootprintView: RaftView {
    typealias L = Footprint

    /// The variables read by quantifier domains; a class, since views are read through `let`s.
    final class Domains {
        var reads: VariableSet = 0
    }

    let servers: Range<Int>
    let domains = Domains()

    init(servers n: Int) { servers = 0..<n }

    /// The footprint of `F`: the union over every number of servers, so that no branch that
    /// depends on it is missed.
    static func footprint<F: RaftFormula>(of formula: F.Type) -> VariableSet {
        footprint { F.holds(in: $0) }
    }

    /// The same for a formula built from a view (a conjunct).
    static func footprint(_ formula: (RaftFootprintView) -> Formula<Footprint>) -> VariableSet {
        (1...5).reduce(0) { union, n in
            let view = RaftFootprintView(servers: n)
            return union | formula(view).value | view.domains.reads
        }
    }

    private func term(_ v: RaftVariable) -> Term<Footprint> { Term(value: v.bit) }
    private func formula(_ v: RaftVariable) -> Formula<Footprint> { Formula(value: v.bit) }

    /// Several positions, so that a body's comparisons between positions are all taken.
    var logIndices: ClosedRange<Int> {
        domains.reads |= RaftVariable.log.bit
        return 1...3
    }

    var terms: ClosedRange<Int> {
        domains.reads |= RaftVariable.currentTerm.bit
        return 1...3
    }

    func currentTerm(_ i: Int) -> Term<Footprint> { term(.currentTerm) }
    func isLeader(_ i: Int) -> Formula<Footprint> { formula(.state) }
    func isCandidate(_ i: Int) -> Formula<Footprint> { formula(.state) }
    func votedFor(_ i: Int) -> Term<Footprint> { term(.votedFor) }
    func logLength(_ i: Int) -> Term<Footprint> { term(.log) }
    func logTerm(_ i: Int, _ k: Int) -> Term<Footprint> { term(.log) }
    func logValue(_ i: Int, _ k: Int) -> Term<Footprint> { term(.log) }
    func commitIndex(_ i: Int) -> Term<Footprint> { term(.commitIndex) }
    func votesGranted(_ i: Int, _ j: Int) -> Formula<Footprint> { formula(.votesGranted) }
    func voteGrantInFlight(from: Int, to: Int, term: Int) -> Formula<Footprint> { Formula(value: RaftVariable.voteGrants) }
}
