import QuorumCore

/// MultiPaxos in state-machine-replication style, as Guanzhou Hu's MultiPaxos.tla
/// (tlaplus/Examples, specifications/MultiPaxos-SMR): replicas replicate a log of client
/// commands on one key; a replica becomes leader through the prepare phase, adopts the highest
/// votes a majority reports, fills empty slots with pending requests and commits a slot on a
/// majority of accept replies. Clients see requests and acknowledgements, and safety is their
/// linearizability (MultiPaxos_MC.tla).
///
/// Written once over ``Logic``: the explorer, the simulator, `prove`, `bmc` and `conform` all
/// derive their form of it from this description. Specs/MultiPaxos/README.md maps each action
/// and variable to the original.
public struct MultiPaxos: GuardedSystem {
    public typealias State = MultiPaxosVariables; public typealias Action = MultiPaxosAction

    public enum Mutation: String, Mutant {
        case acceptQuorumTooSmall, noAcceptReply, forgetEarlierVotes
        public var breaks: String {
            switch self {
            case .acceptQuorumTooSmall, .forgetEarlierVotes: "Linearizability"
            case .noAcceptReply: "Deadlock"
            }
        }
        public var summary: String {
            switch self {
            case .acceptQuorumTooSmall: "a leader commits a slot on MajorityNum - 1 accept replies (the original's README suggests it)"
            case .noAcceptReply: "a replica accepts without sending its AcceptReply: leaders wait forever (the original's README suggests it)"
            case .forgetEarlierVotes: "a prepared leader keeps its own log instead of adopting the highest votes a majority reports"
            }
        }
    }

    public struct Parameters: ParameterSet {
        public var replicas = 3, writes = 1, reads = 1, maxBallot = 2
        public init() {}
        public static let parameters = [
            ParameterField("replicas", \Self.replicas, range: 1...5, "replicas of the coordination service"),
            ParameterField("writes", \Self.writes, range: 1...2, "client write commands (each writes its own value)"),
            ParameterField("reads", \Self.reads, range: 0...1, "client read commands"),
            ParameterField("maxBallot", \Self.maxBallot, range: 2...3, "the highest ballot a replica may pick"),
        ]
    }

    public let replicas: Int, writes: Int, reads: Int, maxBallot: Int
    public let mutation: Mutation?
    public let processNames: ProcessNames
    let space: MessageSpace
    /// `votes[code][k - 1]`: the vote for slot k in a PrepareReply's votes numbered `code`.
    let votes: [[(bal: Int, cmd: Int)]]

    public init(_ p: Parameters = Parameters(), mutation: Mutation? = nil) {
        replicas = p.replicas; writes = p.writes; reads = p.reads; maxBallot = p.maxBallot
        self.mutation = mutation
        let commands = p.writes + p.reads
        processNames = ProcessNames(prefix: "s", count: replicas, capacity: ClientEvent.count(commands: commands, writes: writes),
                                    sizes: ["writes": writes, "reads": reads, "maxBallot": maxBallot])
        space = MessageSpace(processNames)
        votes = (0..<space.voteLists).map { [space] code in (1...commands).map { space.vote(code, slot: $0) } }
    }

    var commands: Int { writes + reads }
    /// `MajorityNum`.
    var majority: Int { replicas / 2 + 1 }
    var ballots: ClosedRange<Int> { 1...maxBallot }
    var slots: ClosedRange<Int> { 1...commands }

    /// "nil", then the writes "w1"…, then the reads "r1"…: MultiPaxos_MC's model values.
    public static func commandName(_ c: Int, writes: Int) -> String { c == 0 ? "nil" : c <= writes ? "w\(c)" : "r\(c - writes)" }


    /// `Init`: no messages, every node `NullNode`, every command pending, nothing observed.
    public var blank: MultiPaxosVariables {
        MultiPaxosVariables(msgs: [], node: Array(repeating: ReplicaNode(commands: commands), count: replicas),
                            pending: PendingCommands(Array(slots)), observed: [], pc: Array(repeating: .rloop, count: replicas))
    }
    public var initialStates: [MultiPaxosVariables] { [blank] }

