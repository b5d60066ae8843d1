import QuorumCore

/// Ongaro's raft.tla (his thesis spec), action for action, without the history variables and
/// without `mlog`. Bounds are TLC-style state constraints: every currentTerm ≤ maxTerm, every log
/// ≤ maxLogLength entries, at most maxMessages copies in flight.
public struct Raft: TransitionSystem {
    public enum Mutation: String, Mutant {
        /// HandleRequestVoteRequest grants without the "log at least as up to date" check.
        case voteWithoutLogCheck
        /// AdvanceCommitIndex commits by counting replicas, without requiring an entry of the
        /// current term (the Raft paper's Figure 8).
        case commitPreviousTerm
        /// Restart loses votedFor: a restarted server may vote twice in one term.
        case forgetVoteOnRestart
        /// A follower acknowledges an AppendEntries whose entry conflicts with its own, keeping its
        /// entry instead of removing it.
        case keepConflictingEntries

        public var breaks: String {
            switch self {
            case .voteWithoutLogCheck: "LeaderCompleteness"
            case .commitPreviousTerm: "LeaderCommitsCurrentTerm"
            case .forgetVoteOnRestart: "ElectionSafety"
            case .keepConflictingEntries: "StateMachineSafety"
            }
        }

        public var bounds: [String: Int] { self == .forgetVoteOnRestart ? ["maxLogLength": 0] : ["maxTerm": 3] }

        public var summary: String {
            switch self {
            case .voteWithoutLogCheck: "a vote is granted without the 'candidate's log is at least as up to date' check"
            case .commitPreviousTerm: "a leader commits an entry of an earlier term by counting replicas (the Raft paper's Figure 8)"
            case .forgetVoteOnRestart: "a restarted server forgets whom it voted for and may vote twice in one term"
            case .keepConflictingEntries: "a follower acknowledges a conflicting entry instead of removing its own"
            }
        }
    }

    public let servers: Int
    public let values: Int
    public let maxTerm: Int
    public let maxLogLength: Int
    public let maxMessages: Int
    public let mutation: Mutation?
    let serverPermutations: [[Int]]
    let valuePermutations: [[Int]]

    /// The model at parameters `p`.
    public init(_ p: RaftParameters, mutation: Mutation? = nil) {
        self.init(servers: p.servers, values: p.values, maxTerm: p.maxTerm, maxLogLength: p.maxLogLength, maxMessages: p.maxMessages,
                  mutation: mutation)
    }

    public init(servers: Int = RaftParameters().servers, values: Int = RaftParameters().values, maxTerm: Int = RaftParameters().maxTerm,
                maxLogLength: Int = RaftParameters().maxLogLength, maxMessages: Int = RaftParameters().maxMessages,
                mutation: Mutation? = nil) {
        self.servers = servers
        self.values = values
        self.maxTerm = maxTerm
        self.maxLogLength = maxLogLength
        self.maxMessages = maxMessages
        self.mutation = mutation
        serverPermutations = permutations(of: servers)
        valuePermutations = permutations(of: values)
    }

    /// Servers are interchangeable, and so are values.
    public var hasSymmetry: Bool { true }

    public func forEachSymmetricImage(of s: RaftState, _ body: (RaftState) -> Void) {
        for ps in serverPermutations {
            for pv in valuePermutations { body(s.permuted(servers: ps, values: pv)) }
        }
    }

    /// `votes \in Quorum`: a strict majority of the servers.
    func isQuorum(_ set: Int) -> Bool { set.nonzeroBitCount * 2 > servers }

    public var initialStates: [RaftState] { [RaftState(servers: servers)] }

