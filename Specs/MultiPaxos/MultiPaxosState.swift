import QuorumCore

/// The model's sizes, as the state's types read them from its ``ProcessNames``: the replicas are
/// the processes ("s1"…), and commands are numbered 1…N, the writes first ("w1"…) and then the
/// reads ("r1"…); 0 is "nil". Ballots are 1…maxBallot, and 0 is "no ballot".
extension ProcessNames {
    var writes: Int { size("writes") }
    var commands: Int { size("writes") + size("reads") }
    var maxBallot: Int { size("maxBallot") }

    /// A command's name in traces (MultiPaxos_MC's model values), "nil" for 0.
    func command(_ c: Int) -> ITFValue { .string(MultiPaxos.commandName(c, writes: writes)) }
    func command(of value: ITFValue?) -> Int? {
        guard let text = value?.stringValue else { return nil }
        return (0...commands).first { MultiPaxos.commandName($0, writes: writes) == text }
    }
}

/// A message of MultiPaxos.tla. `msgs` only grows, as in the original: a message may be received
/// any number of times, or never.
///
/// Its fields are integers so that messages order and hash cheaply; a PrepareReply's `votes` (one
/// vote per slot, each a ballot and a command) is one number in base (maxBallot + 1)(N + 1),
/// slot 1 lowest. Fields a kind does not have are 0.
public struct MultiPaxosMessage: Hashable, Codable, Sendable, Comparable, TraceValue, Enumerable {
    public enum Kind: Int, Codable, Sendable, CaseIterable { case prepare, prepareReply, accept, acceptReply, commitNotice }
    public let kind: Kind
    public let src: Int, bal: Int, slot: Int, cmd: Int, votes: Int

    init(_ kind: Kind, src: Int = 0, bal: Int = 0, slot: Int = 0, cmd: Int = 0, votes: Int = 0) {
        self.kind = kind; self.src = src; self.bal = bal; self.slot = slot; self.cmd = cmd; self.votes = votes
    }
    public static func prepare(_ src: Int, _ bal: Int) -> Self { Self(.prepare, src: src, bal: bal) }
    public static func prepareReply(_ src: Int, _ bal: Int, votes: Int) -> Self { Self(.prepareReply, src: src, bal: bal, votes: votes) }
    public static func accept(_ src: Int, _ bal: Int, slot: Int, cmd: Int) -> Self { Self(.accept, src: src, bal: bal, slot: slot, cmd: cmd) }
    public static func acceptReply(_ src: Int, _ bal: Int, slot: Int) -> Self { Self(.acceptReply, src: src, bal: bal, slot: slot) }
    public static func commitNotice(_ upto: Int) -> Self { Self(.commitNotice, slot: upto) }

    /// The fields in one integer, kind highest, in the order `<` compares them: each field but
    /// `votes` is below 2^8 and `votes` below 2^28 at the parameters' bounds, so that comparing
    /// keys is comparing the fields in turn, and hashing a message is hashing one word (a set of
    /// messages is sorted for every fingerprint and rebuilt for every image under symmetry).
    /// `MultiPaxosTests` checks the order against the fields' on the largest universe.
    var key: Int { kind.rawValue << 60 | src << 52 | bal << 44 | slot << 36 | cmd << 28 | votes }

