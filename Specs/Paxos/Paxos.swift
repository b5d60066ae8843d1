import QuorumCore

/// Lamport's Paxos consensus (tlaplus/Examples, PaxosHowToWinATuringAward/Paxos.tla), action for
/// action. Acceptors are 0..<acceptors, values 0..<values, ballots 0...maxBallot.
///
/// The explorer's model: its states hold their messages as bits (``PaxosState``), which bounds it
/// to 5 acceptors, ballots 0...4 and 3 values (``PaxosParameters``). Its functions are generic
/// in how the messages are held, so that a cluster's larger models run the same functions
/// (``PaxosAtAnyBounds``).
public struct Paxos: TransitionSystem {
    public typealias State = PaxosState
    /// The mutants, each breaking Agreement.
    public enum Mutation: String, Mutant {
        /// Phase2b without `m.bal >= maxBal[a]`: an acceptor votes below its promise.
        case voteBelowPromise
        /// Phase2a without the 1b-vote condition: the leader proposes any value once a quorum promised.
        case ignoreHighestVote
        /// Quorums of ⌊n/2⌋ acceptors, which need not intersect.
        case minorityQuorums

        public var breaks: String { "Agreement" }
        public var summary: String {
            switch self {
            case .voteBelowPromise: "Phase2b without m.bal >= maxBal[a]: an acceptor votes in a ballot below the one it promised"
            case .ignoreHighestVote: "Phase2a proposes any value once a quorum has promised, ignoring the highest vote the 1b messages report"
            case .minorityQuorums: "quorums of floor(n/2) acceptors, which need not intersect"
            }
        }
    }

    public let acceptors: Int
    public let values: Int
    public let maxBallot: Int
    public let mutation: Mutation?
    /// The quorums, as bit sets of acceptors, in increasing order.
    public let quorums: [Int]
    let acceptorPermutations: [[Int]]
    let valuePermutations: [[Int]]

    public init(acceptors: Int = PaxosParameters().acceptors, values: Int = PaxosParameters().values,
                maxBallot: Int = PaxosParameters().maxBallot, mutation: Mutation? = nil) {
        self.acceptors = acceptors
        self.values = values
        self.maxBallot = maxBallot
        self.mutation = mutation
        acceptorPermutations = permutations(of: acceptors)
        valuePermutations = permutations(of: values)
        let all = 0..<(1 << acceptors)
        if mutation == .minorityQuorums {
            quorums = all.filter { $0.nonzeroBitCount >= max(1, acceptors / 2) }
        } else {
            // The smallest majorities, as in Lamport's model ({{a1, a2}, {a1, a3}, {a2, a3}} for three
            // acceptors). Larger majorities add no state, only more witnesses of Phase2a.
            quorums = all.filter { $0.nonzeroBitCount == acceptors / 2 + 1 }
        }
    }

    public var ballots: ClosedRange<Int> { 0...maxBallot }

    // MARK: Symmetry

    /// Acceptors are interchangeable, and so are values (TLC's
    /// `SYMMETRY Permutations(Acceptor) \cup Permutations(Value)`, which generates their product).
    public var hasSymmetry: Bool { true }

    public func forEachSymmetricImage(of s: PaxosState, _ body: (PaxosState) -> Void) {
        for pa in acceptorPermutations {
            for pv in valuePermutations { body(s.permuted(acceptors: pa, values: pv)) }
        }
    }

    /// Whether every message of the model fits ``PaxosMessageSet``'s layout.
    public var fitsTheExplorersState: Bool {
        acceptors <= PaxosMessageSet.maxAcceptors && maxBallot <= PaxosMessageSet.maxBallot && values <= PaxosMessageSet.maxValues
    }

    public var initialStates: [PaxosState] {
        precondition(fitsTheExplorersState, "Paxos's explorer holds at most 5 acceptors, ballots 0...4 and 3 values; PaxosAtAnyBounds runs larger models")
        return [PaxosState(acceptors: acceptors)]
    }

    // The functions below are generic in how a state holds its messages, each under its own
    // name (`inAny`, `toAny`, ...), and the protocol's requirements are met by the explorer's
    // state alone, each forwarding to one: a generic function would not be taken for a
    // requirement that has a default (`decision(in:)` returns nil by default), silently.

