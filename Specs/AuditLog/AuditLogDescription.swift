import QuorumCore

/// AuditLog written once over ``Logic``: the true log and the replica as bounded lists, the
/// adversary's edits as guarded assignments, the auditor and both invariants as formulas. The
/// symbolic engines (`prove`, `bmc`, `conform`) derive their form of the spec from it, and the
/// explorer checks its invariants and prints its verdict of the auditor (through
/// ``AuditLogVariables/init(_:)``). The explorer runs ``AuditLog``'s array functions instead
/// (0.45 s at the defaults, against 2.1 s for the derived form; docs/PERFORMANCE.md); the tests
/// check on every reachable state at small bounds, and on the first states found breadth first
/// at the defaults, that the two agree: the same actions in the same order, the same successors
/// and the same trace values.
///
/// Digests are numbers, as in ``AuditLog``: the digest of a chain of records is the chain written
/// in base `results + 1`, so appending a record is `(results + 1) · previous + record + 1`, linear
/// arithmetic that every engine evaluates.
public struct AuditLogDescription: GuardedSystem {
    public typealias State = AuditLogVariables; public typealias Action = AuditLogAction
    public let model: AuditLog
    public init(_ model: AuditLog) { self.model = model }

    var results: Int { model.results }
    /// The longest a replica gets: the true log, then one insertion per edit.
    var capacity: Int { model.maxLength + model.maxEdits }
    /// The records are the layout's named values (`r1`…`rK`), as processes are elsewhere.
    public var processNames: ProcessNames { ProcessNames(prefix: "r", count: results, capacity: capacity) }
    public var blank: AuditLogVariables { AuditLogVariables() }
    public var initialStates: [AuditLogVariables] { [blank] }

    /// Append and Sync, then the adversary's edits: each with its place and record, in the
    /// order ``AuditLog/enabledActions(in:into:)`` lists them.
    public var actionInstances: [AuditLogAction] {
        let places = 0..<capacity, records = 0..<results
        return records.map { .append(payload: $0) } + [.sync]
            + places.flatMap { i in records.map { .rewrite(index: i, payload: $0) } }
            + places.map { .delete(index: $0) }
            + places.flatMap { i in records.map { .insert(index: i, payload: $0) } }
            + places.dropLast().map { .swap(index: $0) } + [.rechain]
    }

    /// The instances whose places lie within the replica (and none of the edits once the
    /// adversary's budget is spent).
    public func candidateInstances(in s: AuditLogVariables, into candidates: inout [AuditLogAction]) {
        let n = s.replica.count, records = 0..<results
        candidates += records.map { .append(payload: $0) } + [.sync]
        guard s.edits.value < model.maxEdits else { return }
        candidates += (0..<n).flatMap { i in records.map { .rewrite(index: i, payload: $0) } } + (0..<n).map { .delete(index: $0) }
            + (0...min(n, capacity - 1)).flatMap { i in records.map { .insert(index: i, payload: $0) } }
            + (0..<max(0, n - 1)).map { .swap(index: $0) } + [.rechain]
    }

    public func step<L: Logic>(_ action: AuditLogAction, _ s: inout Step<L, AuditLogVariables>) -> Formula<L> {
        let log = s[\.log], replica = s[\.replica], n = replica.count(), edits = s[\.edits].term
        let budget = edits < Term(model.maxEdits)
        func records(_ list: Slots<L, BoundedList<Link>>) -> (Int) -> Term<L> { { list[$0].record } }
        switch action {
        case .append(let p):
            s.append(\.log, [Term(p)])
            return log.count() < Term(model.maxLength)
        case .sync:
            s.set(\.replica, count: log.count()) { j in [log[j].index, chained(log, through: j)] }
            return !isChain(of: log, replica)
        case .rewrite(let i, let p):
            s.set(\.replica, i, slot: 0, to: Term(p)); s.set(\.edits, to: edits + 1)
            return budget && Term(i) < n && replica[i].record != Term(p)
        case .delete(let i):
            s.remove(\.replica, at: i); s.set(\.edits, to: edits + 1)
            return budget && Term(i) < n
        case .insert(let i, let p):
            s.insert(\.replica, at: i, [Term(p), model.digest(Term(p), after: i == 0 ? Term(AuditLog.genesis) : replica[i - 1].digest)])
            s.set(\.edits, to: edits + 1)
            return budget && Term(i) <= n && n < Term(capacity)
        case .swap(let i):
            s.swapAt(\.replica, i, i + 1); s.set(\.edits, to: edits + 1)
            return budget && Term(i + 1) < n && !(replica[i] == replica[i + 1])
        case .rechain:
            s.set(\.replica, count: n) { j in [replica[j].record, chained(records(replica), through: j)] }
            s.set(\.edits, to: edits + 1)
            return budget && !replica.allSatisfy { j, e in e.digest == chained(records(replica), through: j) }
        }
    }

    /// The digest of the first `k + 1` records: what the log writer stores beside record `k`.
    func chained<L: Logic>(_ record: (Int) -> Term<L>, through k: Int) -> Term<L> {
        (0...k).reduce(Term(AuditLog.genesis)) { previous, j in model.digest(record(j), after: previous) }
    }

    func chained<L: Logic>(_ log: Slots<L, BoundedList<ProcessID>>, through k: Int) -> Term<L> {
        chained({ log[$0].index }, through: k)
    }

    /// `replica = chain(log)`: the same length, each record the log's with its chained digest.
    func isChain<L: Logic>(of log: Slots<L, BoundedList<ProcessID>>, _ replica: Slots<L, BoundedList<Link>>) -> Formula<L> {
        replica.count() == log.count() && isPrefix(of: log, replica)
    }