    public static func < (a: Self, b: Self) -> Bool { a.key < b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// The vote of `slot` (1…N) in `votes`, as (ballot, command).
    static func vote(_ votes: Int, slot: Int, _ p: ProcessNames) -> (bal: Int, cmd: Int) { MessageSpace(p).vote(votes, slot: slot) }

    public static func count(_ p: ProcessNames) -> Int { MessageSpace(p).count }
    public static func all(_ p: ProcessNames) -> [Self] { let space = MessageSpace(p); return (0..<space.count).map(space.element) }
    public func position(_ p: ProcessNames) -> Int? { MessageSpace(p).position(self) }
    public static func element(at k: Int, _ p: ProcessNames) -> Self { MessageSpace(p).element(at: k) }
    /// One universe for every message of a set: reading and writing `msgs` asks for many.
    public static func forEachPosition<S: Sequence<Self>>(of elements: S, _ p: ProcessNames, _ body: (Int?) -> Void) {
        let space = MessageSpace(p)
        for m in elements { body(space.position(m)) }
    }
    public static func elements(at positions: [Int], _ p: ProcessNames) -> [Self] {
        let space = MessageSpace(p)
        return positions.map(space.element)
    }

    public func traceValue(_ p: ProcessNames) -> ITFValue {
        let src = ("src", p.value(src)), bal = ("bal", ITFValue.int(bal))
        switch kind {
        case .prepare: return .record([("type", .string("Prepare")), src, bal])
        case .prepareReply:
            let list = (1...p.commands).map { slot in
                let v = Self.vote(votes, slot: slot, p)
                return ITFValue.record([("bal", .int(v.bal)), ("cmd", p.command(v.cmd))])
            }
            return .record([("type", .string("PrepareReply")), src, bal, ("votes", .list(list))])
        case .accept: return .record([("type", .string("Accept")), src, bal, ("slot", .int(slot)), ("cmd", p.command(cmd))])
        case .acceptReply: return .record([("type", .string("AcceptReply")), src, bal, ("slot", .int(slot))])
        case .commitNotice: return .record([("type", .string("CommitNotice")), ("upto", .int(slot))])
        }
    }

    /// Read field by field (the universe is too large to search), then written back: a value
    /// is accepted only if it is exactly what the message writes.
    public init?(traceValue v: ITFValue, _ p: ProcessNames) {
        guard let type = v[field: "type"]?.stringValue else { return nil }
        let space = MessageSpace(p), src = v[field: "src"].flatMap(p.index(of:)) ?? -1, bal = v[field: "bal"]?.intValue ?? 0
        let slot = v[field: "slot"]?.intValue ?? 0, cmd = p.command(of: v[field: "cmd"]) ?? -1
        let m: MultiPaxosMessage
        switch type {
        case "Prepare": m = .prepare(src, bal)
        case "PrepareReply":
            guard case .list(let votes)? = v[field: "votes"], votes.count == p.commands else { return nil }
            var code = 0
            for vote in votes.reversed() {
                guard let b = vote[field: "bal"]?.intValue, (0...p.maxBallot).contains(b), let c = p.command(of: vote[field: "cmd"]) else { return nil }
                code = code * space.voteValues + b * (p.commands + 1) + c
            }
            m = .prepareReply(src, bal, votes: code)
        case "Accept": m = .accept(src, bal, slot: slot, cmd: cmd)
        case "AcceptReply": m = .acceptReply(src, bal, slot: slot)
        case "CommitNotice": m = .commitNotice(v[field: "upto"]?.intValue ?? 0)
        default: return nil
        }
        guard space.position(m) != nil, m.traceValue(p) == v else { return nil }
        self = m
    }

    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(kind.rawValue); f.combine(src); f.combine(bal); f.combine(slot); f.combine(cmd); f.combine(votes)
    }

}

extension MultiPaxosMessage: ProcessPermutable {
    /// The message with its sender renamed (a CommitNotice names no replica).
    public func permuted(_ p: [Int]) -> Self { kind == .commitNotice ? self : Self(kind, src: p[src], bal: bal, slot: slot, cmd: cmd, votes: votes) }
}

extension ReplicaNode: ProcessPermutable {
    /// The node with the leader it knows renamed (`leader` is a replica's number, 0 for none).
    public func permuted(_ p: [Int]) -> Self {
        var node = self
        if leader > 0 { node.leader = p[leader - 1] + 1 }
        return node
    }
}

/// Commands and client events name no replica.
extension PendingCommands: ProcessPermutable { public func permuted(_ p: [Int]) -> Self { self } }
extension ClientEvent: ProcessPermutable { public func permuted(_ p: [Int]) -> Self { self } }

/// The universe of messages for one model's sizes, kind after kind: Prepare per (src, bal),
/// PrepareReply per (src, bal, votes), Accept per (src, bal, slot, cmd) with cmd 0 ("nil")
/// included so that TypeOK, not the types, rejects it, AcceptReply per (src, bal, slot), and
/// CommitNotice per upto. Positions are computed, not looked up, since every read of `msgs` asks.
struct MessageSpace: Sendable {
    let replicas: Int, ballots: Int, commands: Int, voteValues: Int, voteLists: Int
    /// Where PrepareReply, Accept, AcceptReply and CommitNotice messages start (Prepare at 0),
    /// and where the last ends: five numbers, not an array, since every read of `msgs` makes one.
    let replyStart: Int, acceptStart: Int, acceptReplyStart: Int, noticeStart: Int, count: Int

    init(_ p: ProcessNames) {
        replicas = p.count; ballots = p.maxBallot; commands = p.commands
        let values = (p.maxBallot + 1) * (p.commands + 1)
        voteValues = values
        voteLists = (0..<p.commands).reduce(1) { n, _ in n * values }
        let sb = replicas * ballots
        replyStart = sb
        acceptStart = replyStart + sb * voteLists
        acceptReplyStart = acceptStart + sb * commands * (commands + 1)
        noticeStart = acceptReplyStart + sb * commands
        count = noticeStart + commands
    }