    public func enabledActions(in s: PaxosState, into actions: inout [PaxosAction]) { enabledActions(inAny: s, into: &actions) }
    public func apply(_ action: PaxosAction, to s: PaxosState) -> PaxosState { apply(action, toAny: s) }
    public func metrics(of s: PaxosState) -> [(String, Int)] { metrics(ofAny: s) }
    public func decision(in s: PaxosState) -> ITFValue? { decision(inAny: s) }
    public func state(_ s: PaxosState, with value: ITFValue, forVariable k: Int) -> PaxosState? { state(any: s, with: value, forVariable: k) }
    public func traceValues(of s: PaxosState) -> [ITFValue] { traceValues(ofAny: s) }

    public func enabledActions<M>(inAny s: PaxosStateOf<M>, into actions: inout [PaxosAction]) {
        enabledActions(inAny: s, into: &actions, wordwise: (maxBallot + 1) * values < Int.bitWidth)
    }

    /// `wordwise`: the 1a messages' ballots and the 2a messages' proposals (bit
    /// `bal * values + val`) are read once for every acceptor, where they fit a word (always in
    /// the explorer; a cluster's ballots may not); else each acceptor reads the messages again.
    /// Both list the same actions in the same order (`PaxosMessageSetTests`).
    func enabledActions<M>(inAny s: PaxosStateOf<M>, into actions: inout [PaxosAction], wordwise fits: Bool) {
        let (ballots1a, proposals) = fits ? s.msgs.ballotsAndProposals(maxBallot: maxBallot, values: values) : (0, 0)
        // \E b \in Ballot : Phase1a(b) \/ \E v \in Value : Phase2a(b, v)
        for b in ballots {
            actions.append(.phase1a(ballot: b))
            // Phase2a(b, v) needs no 2a message of ballot b yet.
            let proposed = fits ? (proposals >> (b * values)) & ((1 << values) - 1) != 0
                : (0..<values).contains(where: { s.msgs.contains(.phase2a(bal: b, val: $0)) })
            if proposed { continue }
            // Each acceptor's 1b messages of ballot b, read once for every value and quorum:
            // whether it sent one, and the highest vote it reported (-1: none).
            var reported = 0
            var highest = PerAcceptor(repeating: -1, count: acceptors)
            for acc in 0..<acceptors {
                guard let top = s.msgs.highestVoteReported(acc: acc, bal: b, maxBallot: maxBallot, values: values) else { continue }
                reported |= 1 << acc
                highest[acc] = top
            }
            for v in 0..<values { phase2aWitnesses(s, b, v, reported: reported, highest: highest, into: &actions) }
        }
        // \E a \in Acceptor : Phase1b(a) \/ Phase2b(a), one successor per message m, in message order.
        func phase1b(_ a: Int, _ bal: Int) {
            if bal > s.maxBal[a] { actions.append(.phase1b(acceptor: a, ballot: bal)) }
        }
        func phase2b(_ a: Int, _ bal: Int, _ val: Int) {
            if bal >= s.maxBal[a] || mutation == .voteBelowPromise { actions.append(.phase2b(acceptor: a, ballot: bal, value: val)) }
        }
        for a in 0..<acceptors {
            if fits {
                // Only the ballots that can pass the guards are visited (each guard is still
                // asked), each ballot's proposals a row of bits: not a division by `values` for
                // every 2a message and acceptor.
                let promised = s.maxBal[a]
                var pending = ballots1a & ~((1 << (max(promised, -1) + 1)) - 1)
                while pending != 0 {
                    phase1b(a, pending.trailingZeroBitCount)
                    pending &= pending - 1
                }
                let row = (1 << values) - 1
                // A loop, not a range: a promise beyond the ballots (a state read from a file)
                // leaves it empty, and `stride` cost 14 M instructions on the model.
                var b = mutation == .voteBelowPromise ? 0 : max(promised, 0)
                while b <= maxBallot {
                    var pending = (proposals >> (b * values)) & row
                    while pending != 0 {
                        phase2b(a, b, pending.trailingZeroBitCount)
                        pending &= pending - 1
                    }
                    b += 1
                }
            } else {
                s.msgs.forEach(from: .phase1a(bal: 0), through: .phase1a(bal: maxBallot)) { m in
                    if case .phase1a(let bal) = m { phase1b(a, bal) }
                }
                s.msgs.forEach(from: .phase2a(bal: 0, val: 0), through: .phase2a(bal: maxBallot, val: values - 1)) { m in
                    if case .phase2a(let bal, let val) = m { phase2b(a, bal, val) }
                }
            }
        }
    }

