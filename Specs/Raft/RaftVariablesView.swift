import QuorumCore

/// A state of ``RaftDescription`` (its declared variables) seen through ``RaftView``, concretely:
/// the description's invariants read through it, specialised as the packed view's are, so that
/// checking a cluster's behaviour (logs of hundreds of entries, hundreds of terms) costs what the
/// state holds rather than what its bounds allow. `RaftDescriptionTests` checks that it agrees
/// with the symbolic view evaluated concretely.
public struct RaftVariablesView: RaftView {
    public typealias L = Concrete
    let state: RaftVariables
    public let servers: Range<Int>
    public let logIndices: ClosedRange<Int>
    public let terms: ClosedRange<Int>

    public init(_ state: RaftVariables) {
        self.state = state
        servers = 0..<state.currentTerm.count
        logIndices = 1...max(1, state.log.map(\.count).max() ?? 1)
        terms = 1...max(1, state.currentTerm.map(\.value).max() ?? 1)
    }

    public func currentTerm(_ i: Int) -> Term<Concrete> { Term(state.currentTerm[i].value) }
    public func isLeader(_ i: Int) -> Formula<Concrete> { Formula(state.state[i] == .leader) }
    public func isCandidate(_ i: Int) -> Formula<Concrete> { Formula(state.state[i] == .candidate) }
    public func votedFor(_ i: Int) -> Term<Concrete> { Term(state.votedFor[i].value) }
    public func logLength(_ i: Int) -> Term<Concrete> { Term(state.log[i].count) }
    public func logTerm(_ i: Int, _ k: Int) -> Term<Concrete> { Term(k <= state.log[i].count ? state.log[i].elements[k - 1].term : 0) }
    public func logValue(_ i: Int, _ k: Int) -> Term<Concrete> { Term(k <= state.log[i].count ? state.log[i].elements[k - 1].value : -1) }
    public func commitIndex(_ i: Int) -> Term<Concrete> { Term(state.commitIndex[i].value) }
    public func votesGranted(_ i: Int, _ j: Int) -> Formula<Concrete> { Formula(state.votesGranted[i].contains(ProcessID(j))) }

    public func voteGrantInFlight(from j: Int, to i: Int, term: Int) -> Formula<Concrete> {
        let grant = RaftMessage.requestVoteResponse(term: term, voteGranted: true, source: j, dest: i)
        return Formula(state.messages.elements.contains(grant))
    }

    public func forAllVoteGrantsInFlight(_ body: (Int, Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        for m in state.messages.elements where m.kind == .requestVoteResponse && m.voteGranted {
            if !body(m.source, m.dest, m.term).value { return Formula(false) }
        }
        return Formula(true)
    }
}
