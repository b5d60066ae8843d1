import QuorumCore

/// What Raft's properties may read of a state, in some ``Logic``.
///
/// Log positions are 1-based, as in raft.tla; `logTerm(i, k)` and `logValue(i, k)` are only
/// meaningful for `k <= logLength(i)`, so properties guard them.
public protocol RaftView {
    associatedtype L: Logic
    var servers: Range<Int> { get }
    /// The log positions that any log may have: 1...the longest log.
    var logIndices: ClosedRange<Int> { get }

    func currentTerm(_ i: Int) -> Term<L>
    func isLeader(_ i: Int) -> Formula<L>
    func isCandidate(_ i: Int) -> Formula<L>
    /// -1 for Nil.
    func votedFor(_ i: Int) -> Term<L>
    func logLength(_ i: Int) -> Term<L>
    func logTerm(_ i: Int, _ k: Int) -> Term<L>
    func logValue(_ i: Int, _ k: Int) -> Term<L>
    func commitIndex(_ i: Int) -> Term<L>
    /// `j \in votesGranted[i]`.
    func votesGranted(_ i: Int, _ j: Int) -> Formula<L>
    /// The terms a message may carry (1...maxTerm), over which a symbolic view expands messages.
    var terms: ClosedRange<Int> { get }
    /// A RequestVoteResponse from `from` to `to` granting the vote in `term` is in flight.
    func voteGrantInFlight(from: Int, to: Int, term: Int) -> Formula<L>
    /// `\A m \in DOMAIN messages : m is a granted RequestVoteResponse => body(m.msource, m.mdest, m.mterm)`.
    /// A symbolic view expands it over every possible message; the concrete view visits the bag.
    func forAllVoteGrantsInFlight(_ body: (_ from: Int, _ to: Int, _ term: Int) -> Formula<L>) -> Formula<L>

    /// `InductiveElectionSafety`'s conjuncts `countedVotesWereCast` and `oneVotePerTerm`, each
    /// defined once there (``InductiveElectionSafety/countedVotesWereCastByDefinition(_:)``,
    /// ``InductiveElectionSafety/oneVotePerTermByDefinition(_:)``). The concrete view answers them
    /// by loops over the servers and the bag: through the quantifiers' closures, the two cost
    /// the explorer 4 % of its instructions on Raft. `RaftViewTests` compares both with their
    /// definitions on reachable and on random states.
    func countedVotesWereCast() -> Formula<L>
    func oneVotePerTerm() -> Formula<L>
}

extension RaftView {
    public func countedVotesWereCast() -> Formula<L> { InductiveElectionSafety.countedVotesWereCastByDefinition(self) }
    public func oneVotePerTerm() -> Formula<L> { InductiveElectionSafety.oneVotePerTermByDefinition(self) }

    public func forAllVoteGrantsInFlight(_ body: (Int, Int, Int) -> Formula<L>) -> Formula<L> {
        forAll(servers) { j in
            forAll(servers) { i in forAll(terms) { t in voteGrantInFlight(from: j, to: i, term: t) ==> body(j, i, t) } }
        }
    }
}

/// A concrete state seen through ``RaftView``.
///
/// The view borrows the state through a pointer rather than copying it: properties are evaluated
/// on every state and step the explorer generates, and a copy per evaluation would dominate.
/// Given somewhere to record them, it notes which variables a property reads (bits numbered as
/// ``RaftVariable``), so that the simulator can skip a property after a step that changed none.
public struct RaftConcreteView: RaftView {
    public typealias L = Concrete
    private let pointer: UnsafePointer<RaftState>
    private let reads: UnsafeMutablePointer<VariableSet>?
    public let servers: Range<Int>
    private let longestLog: Int

    var state: RaftState { _read { yield pointer.pointee } }

    /// Evaluates `body` on a view of `state`; the view must not escape `body`.
    @inlinable public static func with<R>(_ state: RaftState, _ body: (RaftConcreteView) -> R) -> R {
        withUnsafePointer(to: state) { body(RaftConcreteView($0, reads: nil)) }
    }

    /// The same, adding to `reads` the variables that `body` reads through the view.
    @inlinable public static func with<R>(_ state: RaftState, reads: inout VariableSet, _ body: (RaftConcreteView) -> R) -> R {
        withUnsafePointer(to: state) { state in withUnsafeMutablePointer(to: &reads) { body(RaftConcreteView(state, reads: $0)) } }
    }

    @usableFromInline init(_ pointer: UnsafePointer<RaftState>, reads: UnsafeMutablePointer<VariableSet>?) {
        self.pointer = pointer
        self.reads = reads
        // Reads through the pointer: a local copy of the state would cost more than the check.
        servers = 0..<pointer.pointee.servers
        // By the rows, not the subscript: a view is made for nearly every evaluation.
        var longest = 1
        pointer.pointee.log.forEach(upTo: servers.upperBound) { longest = Swift.max(longest, $0.count) }
        longestLog = longest
    }

    private func read(_ variable: RaftVariable) { read(variable.bit) }

    private func read(_ bits: VariableSet) {
        if let reads { reads.pointee |= bits }
    }