    /// Each record of the replica is the log's at its place, with its chained digest (a replica
    /// no longer than the log).
    func isPrefix<L: Logic>(of log: Slots<L, BoundedList<ProcessID>>, _ replica: Slots<L, BoundedList<Link>>) -> Formula<L> {
        replica.count() <= log.count()
            && replica.allSatisfy { j, e in e.record == log[j].index && e.digest == chained(log, through: j) }
    }

    /// The auditor's verdict: every digest recomputed from the genesis record on matches the
    /// stored one (the mutant checks the last one only), and the head is one the log writer
    /// published (genesis, or the digest after some prefix of the true log).
    public func auditorAccepts<L: Logic>(_ s: StateTerms<L, AuditLogVariables>) -> Formula<L> {
        let log = s[\.log], replica = s[\.replica], n = replica.count()
        let head = replica.places().reduce(Term<L>(AuditLog.genesis)) { head, j in ite(n == Term(j + 1), replica[j].digest, head) }
        let published = head == Term(AuditLog.genesis) || exists(log.places()) { k in Term(k) < log.count() && head == chained(log, through: k) }
        let linked = replica.allSatisfy { j, e in
            (model.mutation == .auditLastRecordOnly ? n == Term(j + 1) : Formula(true))
                ==> (e.digest == model.digest(e.record, after: j == 0 ? Term(AuditLog.genesis) : replica[j - 1].digest))
        }
        return published && linked
    }

    public func properties<L: Logic>(of s: StateTerms<L, AuditLogVariables>) -> [StateProperty<L>] {
        let accepts = auditorAccepts(s), honest = isPrefix(of: s[\.log], s[\.replica])
        return [
            StateProperty("TamperEvident", "every replica the auditor accepts is a prefix of the true log", accepts ==> honest),
            StateProperty("HonestReplicasPass", "the auditor accepts every faithful copy of a prefix of the true log", honest ==> accepts),
        ]
    }

    /// The true log within `maxLength` and the edits within `maxEdits` (the lists' slots allow
    /// up to the replica's capacity).
    public func typeConstraint<L: Logic>(_ s: StateTerms<L, AuditLogVariables>) -> Formula<L> {
        s[\.log].count() <= Term(model.maxLength) && s[\.edits].term <= Term(model.maxEdits)
    }

    /// Traces show the auditor's verdict after the variables.
    public var derivedColumns: [DerivedColumn<AuditLogVariables>] { [DerivedColumn("auditorAccepts") { .bool(self.accepts($0)) }] }

    /// The auditor's verdict on a concrete state.
    public func accepts(_ state: AuditLogVariables) -> Bool { auditorAccepts(StateTerms(state, layout: layout)).value }
}

/// The variables of ``AuditLogDescription``, declared once.
public struct AuditLogVariables: DeclaredState {
    /// The true log: the records appended, in order.
    public var log: BoundedList<ProcessID> = []
    /// The replica: each record with the digest stored beside it.
    public var replica: BoundedList<Link> = []
    /// The edits the adversary has made.
    public var edits = EditCount(0)

    public init() {}

    /// ``AuditLog``'s state, as the description's variables.
    public init(_ s: AuditLogState) {
        log = BoundedList(s.log.map { ProcessID($0) })
        replica = BoundedList(s.replica.map { Link(record: ProcessID($0.payload), digest: $0.digest) })
        edits = EditCount(s.edits)
    }

    public static let variables: [StateVariable<AuditLogVariables>] = [
        StateVariable("log", \.log), StateVariable("replica", \.replica), StateVariable("edits", \.edits),
    ]
}

/// A replica's entry: a record and the digest stored beside it (two slots; the digest's range
/// is every chain of up to the capacity's records).
public struct Link: SlotValue, Codable {
    public var record: ProcessID
    public var digest: Int

    public init(record: ProcessID, digest: Int) {
        self.record = record
        self.digest = digest
    }

    public func traceValue(_ records: ProcessNames) -> ITFValue {
        .record([("record", record.traceValue(records)), ("digest", .string(AuditLog.digestName(digest, results: records.count)))])
    }

    public init?(traceValue: ITFValue, _ records: ProcessNames) {
        guard case .record(let fields) = traceValue, fields.count == 2,
              let recordValue = traceValue[field: "record"], let record = ProcessID(traceValue: recordValue, records),
              let name = traceValue[field: "digest"]?.stringValue, let digest = AuditLog.digest(named: name, results: records.count),
              digest <= Link.largestDigest(records) else { return nil }
        self.init(record: record, digest: digest)
    }

    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(record.index)
        f.combine(digest)
    }

    static func largestDigest(_ records: ProcessNames) -> Int {
        (0..<records.capacity).reduce(0) { d, _ in d * (records.count + 1) + records.count }
    }

    public static func slotRanges(_ records: ProcessNames) -> [ClosedRange<Int>] {
        ProcessID.slotRanges(records) + [0...largestDigest(records)]
    }

    public func slots(_ records: ProcessNames, into out: inout [Int]) {
        out.append(record.index)
        out.append(digest)
    }

    public init(slots: ArraySlice<Int>, _ records: ProcessNames) {
        self.init(record: ProcessID(slots[slots.startIndex]), digest: slots[slots.startIndex + 1])
    }
}

extension Slots where V == Link {
    /// The entry's record, as the number of its value.
    public var record: Term<L> { Term(value: terms[terms.startIndex]) }
    public var digest: Term<L> { Term(value: terms[terms.startIndex + 1]) }
}

/// The adversary's edits so far: one slot, at most the capacity (one edit per insertion).
public struct EditCount: OneSlotValue, Codable {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public static func range(_ records: ProcessNames) -> ClosedRange<Int> { 0...records.capacity }
}