    /// Phase2a(b, v) of a ballot with no 2a message: one action per quorum Q whose 1b messages
    /// show v safe, and within it one per witness m of `\E m \in Q1bv`, as TLC counts them.
    /// `reported` and `highest` are each acceptor's 1b messages of ballot b: whether it sent one,
    /// and the highest vote it reported.
    private func phase2aWitnesses<M>(_ s: PaxosStateOf<M>, _ b: Int, _ v: Int, reported: Int, highest: PerAcceptor<Int>,
                                     into actions: inout [PaxosAction]) {
        // Q1b: the 1b messages of ballot b from Q, one from each of Q at least.
        for q in quorums where reported & q == q {
            // Q1bv's highest vote, and its witnesses for v: the messages that report a vote for v
            // in that ballot (one acceptor sends at most one such message).
            var top = -1
            for acc in 0..<acceptors where q & (1 << acc) != 0 { top = max(top, highest[acc]) }
            var count = 1
            if top >= 0 && mutation != .ignoreHighestVote {
                count = 0
                for acc in 0..<acceptors where q & (1 << acc) != 0 && s.msgs.contains(.phase1b(acc: acc, bal: b, mbal: top, mval: v)) {
                    count += 1
                }
            }
            for _ in 0..<count { actions.append(.phase2a(ballot: b, value: v, quorum: q)) }
        }
    }

    public func apply<M>(_ action: PaxosAction, toAny s: PaxosStateOf<M>) -> PaxosStateOf<M> {
        var t = s
        apply(action, toAny: s, changing: &t)
        return t
    }

    /// `action`'s changes to `t`, a copy of `s`: the explorer's successors are written so, over
    /// its own memory (``QuorumCore/TransitionSystem/forEachSuccessor(of:actions:into:_:)``). Not
    /// generic, as a generic function is not taken for a requirement with a default.
    @inlinable public func apply(_ action: PaxosAction, to s: PaxosState, changing t: inout PaxosState) {
        apply(action, toAny: s, changing: &t)
    }

    /// `action`'s changes to `t`, a copy of `s`, which it reads, however `s` holds its messages.
    @usableFromInline @inline(__always) func apply<M>(_ action: PaxosAction, toAny s: PaxosStateOf<M>, changing t: inout PaxosStateOf<M>) {
        switch action {
        case .phase1a(let b):
            t.send(.phase1a(bal: b))
        case .phase1b(let a, let b):
            t.maxBal[a] = b
            t.send(.phase1b(acc: a, bal: b, mbal: s.maxVBal[a], mval: s.maxVal[a]))
        case .phase2a(let b, let v, _):
            t.send(.phase2a(bal: b, val: v))
        case .phase2b(let a, let b, let v):
            t.maxBal[a] = b
            t.maxVBal[a] = b
            t.maxVal[a] = v
            t.send(.phase2b(acc: a, bal: b, val: v))
        }
    }

    public func metrics<M>(ofAny s: PaxosStateOf<M>) -> [(String, Int)] {
        [("ballot", (0..<acceptors).map { s.maxBal[$0] }.max() ?? -1),
         ("votes", s.msgs.filter { if case .phase2b = $0 { true } else { false } }.count)]
    }

    /// Exact, down to the kind of message sent (``PaxosVariable``).
    @inline(__always) public func changedVariables(from before: PaxosState, to after: PaxosState) -> VariableSet {
        PaxosVariable.changed(from: before, to: after)
    }

    @inline(__always) public func changedVariables(between before: UnsafePointer<PaxosState>, and after: UnsafePointer<PaxosState>) -> VariableSet {
        PaxosVariable.changed(from: before, to: after)
    }

    /// Ballots are bounded by the constant set Ballot itself; no further constraint.
    public func isWithinBounds(_ state: PaxosState) -> Bool { true }

    /// Paxos.tla's actions, in the order ``enabledActions(in:into:)`` first lists them.
    public var actionNames: [String] { ["Phase1a", "Phase2a", "Phase1b", "Phase2b"] }