    func start(_ kind: MultiPaxosMessage.Kind) -> Int {
        switch kind {
        case .prepare: 0
        case .prepareReply: replyStart
        case .accept: acceptStart
        case .acceptReply: acceptReplyStart
        case .commitNotice: noticeStart
        }
    }

    /// The vote of `slot` (1…N) in a PrepareReply's `votes`, as (ballot, command).
    func vote(_ votes: Int, slot: Int) -> (bal: Int, cmd: Int) {
        var v = votes
        for _ in 1..<slot { v /= voteValues }
        v %= voteValues
        return (v / (commands + 1), v % (commands + 1))
    }

    func position(_ m: MultiPaxosMessage) -> Int? {
        let n = commands, start = start(m.kind)
        if m.kind == .commitNotice { return (1...n).contains(m.slot) ? start + m.slot - 1 : nil }
        guard (0..<replicas).contains(m.src), (1...ballots).contains(m.bal) else { return nil }
        let sb = m.src * ballots + m.bal - 1
        switch m.kind {
        case .prepare: return start + sb
        case .prepareReply: return (0..<voteLists).contains(m.votes) ? start + sb * voteLists + m.votes : nil
        case .accept: return (1...n).contains(m.slot) && (0...n).contains(m.cmd) ? start + (sb * n + m.slot - 1) * (n + 1) + m.cmd : nil
        case .acceptReply: return (1...n).contains(m.slot) ? start + sb * n + m.slot - 1 : nil
        case .commitNotice: return nil
        }
    }

    func element(at position: Int) -> MultiPaxosMessage {
        let kind = MultiPaxosMessage.Kind.allCases.last { start($0) <= position }!, k = position - start(kind), n = commands
        func srcBal(_ sb: Int) -> (Int, Int) { (sb / ballots, sb % ballots + 1) }
        switch kind {
        case .prepare: let (s, b) = srcBal(k); return .prepare(s, b)
        case .prepareReply: let (s, b) = srcBal(k / voteLists); return .prepareReply(s, b, votes: k % voteLists)
        case .accept: let (s, b) = srcBal(k / (n * (n + 1))); return .accept(s, b, slot: k / (n + 1) % n + 1, cmd: k % (n + 1))
        case .acceptReply: let (s, b) = srcBal(k / n); return .acceptReply(s, b, slot: k % n + 1)
        case .commitNotice: return .commitNotice(k + 1)
        }
    }
}

extension Slots {
    /// Slot `k` of the value, as a term: a set's member by its place in the universe.
    func slot(_ k: Int) -> Term<L> { Term(value: terms[terms.startIndex + k]) }
}

/// An instance's status (MultiPaxos.tla's `Statuses`, and "Empty").
public enum InstanceStatus: String, Hashable, Codable, Sendable, TraceEnum {
    case empty = "Empty", preparing = "Preparing", accepting = "Accepting", committed = "Committed"
}

/// One replica's `node[r]`: the leader it follows (0 for "none", i + 1 for replica i), its
/// key's value, how far it has committed, its ballots, and per slot an instance (status,
/// command, and its vote: ballot and command). Held in slots in this order, which ``Slots``'
/// accessors below name.
public struct ReplicaNode: Hashable, Codable, Sendable, SlotValue {
    public struct Instance: Hashable, Codable, Sendable {
        public var status = InstanceStatus.empty, cmd = 0, votedBal = 0, votedCmd = 0
    }
    public var leader = 0, kvalue = 0, commitUpTo = 0, balPrepared = 0, balMaxKnown = 0
    public var insts: [Instance]

    /// `NullNode`.
    public init(commands: Int) { insts = Array(repeating: Instance(), count: commands) }

    static let fields = 5, instanceFields = 4