    public var logIndices: ClosedRange<Int> {
        read(.log)
        return 1...longestLog
    }

    public func currentTerm(_ i: Int) -> Term<Concrete> {
        read(.currentTerm)
        return Term(state.currentTerm[i])
    }

    public func isLeader(_ i: Int) -> Formula<Concrete> {
        read(.state)
        return Formula(state.state[i] == .leader)
    }

    public func isCandidate(_ i: Int) -> Formula<Concrete> {
        read(.state)
        return Formula(state.state[i] == .candidate)
    }

    public func votedFor(_ i: Int) -> Term<Concrete> {
        read(.votedFor)
        return Term(state.votedFor[i])
    }

    public func logLength(_ i: Int) -> Term<Concrete> {
        read(.log)
        return Term(state.log[i].count)
    }

    public func logTerm(_ i: Int, _ k: Int) -> Term<Concrete> {
        read(.log)
        return Term(k <= state.log[i].count ? state.log[i][k - 1].term : 0)
    }

    public func logValue(_ i: Int, _ k: Int) -> Term<Concrete> {
        read(.log)
        return Term(k <= state.log[i].count ? state.log[i][k - 1].value : -1)
    }

    public func commitIndex(_ i: Int) -> Term<Concrete> {
        read(.commitIndex)
        return Term(state.commitIndex[i])
    }

    public func votesGranted(_ i: Int, _ j: Int) -> Formula<Concrete> {
        read(.votesGranted)
        return Formula(state.votesGranted[i] & (1 << j) != 0)
    }

    public var terms: ClosedRange<Int> {
        read(.currentTerm)
        return 1...max(1, servers.map { state.currentTerm[$0] }.max() ?? 1)
    }

    public func voteGrantInFlight(from j: Int, to i: Int, term: Int) -> Formula<Concrete> {
        read(RaftVariable.voteGrants)
        return Formula(state.messages.count(of: .requestVoteResponse(term: term, voteGranted: true, source: j, dest: i)) > 0)
    }

    public func forAllVoteGrantsInFlight(_ body: (Int, Int, Int) -> Formula<Concrete>) -> Formula<Concrete> {
        read(RaftVariable.voteGrants)
        for item in state.messages.items where item.message.kind == .requestVoteResponse && item.message.voteGranted {
            if !body(item.message.source, item.message.dest, item.message.term).value { return Formula(false) }
        }
        return Formula(true)
    }

    /// The servers, candidates and leaders, that count votes (raft.tla's `votesGranted` of one
    /// that is neither is not counted), as bits.
    private var counters: Int {
        var counting = 0
        for i in servers where state.state[i] != .follower { counting |= 1 << i }
        return counting
    }

    /// ``InductiveElectionSafety/countedVotesWereCastByDefinition(_:)``: each vote a counter
    /// holds was cast for it in its term, or its voter has moved past that term.
    public func countedVotesWereCast() -> Formula<Concrete> {
        read(RaftVariable.votesGranted.bit | RaftVariable.state.bit | RaftVariable.currentTerm.bit | RaftVariable.votedFor.bit)
        let everyServer = (1 << servers.upperBound) - 1
        var counting = counters
        while counting != 0 {
            let i = counting.trailingZeroBitCount
            counting &= counting - 1
            let t = state.currentTerm[i]
            var voters = state.votesGranted[i] & everyServer
            while voters != 0 {
                let j = voters.trailingZeroBitCount
                voters &= voters - 1
                if !(state.currentTerm[j] > t || state.currentTerm[j] == t && state.votedFor[j] == i) { return Formula(false) }
            }
        }
        return Formula(true)
    }

    /// ``InductiveElectionSafety/oneVotePerTermByDefinition(_:)``: no two counters of one term
    /// hold one server's vote, and a vote granted in flight is neither counted by another
    /// server of its term nor granted to another in the same term.
    public func oneVotePerTerm() -> Formula<Concrete> {
        read(RaftVariable.votesGranted.bit | RaftVariable.state.bit | RaftVariable.currentTerm.bit | RaftVariable.voteGrants)
        let everyServer = (1 << servers.upperBound) - 1
        let counting = counters
        // Whether a counter other than `i` (any when i is -1) counts j's vote in term t.
        func countedElsewhere(_ j: Int, _ t: Int, besides i: Int) -> Bool {
            var others = counting & ~(i < 0 ? 0 : 1 << i)
            while others != 0 {
                let k = others.trailingZeroBitCount
                others &= others - 1
                if state.votesGranted[k] & (1 << j) != 0 && state.currentTerm[k] == t { return true }
            }
            return false
        }
        var pending = counting
        while pending != 0 {
            let i = pending.trailingZeroBitCount
            pending &= pending - 1
            var voters = state.votesGranted[i] & everyServer
            while voters != 0 {
                let j = voters.trailingZeroBitCount
                voters &= voters - 1
                if countedElsewhere(j, state.currentTerm[i], besides: i) { return Formula(false) }
            }
        }
        for item in state.messages.items where item.message.kind == .requestVoteResponse && item.message.voteGranted {
            let m = item.message
            if countedElsewhere(m.source, m.term, besides: m.dest) { return Formula(false) }
            for other in state.messages.items where other.message.kind == .requestVoteResponse && other.message.voteGranted
                && other.message.source == m.source && other.message.term == m.term && other.message.dest != m.dest {
                return Formula(false)
            }
        }
        return Formula(true)
    }
}