    public func enabledActions(in s: RaftState, into actions: inout [RaftAction]) {
        let all = 0..<servers
        for i in all where s.state[i] != .leader { actions.append(.timeout(i)) }
        for i in all { actions.append(.restart(i)) }
        for i in all where s.state[i] == .candidate {
            for j in all where s.votesResponded[i] & (1 << j) == 0 { actions.append(.requestVote(i, j)) }
        }
        for i in all where s.state[i] == .candidate && isQuorum(s.votesGranted[i]) { actions.append(.becomeLeader(i)) }
        for i in all where s.state[i] == .leader {
            for v in 0..<values { actions.append(.clientRequest(i, value: v)) }
        }
        for i in all where s.state[i] == .leader { actions.append(.advanceCommitIndex(i)) }
        for i in all where s.state[i] == .leader {
            for j in all where j != i { actions.append(.appendEntries(i, j)) }
        }
        for item in s.messages.items where item.count > 0 && canReceive(item.message, in: s) {
            actions.append(.receive(item.message))
        }
        for item in s.messages.items where item.count > 0 { actions.append(.duplicateMessage(item.message)) }
        for item in s.messages.items where item.count > 0 { actions.append(.dropMessage(item.message)) }
    }

    /// Whether some disjunct of `Receive(m)` is enabled (at most one ever is).
    func canReceive(_ m: RaftMessage, in s: RaftState) -> Bool {
        let i = m.dest
        if m.term > s.currentTerm[i] { return true }  // UpdateTerm
        switch m.kind {
        case .requestVoteRequest:
            return true  // m.mterm <= currentTerm[i]: HandleRequestVoteRequest
        case .requestVoteResponse, .appendEntriesResponse:
            return true  // DropStaleResponse or the handler
        case .appendEntriesRequest:
            // A leader ignores requests of its own term (there are none in a correct run).
            return m.term < s.currentTerm[i] || s.state[i] != .leader
        }
    }

    public func apply(_ action: RaftAction, to s: RaftState) -> RaftState {
        var t = s
        apply(action, to: s, changing: &t)
        return t
    }

    /// `action`'s changes to `t`, a copy of `s`, which it reads: the explorer's successors are
    /// written so, over its own memory (``QuorumCore/TransitionSystem/forEachSuccessor(of:actions:into:_:)``).
    public func apply(_ action: RaftAction, to s: RaftState, changing t: inout RaftState) {
        switch action {
        case .restart(let i):
            t.state[i] = .follower
            t.votesResponded[i] = 0
            t.votesGranted[i] = 0
            t.nextIndex[i] = PerServer(repeating: 1, count: servers)
            t.matchIndex[i] = PerServer(repeating: 0, count: servers)
            t.commitIndex[i] = 0
            if mutation == .forgetVoteOnRestart { t.votedFor[i] = -1 }

        case .timeout(let i):
            t.state[i] = .candidate
            t.currentTerm[i] += 1
            t.votedFor[i] = -1
            t.votesResponded[i] = 0
            t.votesGranted[i] = 0

        case .requestVote(let i, let j):
            t.messages.add(.requestVoteRequest(term: s.currentTerm[i], lastLogTerm: s.lastTerm(i),
                                               lastLogIndex: s.log[i].count, source: i, dest: j))

        case .becomeLeader(let i):
            t.state[i] = .leader
            t.nextIndex[i] = PerServer(repeating: s.log[i].count + 1, count: servers)
            t.matchIndex[i] = PerServer(repeating: 0, count: servers)

        case .clientRequest(let i, let v):
            t.log[i].append(Entry(term: s.currentTerm[i], value: v))

        case .advanceCommitIndex(let i):
            t.commitIndex[i] = newCommitIndex(i, in: s)

        case .appendEntries(let i, let j):
            let next = s.nextIndex[i][j]
            let prevLogIndex = next - 1
            let prevLogTerm = prevLogIndex > 0 && prevLogIndex <= s.log[i].count ? s.log[i][prevLogIndex - 1].term : 0
            let lastEntry = min(s.log[i].count, next)
            let entry = next <= s.log[i].count ? s.log[i][next - 1] : nil
            t.messages.add(.appendEntriesRequest(term: s.currentTerm[i], prevLogIndex: prevLogIndex, prevLogTerm: prevLogTerm,
                                                 entry: entry, commitIndex: min(s.commitIndex[i], lastEntry), source: i, dest: j))

        case .receive(let m):
            receive(m, into: &t)

        case .duplicateMessage(let m):
            t.messages.add(m)

        case .dropMessage(let m):
            t.messages.remove(m)
        }
    }