    func action(_ kind: MultiPaxosAction.Kind, _ r: Int?, ballot: Int = 0, slot: Int = 0, command: Int = 0, emptySlot: Int = 0,
                message: MultiPaxosMessage? = nil) -> MultiPaxosAction {
        MultiPaxosAction(kind, r, ballot: ballot, slot: slot, command: command, emptySlot: emptySlot, message: message, writes: writes)
    }

    /// `Next`: per replica its macros in the order of `rloop`'s `either`, then the loop's exit;
    /// then `Terminating`. The handlers of a message have one instance per message of the type.
    public var actionInstances: [MultiPaxosAction] {
        let all = (0..<space.count).map(space.element)
        return (0..<replicas).flatMap { r in
            instances(r, prepares: all.filter { $0.kind == .prepare }, accepts: all.filter { $0.kind == .accept })
        } + [action(.Terminating, nil)]
    }

    /// The same, with the handlers of messages that are in `msgs` only.
    public func candidateInstances(in state: MultiPaxosVariables, into candidates: inout [MultiPaxosAction]) {
        let sent = state.msgs.sorted { space.position($0)! < space.position($1)! }
        let prepares = sent.filter { $0.kind == .prepare }, accepts = sent.filter { $0.kind == .accept }
        for r in 0..<replicas { candidates += instances(r, prepares: prepares, accepts: accepts) }
        candidates.append(action(.Terminating, nil))
    }

    func instances(_ r: Int, prepares: [MultiPaxosMessage], accepts: [MultiPaxosMessage]) -> [MultiPaxosAction] {
        ballots.map { action(.BecomeLeader, r, ballot: $0) }
            + prepares.map { action(.HandlePrepare, r, message: $0) }
            + ballots.map { action(.HandlePrepareReplies, r, ballot: $0) }
            + slots.flatMap { e in slots.filter { $0 <= e }.flatMap { k in slots.map { action(.TakeNewRequest, r, slot: k, command: $0, emptySlot: e) } } }
            + accepts.map { action(.HandleAccept, r, message: $0) }
            + slots.flatMap { k in ballots.map { action(.HandleAcceptReplies, r, ballot: $0, slot: k) } }
            + slots.map { action(.HandleCommitNotice, r, slot: $0) }
            + [action(.Exit, r)]
    }

    public func step<L: Logic>(_ a: MultiPaxosAction, _ s: inout Step<L, MultiPaxosVariables>) -> Formula<L> {
        let now = s.now
        guard let r = a.replica else { return forAll(0..<replicas) { now[\.pc][$0] == .done } }
        let n = now[\.node][r], running = now[\.pc][r] == .rloop
        if a.action == .Exit {
            s.set(\.pc, r, .done)
            return running && terminated(now)
        }
        let enabled = running && !terminated(now) && guardOf(a, r, n, now)
        if L.isFalse(enabled.value) { return enabled }
        effect(a, r, n, now, &s)
        return enabled
    }