/// raft.tla's variables, numbered for ``VariableSet``: the order of `Raft.traceVariables`.
public enum RaftVariable: Int, CaseIterable, Sendable {
    case currentTerm, state, votedFor, log, commitIndex, votesResponded, votesGranted, nextIndex, matchIndex, messages

    @inlinable @inline(__always) public var bit: VariableSet { 1 << VariableSet(rawValue) }

    /// The variables whose values differ between `a` and `b`. Inlinable and always inlined: the
    /// explorer calls it on every step from the module that specialises it, and a call copied
    /// both states (without `@inlinable`, whether it was inlined there changed from one build to
    /// the next).
    @inlinable @inline(__always) public static func changed(from a: RaftState, to b: RaftState) -> VariableSet {
        withUnsafePointer(to: a) { a in withUnsafePointer(to: b) { b in changed(from: a, to: b) } }
    }

    /// The same, of the states at two addresses: each variable is loaded from both to be
    /// compared, where states as values were loaded whole (the explorer's successors lie in its
    /// own memory).
    @inlinable @inline(__always) public static func changed(from a: UnsafePointer<RaftState>, to b: UnsafePointer<RaftState>) -> VariableSet {
        changed(from: a, to: b, among: .max)
    }

    /// The same, comparing only the variables `among`: the others are known to be equal (a
    /// successor's variables that its action does not write are its parent's). With `among` a
    /// constant, as each case of ``Raft/changedVariables(between:and:by:)`` passes it, the
    /// comparisons left out are compiled out.
    @inlinable @inline(__always)
    public static func changed(from a: UnsafePointer<RaftState>, to b: UnsafePointer<RaftState>, among: VariableSet) -> VariableSet {
        var out: VariableSet = 0
        func note(_ v: RaftVariable, _ differs: @autoclosure () -> Bool) { if among & v.bit != 0 && differs() { out |= v.bit } }
        note(.currentTerm, a.pointee.currentTerm != b.pointee.currentTerm)
        note(.state, a.pointee.state != b.pointee.state)
        note(.votedFor, a.pointee.votedFor != b.pointee.votedFor)
        note(.log, a.pointee.log != b.pointee.log)
        note(.commitIndex, a.pointee.commitIndex != b.pointee.commitIndex)
        note(.votesResponded, a.pointee.votesResponded != b.pointee.votesResponded)
        note(.votesGranted, a.pointee.votesGranted != b.pointee.votesGranted)
        note(.nextIndex, a.pointee.nextIndex != b.pointee.nextIndex)
        note(.matchIndex, a.pointee.matchIndex != b.pointee.matchIndex)
        guard among & RaftVariable.messages.bit != 0 else { return out }
        let bags = (a.pointer(to: \.messages)!, b.pointer(to: \.messages)!)
        if MessageBag.differ(bags.0, bags.1) {
            out |= RaftVariable.messages.bit
            if MessageBag.voteGrantsDiffer(bags.0, bags.1) { out |= voteGrants }
        }
        return out
    }

    /// The variables `action` can write, in this spec and its mutants (`Receive` any of them):
    /// what ``Raft/changedVariables(between:and:by:)`` compares. `RaftViewTests` checks, on
    /// the reachable states of the model and of every mutant, that the others never change.
    @inlinable @inline(__always) public static func written(by action: RaftAction) -> VariableSet {
        switch action {
        case .requestVote, .appendEntries, .duplicateMessage, .dropMessage: writtenBySends
        case .timeout: writtenByTimeout
        case .restart: writtenByRestart
        case .becomeLeader: writtenByBecomeLeader
        case .clientRequest: log.bit
        case .advanceCommitIndex: commitIndex.bit
        case .receive: .max
        }
    }

    /// What `RequestVote`, `AppendEntries`, `DuplicateMessage` and `DropMessage` write: the bag
    /// (and in it, when they copy or drop one, the granted votes in flight).
    @inlinable static var writtenBySends: VariableSet { messages.bit | voteGrants }
    @inlinable static var writtenByTimeout: VariableSet { currentTerm.bit | state.bit | votedFor.bit | votesResponded.bit | votesGranted.bit }
    /// `votedFor` for the mutant that forgets it.
    @inlinable static var writtenByRestart: VariableSet {
        state.bit | votesResponded.bit | votesGranted.bit | nextIndex.bit | matchIndex.bit | commitIndex.bit | votedFor.bit
    }
    @inlinable static var writtenByBecomeLeader: VariableSet { state.bit | nextIndex.bit | matchIndex.bit }

    /// Beyond the variables, at bit 32: the granted RequestVoteResponses in flight, the part of
    /// `messages` that the invariants read. A step that changes them changes `messages` too; one
    /// that sends a request, duplicates or drops another message changes `messages` alone, and
    /// no invariant is evaluated again after it.
    public static let voteGrants: VariableSet = 1 << 32
}