    /// AdvanceCommitIndex's newCommitIndex: the largest index a quorum agrees on, if that entry is
    /// of the leader's current term.
    func newCommitIndex(_ i: Int, in s: RaftState) -> Int {
        var index = s.log[i].count
        while index >= 1 {
            var agree = 1 << i
            for k in 0..<servers where s.matchIndex[i][k] >= index { agree |= 1 << k }
            if isQuorum(agree) { break }
            index -= 1
        }
        guard index >= 1 else { return s.commitIndex[i] }
        if s.log[i][index - 1].term == s.currentTerm[i] || mutation == .commitPreviousTerm { return index }
        return s.commitIndex[i]
    }

    /// `Receive(m)`: i is the recipient, j the sender.
    func receive(_ m: RaftMessage, into t: inout RaftState) {
        let i = m.dest, j = m.source
        if m.term > t.currentTerm[i] {
            // UpdateTerm; the message stays to be processed in the new term.
            t.currentTerm[i] = m.term
            t.state[i] = .follower
            t.votedFor[i] = -1
            return
        }
        switch m.kind {
        case .requestVoteRequest:
            let logOk = m.lastLogTerm > t.lastTerm(i) || (m.lastLogTerm == t.lastTerm(i) && m.lastLogIndex >= t.log[i].count)
            let grant = m.term == t.currentTerm[i] && (logOk || mutation == .voteWithoutLogCheck)
                && (t.votedFor[i] == -1 || t.votedFor[i] == j)
            if grant { t.votedFor[i] = j }
            reply(.requestVoteResponse(term: t.currentTerm[i], voteGranted: grant, source: i, dest: j), to: m, in: &t)

        case .requestVoteResponse:
            if m.term < t.currentTerm[i] {
                t.messages.remove(m)  // DropStaleResponse
                return
            }
            t.votesResponded[i] |= 1 << j
            if m.voteGranted { t.votesGranted[i] |= 1 << j }
            t.messages.remove(m)

        case .appendEntriesRequest:
            handleAppendEntriesRequest(m, into: &t)

        case .appendEntriesResponse:
            if m.term < t.currentTerm[i] {
                t.messages.remove(m)  // DropStaleResponse
                return
            }
            if m.success {
                t.nextIndex[i][j] = m.matchIndex + 1
                t.matchIndex[i][j] = m.matchIndex
            } else {
                t.nextIndex[i][j] = max(t.nextIndex[i][j] - 1, 1)
            }
            t.messages.remove(m)
        }
    }

    func handleAppendEntriesRequest(_ m: RaftMessage, into t: inout RaftState) {
        let i = m.dest, j = m.source
        let log = t.log[i]
        let logOk = m.prevLogIndex == 0
            || (m.prevLogIndex > 0 && m.prevLogIndex <= log.count && m.prevLogTerm == log[m.prevLogIndex - 1].term)
        if m.term < t.currentTerm[i] || (t.state[i] == .follower && !logOk) {
            reply(.appendEntriesResponse(term: t.currentTerm[i], success: false, matchIndex: 0, source: i, dest: j), to: m, in: &t)
            return
        }
        if t.state[i] == .candidate {
            t.state[i] = .follower  // return to follower state; the message stays
            return
        }
        // accept request (a follower in m's term whose log matches at prevLogIndex)
        let index = m.prevLogIndex + 1
        let conflicts = m.entry.map { log.count >= index && log[index - 1].term != $0.term } ?? false
        if m.entry == nil || (log.count >= index && !conflicts) || (conflicts && mutation == .keepConflictingEntries) {
            // already done with request
            t.commitIndex[i] = m.commitIndex
            reply(.appendEntriesResponse(term: t.currentTerm[i], success: true,
                                         matchIndex: m.prevLogIndex + (m.entry == nil ? 0 : 1), source: i, dest: j),
                  to: m, in: &t)
        } else if conflicts {
            t.log[i].removeLast()  // conflict: remove 1 entry
        } else if log.count == m.prevLogIndex, let entry = m.entry {
            t.log[i].append(entry)  // no conflict: append entry
        }
    }