    /// The guard of a step of `rloop` (beyond "the loop runs").
    func guardOf<L: Logic>(_ a: MultiPaxosAction, _ r: Int, _ n: Slots<L, ReplicaNode>, _ now: StateTerms<L, State>) -> Formula<L> {
        let msgs = now[\.msgs], me = Term<L>(r + 1)
        switch a.action {
        case .BecomeLeader:
            return n.leader != me && Term(a.ballot) > n.balMaxKnown
                && forAll(0..<replicas) { !has(msgs, .prepare($0, a.ballot)) }
        case .HandlePrepare:
            return has(msgs, a.message!) && Term(a.message!.bal) > n.balMaxKnown
        case .HandlePrepareReplies:
            return n.leader == me && n.balPrepared == 0 && n.balMaxKnown == Term(a.ballot)
                && replies(a.ballot).reduce(Term(0)) { $0 + msgs.slot($1.position) } >= Term(majority)
        case .TakeNewRequest:
            let k = a.slot, c = a.command
            return n.leader == me && n.balPrepared == n.balMaxKnown
                && n.status(a.emptySlot) == InstanceStatus.empty.term()
                && n.status(k) == InstanceStatus.empty.term() && forAll(1..<k) { n.status($0) != InstanceStatus.empty.term() }
                && unseenPending(c, n, now) && forAll(1..<c) { !unseenPending($0, n, now) }
        case .HandleAccept:
            let m = a.message!
            return has(msgs, m) && Term(m.bal) >= n.balMaxKnown && Term(m.bal) > n.votedBal(m.slot)
        case .HandleAcceptReplies:
            let k = a.slot, quorum = mutation == .acceptQuorumTooSmall ? majority - 1 : majority
            return n.leader == me && n.balPrepared == n.balMaxKnown && n.commitUpTo == Term(k - 1)
                && n.status(k) == InstanceStatus.accepting.term() && n.balPrepared == Term(a.ballot)
                && count((0..<replicas).map { has(msgs, .acceptReply($0, a.ballot, slot: k)) }) >= Term(quorum)
        case .HandleCommitNotice:
            let k = a.slot
            return n.leader != me && n.commitUpTo == Term(k - 1) && n.status(k) == InstanceStatus.accepting.term()
                && has(msgs, .commitNotice(k))
        case .Exit, .Terminating:
            preconditionFailure("not a step of the loop's body")
        }
    }

    /// What a step of `rloop` assigns, its guard holding.
    func effect<L: Logic>(_ a: MultiPaxosAction, _ r: Int, _ n: Slots<L, ReplicaNode>, _ now: StateTerms<L, State>,
                          _ s: inout Step<L, MultiPaxosVariables>) {
        func set(_ field: Int, _ value: Term<L>) { s.set(\.node, r, slot: field, to: value) }
        func setInstance(_ k: Int, _ f: Int, _ value: Term<L>) { set(ReplicaNode.fields + ReplicaNode.instanceFields * (k - 1) + f, value) }
        let accepting = InstanceStatus.accepting.term() as Term<L>
        /// Every `Accepting` instance goes back to `Preparing`.
        func restartPrepare() {
            for k in slots { setInstance(k, 0, ite(n.status(k) == accepting, InstanceStatus.preparing.term(), n.status(k))) }
        }
        switch a.action {
        case .BecomeLeader:
            set(0, Term(r + 1)); set(3, 0); set(4, Term(a.ballot))
            restartPrepare()
            s.insert(\.msgs, .prepare(r, a.ballot))
            sendPrepareReply(r, a.ballot, n, &s)
        case .HandlePrepare:
            let m = a.message!
            set(0, Term(m.src + 1)); set(4, Term(m.bal))
            restartPrepare()
            sendPrepareReply(r, m.bal, n, &s)
        case .HandlePrepareReplies:
            let b = a.ballot
            set(3, Term(b))
            for k in slots {
                let status = n.status(k)
                let peak = mutation == .forgetEarlierVotes ? n.cmd(k) : peakVotedCommand(b, k, now)
                let adopts = status == InstanceStatus.preparing.term() || (status == InstanceStatus.empty.term() && peak != 0)
                setInstance(k, 0, ite(adopts, accepting, status))
                setInstance(k, 1, peak)
                for c in 0...commands { s.insert(\.msgs, .accept(r, b, slot: k, cmd: c), if: (adopts || status == accepting) && peak == Term(c)) }
            }
        case .TakeNewRequest:
            let k = a.slot, c = a.command
            setInstance(k, 0, accepting); setInstance(k, 1, Term(c)); setInstance(k, 2, n.balPrepared); setInstance(k, 3, Term(c))
            for b in ballots {
                s.insert(\.msgs, .accept(r, b, slot: k, cmd: c), if: n.balPrepared == Term(b))
                s.insert(\.msgs, .acceptReply(r, b, slot: k), if: n.balPrepared == Term(b))
            }
            observe(Term(ClientEvent.request(c).value), now, &s)
        case .HandleAccept:
            let m = a.message!
            set(0, Term(m.src + 1)); set(4, Term(m.bal))
            setInstance(m.slot, 0, accepting); setInstance(m.slot, 1, Term(m.cmd))
            setInstance(m.slot, 2, Term(m.bal)); setInstance(m.slot, 3, Term(m.cmd))
            if mutation != .noAcceptReply { s.insert(\.msgs, .acceptReply(r, m.bal, slot: m.slot)) }
        case .HandleAcceptReplies:
            let k = a.slot, c = n.cmd(k)
            commit(k, c, n, set, setInstance)
            observe(Term(commands) + (writes + 1) * c + n.kvalue, now, &s)
            for x in slots { s.set(\.pending, slot: x - 1, to: ite(c == Term(x), 0, Term(value: now[\.pending].terms[now[\.pending].terms.startIndex + x - 1]))) }
            s.insert(\.msgs, .commitNotice(k))
        case .HandleCommitNotice:
            commit(a.slot, n.cmd(a.slot), n, set, setInstance)
        case .Exit, .Terminating:
            preconditionFailure("not a step of the loop's body")
        }
    }