    public static func slotCount(_ p: ProcessNames) -> Int { fields + instanceFields * p.commands }
    public static func slotRanges(_ p: ProcessNames) -> [ClosedRange<Int>] {
        [0...p.count, 0...p.writes, 0...p.commands, 0...p.maxBallot, 0...p.maxBallot]
            + (0..<p.commands).flatMap { _ in [0...3, 0...p.commands, 0...p.maxBallot, 0...p.commands] }
    }
    public func slots(_ p: ProcessNames, into out: inout [Int]) {
        out += [leader, kvalue, commitUpTo, balPrepared, balMaxKnown]
        for i in insts { out += [InstanceStatus.allCases.firstIndex(of: i.status)!, i.cmd, i.votedBal, i.votedCmd] }
    }
    public init(slots: ArraySlice<Int>, _ p: ProcessNames) {
        let s = Array(slots)
        (leader, kvalue, commitUpTo, balPrepared, balMaxKnown) = (s[0], s[1], s[2], s[3], s[4])
        insts = (0..<p.commands).map { k in
            let b = Self.fields + Self.instanceFields * k
            return Instance(status: InstanceStatus.allCases[s[b]], cmd: s[b + 1], votedBal: s[b + 2], votedCmd: s[b + 3])
        }
    }

    public func traceValue(_ p: ProcessNames) -> ITFValue {
        .record([
            ("leader", leader == 0 ? .string("none") : p.value(leader - 1)), ("kvalue", p.command(kvalue)),
            ("commitUpTo", .int(commitUpTo)), ("balPrepared", .int(balPrepared)), ("balMaxKnown", .int(balMaxKnown)),
            ("insts", .list(insts.map { i in
                .record([("status", .string(i.status.rawValue)), ("cmd", p.command(i.cmd)),
                         ("voted", .record([("bal", .int(i.votedBal)), ("cmd", p.command(i.votedCmd))]))])
            })),
        ])
    }

    public init?(traceValue: ITFValue, _ p: ProcessNames) {
        func int(_ v: ITFValue?, _ range: ClosedRange<Int>) -> Int? { v?.intValue.flatMap { range.contains($0) ? $0 : nil } }
        guard case .record(let fields) = traceValue, fields.count == 6,
              let leaderValue = traceValue[field: "leader"],
              let leader = leaderValue.stringValue == "none" ? 0 : p.index(of: leaderValue).map({ $0 + 1 }),
              let kvalue = p.command(of: traceValue[field: "kvalue"]), kvalue <= p.writes,
              let commitUpTo = int(traceValue[field: "commitUpTo"], 0...p.commands),
              let balPrepared = int(traceValue[field: "balPrepared"], 0...p.maxBallot),
              let balMaxKnown = int(traceValue[field: "balMaxKnown"], 0...p.maxBallot),
              case .list(let list)? = traceValue[field: "insts"], list.count == p.commands else { return nil }
        var insts: [Instance] = []
        for i in list {
            guard case .record(let f) = i, f.count == 3, case .record(let voted)? = i[field: "voted"], voted.count == 2,
                  let status = i[field: "status"]?.stringValue.flatMap(InstanceStatus.init(rawValue:)),
                  let cmd = p.command(of: i[field: "cmd"]),
                  let votedBal = int(i[field: "voted"]?[field: "bal"], 0...p.maxBallot),
                  let votedCmd = p.command(of: i[field: "voted"]?[field: "cmd"]) else { return nil }
            insts.append(Instance(status: status, cmd: cmd, votedBal: votedBal, votedCmd: votedCmd))
        }
        (self.leader, self.kvalue, self.commitUpTo, self.balPrepared, self.balMaxKnown, self.insts) = (leader, kvalue, commitUpTo, balPrepared, balMaxKnown, insts)
    }

    public func words<H: FingerprintHasher>(into f: inout H) {
        for x in [leader, kvalue, commitUpTo, balPrepared, balMaxKnown] { f.combine(x) }
        for i in insts { for x in [InstanceStatus.allCases.firstIndex(of: i.status)!, i.cmd, i.votedBal, i.votedCmd] { f.combine(x) } }
    }
}

/// A replica's node as terms: its fields by name.
extension Slots where V == ReplicaNode {
    func field(_ k: Int) -> Term<L> { Term(value: terms[terms.startIndex + k]) }
    var leader: Term<L> { field(0) }
    var kvalue: Term<L> { field(1) }
    var commitUpTo: Term<L> { field(2) }
    var balPrepared: Term<L> { field(3) }
    var balMaxKnown: Term<L> { field(4) }
    /// Slot `k` (1…N)'s field `f`: 0 status, 1 command, 2 voted ballot, 3 voted command.
    func instance(_ k: Int, _ f: Int) -> Term<L> { field(ReplicaNode.fields + ReplicaNode.instanceFields * (k - 1) + f) }
    func status(_ k: Int) -> Term<L> { instance(k, 0) }
    func cmd(_ k: Int) -> Term<L> { instance(k, 1) }
    func votedBal(_ k: Int) -> Term<L> { instance(k, 2) }
    func votedCmd(_ k: Int) -> Term<L> { instance(k, 3) }
}