    /// `Reply(response, request)`.
    func reply(_ response: RaftMessage, to request: RaftMessage, in t: inout RaftState) {
        t.messages.add(response)
        t.messages.remove(request)
    }

    @inlinable @inline(__always) public func changedVariables(from before: RaftState, to after: RaftState) -> VariableSet {
        RaftVariable.changed(from: before, to: after)
    }

    @inlinable @inline(__always) public func changedVariables(between before: UnsafePointer<RaftState>,
                                                              and after: UnsafePointer<RaftState>) -> VariableSet {
        RaftVariable.changed(from: before, to: after)
    }

    /// Only the variables the action writes (``RaftVariable/written(by:)``), each case with its
    /// own constant set: the server actions and the network's, most of the steps, write one to
    /// seven of the ten variables, and the full comparison was an eighth of the explorer's
    /// instructions. A call, not inlined: inlined with its ten cases, the explorer's loop was
    /// no longer specialised whole (half as many instructions again).
    ///
    /// The sends need no comparison of the bags: a copy more always changes the bag, and never
    /// its granted votes (``RaftVariable/voteGrants``, copies aside), since `RequestVote` and
    /// `AppendEntries` send requests and `DuplicateMessage` copies a message already there. A
    /// copy fewer changes the bag too, and its granted votes only when it drops a grant's last
    /// copy. `RaftChangedVariablesTests` checks each case against the full comparison.
    public func changedVariables(between before: UnsafePointer<RaftState>, and after: UnsafePointer<RaftState>,
                                 by action: RaftAction) -> VariableSet {
        switch action {
        case .requestVote, .appendEntries, .duplicateMessage:
            RaftVariable.messages.bit
        case .dropMessage(let m):
            RaftVariable.messages.bit
                | (MessageBag.isVoteGrant(m.key) && MessageBag.voteGrantsDiffer(before.pointer(to: \.messages)!, after.pointer(to: \.messages)!)
                   ? RaftVariable.voteGrants : 0)
        case .timeout: RaftVariable.changed(from: before, to: after, among: RaftVariable.writtenByTimeout)
        case .restart: RaftVariable.changed(from: before, to: after, among: RaftVariable.writtenByRestart)
        case .becomeLeader: RaftVariable.changed(from: before, to: after, among: RaftVariable.writtenByBecomeLeader)
        case .clientRequest: RaftVariable.changed(from: before, to: after, among: RaftVariable.log.bit)
        case .advanceCommitIndex: RaftVariable.changed(from: before, to: after, among: RaftVariable.commitIndex.bit)
        case .receive: RaftVariable.changed(from: before, to: after)
        }
    }

    /// The granted votes in flight (``RaftVariable/voteGrants``) are part of `messages`.
    public func variable(ofPart bit: Int) -> Int? { 1 << UInt64(bit) == RaftVariable.voteGrants ? RaftVariable.messages.rawValue : nil }

    public func metrics(of s: RaftState) -> [(String, Int)] {
        let all = 0..<servers
        return [("term", all.map { s.currentTerm[$0] }.max() ?? 0),
                ("log length", all.map { s.log[$0].count }.max() ?? 0),
                ("commit index", all.map { s.commitIndex[$0] }.max() ?? 0)]
    }

    /// raft.tla's actions, in the order ``enabledActions(in:into:)`` lists them.
    public var actionNames: [String] {
        ["Timeout", "Restart", "RequestVote", "BecomeLeader", "ClientRequest", "AdvanceCommitIndex", "AppendEntries",
         "Receive", "DuplicateMessage", "DropMessage"]
    }

    /// Always inlined: the explorer asks it of every successor, and a call copied the state. The
    /// terms and logs of servers beyond `servers` keep their initial values, so every row is
    /// compared, without a loop over the servers.
    @inline(__always) public func isWithinBounds(_ s: RaftState) -> Bool {
        s.currentTerm.allAtMost(maxTerm) && s.log.largest(\.count) <= maxLogLength && s.messages.total <= maxMessages
    }