    /// Slot `k` committed, and the command applied to the key.
    func commit<L: Logic>(_ k: Int, _ c: Term<L>, _ n: Slots<L, ReplicaNode>, _ set: (Int, Term<L>) -> Void, _ setInstance: (Int, Int, Term<L>) -> Void) {
        setInstance(k, 0, InstanceStatus.committed.term())
        set(2, Term(k))
        set(1, ite(isWrite(c), c, n.kvalue))
    }

    func isWrite<L: Logic>(_ c: Term<L>) -> Formula<L> { Term(1) <= c && c <= Term(writes) }

    /// `PrepareReplyMsg(r, b, VotesByNode(node[r]))`: one insertion per list of votes.
    func sendPrepareReply<L: Logic>(_ r: Int, _ b: Int, _ n: Slots<L, ReplicaNode>, _ s: inout Step<L, MultiPaxosVariables>) {
        for code in votes.indices {
            let voted = forAll(slots) { k in n.votedBal(k) == Term(votes[code][k - 1].bal) && n.votedCmd(k) == Term(votes[code][k - 1].cmd) }
            s.insert(\.msgs, .prepareReply(r, b, votes: code), if: voted)
        }
    }

    /// `m \in msgs`.
    func has<L: Logic>(_ msgs: Slots<L, Set<MultiPaxosMessage>>, _ m: MultiPaxosMessage) -> Formula<L> { msgs.slot(space.position(m)!) == 1 }

    /// Every PrepareReply of ballot `b` the types allow: its place in the universe, and its votes' number.
    func replies(_ b: Int) -> [(position: Int, votes: Int)] {
        (0..<replicas).flatMap { src in
            let first = space.position(.prepareReply(src, b, votes: 0))!
            return (0..<space.voteLists).map { (first + $0, $0) }
        }
    }

    /// `PeakVotedCmd(prs, k)` for the PrepareReplies of ballot `b`: "nil" when none reports a
    /// vote for slot `k`, else the first (ballot, command), in the order TLC's CHOOSE takes them,
    /// that some reply reports and no reply exceeds.
    func peakVotedCommand<L: Logic>(_ b: Int, _ k: Int, _ now: StateTerms<L, State>) -> Term<L> {
        let msgs = now[\.msgs]
        let reports = replies(b).map { (present: msgs.slot($0.position) == 1, vote: votes[$0.votes][k - 1]) }
        var peak = Term<L>(0)
        for vb in ballots.reversed() {
            for vc in slots.reversed() {
                let chosen = exists(reports.filter { $0.vote == (vb, vc) }) { $0.present }
                    && forAll(reports.filter { $0.vote.bal > vb }) { !$0.present }
                peak = ite(chosen, Term(vc), peak)
            }
        }
        return ite(forAll(reports.filter { $0.vote.bal != 0 }) { !$0.present }, 0, peak)
    }