    public var invariants: [Invariant<PaxosState>] { PaxosProperties.invariants(for: self) }
    public var temporalProperties: [TemporalProperty<PaxosState, PaxosAction>] { PaxosProperties.temporal(for: self) }

    // MARK: Traces

    /// Trace values as ``PaxosDescription`` declares them.
    public func processValue(_ i: Int) -> ITFValue { .string(Paxos.acceptorName(i)) }
    public var processCount: Int? { acceptors }

    /// In a running cluster each acceptor's node also leads the ballots that are its number
    /// modulo the acceptors: ballot b's Phase1a and Phase2a run on node b mod acceptors.
    public func node(of action: PaxosAction) -> Int? {
        switch action {
        case .phase1a(let b), .phase2a(let b, _, _): b % acceptors
        case .phase1b(let a, _), .phase2b(let a, _, _): a
        }
    }

    public var messageVariable: String? { "msgs" }

    /// The value chosen (Voting.tla's `chosen`, as Agreement states it), if any: what a cluster
    /// running Paxos once per slot reads as the slot's outcome.
    public func decision<M>(inAny s: PaxosStateOf<M>) -> ITFValue? {
        // No value is chosen before a quorum's worth of votes.
        let votes = s.msgs.reduce(0) { n, m in if case .phase2b = m { n + 1 } else { n } }
        guard votes >= (quorums.first?.nonzeroBitCount ?? 1) else { return nil }
        let view = PaxosConcreteView(s, of: self)
        return (0..<values).first { view.chosen($0).value }.map { .string(Paxos.valueName($0)) }
    }

    public var traceVariables: [String] { PaxosDescription(self).traceVariables }

    /// The state with its message set read from `value`, each message by the description's own
    /// reader: what a cluster's node does with every message it hears, without writing and
    /// reading back the rest of the state as the default does (tested against it).
    public func state<M>(any s: PaxosStateOf<M>, with value: ITFValue, forVariable k: Int) -> PaxosStateOf<M>? {
        let variables = traceVariables
        guard variables.indices.contains(k) else { return nil }
        guard variables[k] == "msgs", case .set(let elements) = value else {
            var values = traceValues(ofAny: s)
            values[k] = value
            return PaxosDescription(self).state(fromTraceValues: values).map(PaxosStateOf.init)
        }
        let names = PaxosDescription(self).processNames
        var messages: [PaxosMessage] = []
        messages.reserveCapacity(elements.count)
        for element in elements {
            guard let m = PaxosMessage(traceValue: element, names) else { return nil }
            messages.append(m)
        }
        var t = s
        t.replaceMessages(messages)
        return t
    }

    public func traceValues<M>(ofAny s: PaxosStateOf<M>) -> [ITFValue] { PaxosDescription(self).traceValues(of: PaxosVariables(s)) }

    /// A state read from a trace, as the description reads it (each value of its variable's type).
    public func state(fromTraceValues values: [ITFValue]) -> PaxosState? {
        PaxosDescription(self).state(fromTraceValues: values).map(PaxosState.init)
    }

    static func traceValue(_ m: PaxosMessage) -> ITFValue {
        switch m {
        case .phase1a(let bal):
            .record([("type", .string("1a")), ("bal", .int(bal))])
        case .phase1b(let acc, let bal, let mbal, let mval):
            .record([("type", .string("1b")), ("acc", .string(acceptorName(acc))), ("bal", .int(bal)),
                     ("mbal", .int(mbal)), ("mval", .string(mval < 0 ? "None" : valueName(mval)))])
        case .phase2a(let bal, let val):
            .record([("type", .string("2a")), ("bal", .int(bal)), ("val", .string(valueName(val)))])
        case .phase2b(let acc, let bal, let val):
            .record([("type", .string("2b")), ("acc", .string(acceptorName(acc))), ("bal", .int(bal)), ("val", .string(valueName(val)))])
        }
    }

    public static func acceptorName(_ a: Int) -> String { "a\(a + 1)" }
    public static func valueName(_ v: Int) -> String { "v\(v + 1)" }
    static func members(_ set: Int) -> [Int] { (0..<Int.bitWidth).filter { set & (1 << $0) != 0 } }
}