    /// Each of the three bounds only where the step changed its variable: `Restart`, a quarter of
    /// the steps, changes none of them, `Timeout` only the terms and the network's steps only
    /// the bag. `RaftChangedVariablesTests` compares it with the full constraint.
    @inline(__always) public func isWithinBounds(_ s: RaftState, changed: VariableSet) -> Bool {
        (changed & RaftVariable.currentTerm.bit == 0 || s.currentTerm.allAtMost(maxTerm))
            && (changed & RaftVariable.log.bit == 0 || s.log.largest(\.count) <= maxLogLength)
            && (changed & RaftVariable.messages.bit == 0 || s.messages.total <= maxMessages)
    }

    public var invariants: [Invariant<RaftState>] { RaftProperties.all.map(\.concrete) }
    public var temporalProperties: [TemporalProperty<RaftState, RaftAction>] { [RaftProperties.eventuallyLeader(servers: servers)] }
    public var actionProperties: [ActionProperty<RaftState, RaftAction>] { RaftProperties.steps.map(\.concrete) }

    // MARK: Traces

    public func processValue(_ i: Int) -> ITFValue { .string(Raft.serverName(i)) }
    public var processCount: Int? { servers }
    /// A running cluster's servers exchange the bag's messages: each keeps the ones it has received
    /// and not yet handled.
    public var messageVariable: String? { "messages" }

    /// The variables' names and values in traces, and their domains when read back, come from
    /// their declaration (``RaftVariables``, through ``RaftDescription``).
    public var traceVariables: [String] { RaftDescription(self).traceVariables }

    public func traceValues(of s: RaftState) -> [ITFValue] { RaftDescription(self).traceValues(of: RaftVariables(s)) }

    /// The inverse of ``traceValues(of:)``: nil unless every value lies in its variable's domain
    /// and the state within the bounds (terms 1...maxTerm, indices within maxLogLength, nextIndex
    /// at least 1, at most maxMessages copies in flight), so that a file cannot bring the spec a
    /// state its functions were never meant to see.
    public func state(fromTraceValues values: [ITFValue]) -> RaftState? {
        guard let v = RaftDescription(self).state(fromTraceValues: values),
              v.log.allSatisfy({ $0.elements.count <= RaftLog.capacity && $0.elements.allSatisfy(RaftLog().canAppend) }) else { return nil }
        return RaftState(v)
    }

    static func traceValue(_ e: Entry) -> ITFValue {
        .record([("term", .int(e.term)), ("value", .string(valueName(e.value)))])
    }

    static func traceValue(_ m: RaftMessage) -> ITFValue {
        var fields: [(String, ITFValue)] = [("mterm", .int(m.term)), ("msource", .string(serverName(m.source))),
                                            ("mdest", .string(serverName(m.dest)))]
        switch m.kind {
        case .requestVoteRequest:
            fields += [("mtype", .string("RequestVoteRequest")), ("mlastLogTerm", .int(m.lastLogTerm)), ("mlastLogIndex", .int(m.lastLogIndex))]
        case .requestVoteResponse:
            fields += [("mtype", .string("RequestVoteResponse")), ("mvoteGranted", .bool(m.voteGranted))]
        case .appendEntriesRequest:
            fields += [("mtype", .string("AppendEntriesRequest")), ("mprevLogIndex", .int(m.prevLogIndex)),
                       ("mprevLogTerm", .int(m.prevLogTerm)), ("mentries", .list(m.entry.map { [traceValue($0)] } ?? [])),
                       ("mcommitIndex", .int(m.commitIndex))]
        case .appendEntriesResponse:
            fields += [("mtype", .string("AppendEntriesResponse")), ("msuccess", .bool(m.success)), ("mmatchIndex", .int(m.matchIndex))]
        }
        return .record(fields)
    }

    public static func serverName(_ i: Int) -> String { "s\(i + 1)" }
    public static func valueName(_ v: Int) -> String { "v\(v + 1)" }
}