    /// Command `c` is in `UnseenPending(node[r].insts)`: pending, and in no slot of r's log.
    func unseenPending<L: Logic>(_ c: Int, _ n: Slots<L, ReplicaNode>, _ now: StateTerms<L, State>) -> Formula<L> {
        let pending = now[\.pending]
        return Term(value: pending.terms[pending.terms.startIndex + c - 1]) == 1 && forAll(slots) { n.cmd($0) != Term(c) }
    }

    /// `Observe(e)`: `e` appended to `observed` unless it is there.
    func observe<L: Logic>(_ e: Term<L>, _ now: StateTerms<L, State>, _ s: inout Step<L, MultiPaxosVariables>) {
        let observed = now[\.observed], length = observed.count()
        let seen = exists(observed.places()) { i in Term(i) < length && observed[i].term == e }
        s.set(\.observed, count: ite(seen, length, length + 1)) { i in
            [ite(!seen && length == Term(i), e, observed[i].term)]
        }
    }

    /// `terminated`: nothing pending, and every command requested and acknowledged.
    func terminated<L: Logic>(_ now: StateTerms<L, State>) -> Formula<L> {
        let pending = now[\.pending]
        return forAll(pending.terms) { Term(value: $0) == 0 }
            && forAll(slots) { c in observedContains(ClientEvent.request(c), now) }
            && count((0...commands).map { c in exists(0...writes) { observedContains(ClientEvent.ack(c, $0, commands: commands, writes: writes), now) } }) == Term(commands)
    }

    func observedContains<L: Logic>(_ e: ClientEvent, _ now: StateTerms<L, State>) -> Formula<L> {
        let observed = now[\.observed], length = observed.count()
        return exists(observed.places()) { Term($0) < length && observed[$0].term == Term(e.value) }
    }

    func count<L: Logic>(_ facts: [Formula<L>]) -> Term<L> { facts.reduce(Term(0)) { $0 + ite($1, 1, 0) } }

    public func properties<L: Logic>(of s: StateTerms<L, MultiPaxosVariables>) -> [StateProperty<L>] {
        [
            StateProperty("TypeOK", "every message, node and client event is of its type, and each event is observed once (MultiPaxos_MC.tla)",
                          conjuncts: typeOK(s)),
            StateProperty("Linearizability", "once every command is acknowledged, some order of them explains every result and respects real time (MultiPaxos_MC.tla)",
                          terminated(s) ==> linearizable(s)),
        ]
    }

    /// TypeOK's conjuncts that the slots' ranges do not already give.
    func typeOK<L: Logic>(_ s: StateTerms<L, State>) -> [(name: String, formula: Formula<L>)] {
        let observed = s[\.observed], length = observed.count(), places = observed.places()
        return [
            ("messagesTyped", forAll(0..<replicas) { r in forAll(ballots) { b in forAll(slots) { !has(s[\.msgs], .accept(r, b, slot: $0, cmd: 0)) } } }),
            ("observedBounded", length <= Term(2 * commands)),
            ("observedOnce", forAll(places) { i in forAll(places.filter { $0 > i }) { j in Term(j) < length ==> (observed[i].term != observed[j].term) } }),
            ("requestsBeforeAcks", count(slots.map { observedContains(.request($0), s) })
                >= count((0...commands).map { c in exists(0...writes) { observedContains(.ack(c, $0, commands: commands, writes: writes), s) } })),
            ("eventsTyped", forAll(0...writes) { !observedContains(.ack(0, $0, commands: commands, writes: writes), s) }),
        ]
    }