extension InstanceStatus {
    /// The status's slot value, as a term.
    func term<L: Logic>() -> Term<L> { Term(InstanceStatus.allCases.firstIndex(of: self)!) }
}

/// `pending`: the commands no leader has committed yet. Only removals happen to `InitPending`
/// (the writes, then the reads), so it is the set of commands still in it, written to traces
/// as the sequence in that order. One 0/1 slot per command.
public struct PendingCommands: Hashable, Codable, Sendable, SlotValue {
    public var commands: [Int]
    public init(_ commands: [Int]) { self.commands = commands }
    public static func slotRanges(_ p: ProcessNames) -> [ClosedRange<Int>] { Array(repeating: 0...1, count: p.commands) }
    public func slots(_ p: ProcessNames, into out: inout [Int]) { out += (1...p.commands).map { commands.contains($0) ? 1 : 0 } }
    public init(slots: ArraySlice<Int>, _ p: ProcessNames) { commands = slots.indices.filter { slots[$0] != 0 }.map { $0 - slots.startIndex + 1 } }
    public func traceValue(_ p: ProcessNames) -> ITFValue { .list(commands.map(p.command)) }
    public init?(traceValue: ITFValue, _ p: ProcessNames) {
        guard case .list(let list) = traceValue else { return nil }
        let commands = list.compactMap { p.command(of: $0) }
        guard commands.count == list.count, !commands.contains(0), commands == commands.sorted(), Set(commands).count == commands.count else { return nil }
        self.commands = commands
    }
    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(commands.count)
        for c in commands { f.combine(c) }
    }
}

/// A client-observed event: `[type |-> "Req", cmd |-> c]` or `[type |-> "Ack", cmd |-> c, val |-> v]`,
/// numbered in one slot: Req(c) is c - 1, Ack(c, v) is N + c(W + 1) + v. Ack's command may be
/// "nil" (0) so that TypeOK, not the types, rejects it.
public struct ClientEvent: Hashable, Codable, Sendable, OneSlotValue {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ p: ProcessNames) -> ClosedRange<Int> { 0...(count(p) - 1) }
    /// How many events there are: the most `observed` can hold, since it holds each at most once.
    public static func count(_ p: ProcessNames) -> Int { count(commands: p.commands, writes: p.writes) }
    public static func count(commands n: Int, writes w: Int) -> Int { n + (n + 1) * (w + 1) }
    static func request(_ c: Int) -> ClientEvent { ClientEvent(c - 1) }
    static func ack(_ c: Int, _ v: Int, _ p: ProcessNames) -> ClientEvent { ack(c, v, commands: p.commands, writes: p.writes) }
    static func ack(_ c: Int, _ v: Int, commands n: Int, writes w: Int) -> ClientEvent { ClientEvent(n + c * (w + 1) + v) }
    func decoded(_ p: ProcessNames) -> (isAck: Bool, cmd: Int, val: Int) {
        value < p.commands ? (false, value + 1, 0) : (true, (value - p.commands) / (p.writes + 1), (value - p.commands) % (p.writes + 1))
    }
    public func traceValue(_ p: ProcessNames) -> ITFValue {
        let e = decoded(p)
        return e.isAck ? .record([("type", .string("Ack")), ("cmd", p.command(e.cmd)), ("val", p.command(e.val))])
            : .record([("type", .string("Req")), ("cmd", p.command(e.cmd))])
    }
    public init?(traceValue: ITFValue, _ p: ProcessNames) {
        guard let event = (0..<Self.count(p)).first(where: { ClientEvent($0).traceValue(p) == traceValue }) else { return nil }
        value = event
    }
}

/// The PlusCal label each replica is at.
public enum ReplicaPC: String, Hashable, Codable, Sendable, TraceEnum { case rloop, done = "Done" }

/// The variables of MultiPaxos.tla, declared once.
public struct MultiPaxosVariables: DeclaredState {
    public var msgs: Set<MultiPaxosMessage>
    public var node: [ReplicaNode]
    public var pending: PendingCommands
    public var observed: BoundedList<ClientEvent>
    public var pc: [ReplicaPC]
    public static let variables: [StateVariable<MultiPaxosVariables>] = [
        StateVariable("msgs", \.msgs), StateVariable("node", \.node), StateVariable("pending", \.pending),
        StateVariable("observed", \.observed), StateVariable("pc", \.pc),
    ]
}