    /// `\E order : IsLinearOrder(order) /\ ObeysRealTime(order)`, over the orders of the commands.
    func linearizable<L: Logic>(_ s: StateTerms<L, State>) -> Formula<L> {
        let observed = s[\.observed], length = observed.count(), places = observed.places()
        /// Place i holds c's first Ack, with result v.
        func firstAck(_ c: Int, _ v: Int, at i: Int) -> Formula<L> {
            Term(i) < length && observed[i].term == Term(ClientEvent.ack(c, v, commands: commands, writes: writes).value)
                && forAll(0..<i) { j in forAll(0...writes) { observed[j].term != Term(ClientEvent.ack(c, $0, commands: commands, writes: writes).value) } }
        }
        func result(_ c: Int, is v: Int) -> Formula<L> { exists(places) { firstAck(c, v, at: $0) } }
        /// AckPosOfCmd(c1) < ReqPosOfCmd(c2).
        func ackedBeforeRequested(_ c1: Int, _ c2: Int) -> Formula<L> {
            exists(places) { i in exists(0...writes) { v in firstAck(c1, v, at: i) }
                && exists(places.filter { $0 > i }) { j in Term(j) < length && observed[j].term == Term(ClientEvent.request(c2).value) } }
        }
        return exists(permutations(of: commands)) { perm in
            let order = perm.map { $0 + 1 }
            let linear = forAll(order.indices) { j in
                result(order[j], is: order[..<j].last(where: { $0 <= writes }) ?? 0)
            }
            let realTime = forAll(slots) { c1 in forAll(slots) { c2 in
                order.firstIndex(of: c1)! < order.firstIndex(of: c2)! ? Formula(true) : !ackedBeforeRequested(c1, c2)
            } }
            return linear && realTime
        }
    }

    /// The invariants, then `Termination` (MultiPaxos.tla): every replica eventually leaves its
    /// loop, so every command completes. The original's processes are not fair, so that it holds
    /// only under weak fairness of each replica's steps, which this property assumes. On request:
    /// the liveness graph holds every state.
    public var temporalProperties: [TemporalProperty<MultiPaxosVariables, MultiPaxosAction>] {
        let fairness = (0..<replicas).map { r in Fairness<MultiPaxosVariables, MultiPaxosAction>.weak("Replica(s\(r + 1))") { _, a in a.replica == r } }
        return conditionedInvariants.map { $0.always() } + [
            .eventually("Termination", "every replica eventually leaves its loop, every command completed, under weak fairness of each replica's steps",
                        { $0.pc.allSatisfy { $0 == .done } }, fairness: fairness).onRequest(),
        ]
    }

    /// MultiPaxos_MC's `SymmetricPerms`: the images of a state under every permutation of the
    /// replicas, derived from the variables' types (``ProcessPermutable``). With one write and
    /// one read, as in its small model, the commands have no permutation but the identity.
    public var symmetricProcesses: Bool { true }

    /// The most messages the types may hold: `msgs` is a slot per possible message, and a
    /// PrepareReply carries a vote per slot, so their number grows as ((maxBallot + 1)(N + 1))^N.
    public static let maxMessages = 20_000

    public static let spec: SpecDescriptor = {
        var spec = SpecDescriptor(
        name: "MultiPaxos",
        summary: "MultiPaxos state-machine replication (MultiPaxos-SMR): leader election, a replicated log, linearizable clients",
        mutants: Mutation.self, conformanceSample: 3,
        assumptions: { (p: Parameters, _) in
            let messages = MultiPaxos(p).space.count
            return messages <= maxMessages ? nil
                : "these sizes allow \(messages) distinct messages, more than the \(maxMessages) a state's slots may hold; use fewer replicas, commands or ballots"
        },
        diagram: { MultiPaxos.diagram($0) },
        build: { (p: Parameters, mutation) in MultiPaxos(p, mutation: mutation) })
        // Z3 takes seconds a state to enumerate its successors over about 600 slots: `conform
        // --all` compares a few states among the first thousands.
        spec.conformanceStates = 2_000
        return spec
    }()
}
