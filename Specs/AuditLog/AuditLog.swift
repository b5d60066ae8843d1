import QuorumCore

/// A hash-chained, append-only log of result records, a replica an adversary may tamper with, and
/// an auditor that verifies the replica from the genesis digest.
///
/// Digests are abstract: `digest(record, previous)` is injective, so there are no collisions in
/// the model. It is realised exactly by numbering chains: the digest of a chain of records is the
/// chain itself written in base `results + 1`, which is what makes the digest of the head identify
/// every record before it. The auditor knows the head digests the log writer published after each
/// append (as a returning officer would publish them), but nothing of the replica's history.
public struct AuditLog: TransitionSystem {
    /// The mutants, each breaking TamperEvident.
    public enum Mutation: String, Mutant {
        /// The digest covers only the record, not its predecessor's digest.
        case digestWithoutPredecessor
        /// The auditor checks only the last record's link and the head, not the chain from genesis.
        case auditLastRecordOnly

        public var breaks: String { "TamperEvident" }
        public var summary: String {
            switch self {
            case .digestWithoutPredecessor: "the digest covers only the record, not its predecessor's digest: deletion and reordering go undetected"
            case .auditLastRecordOnly: "the auditor checks only the last record against its predecessor: a rewritten earlier record goes undetected"
            }
        }
    }

    public let results: Int
    public let maxLength: Int
    public let maxEdits: Int
    public let mutation: Mutation?

    public init(results: Int = AuditLogParameters().results, maxLength: Int = AuditLogParameters().maxLength,
                maxEdits: Int = AuditLogParameters().maxEdits, mutation: Mutation? = nil) {
        self.results = results
        self.maxLength = maxLength
        self.maxEdits = maxEdits
        self.mutation = mutation
    }

    /// The digest before the first record.
    public static let genesis = 0

    /// `digest(record, previous)`: injective in the spec; the mutant forgets `previous`. Written
    /// over ``Logic`` for the description's sake; these functions use it on plain integers.
    public func digest<L: Logic>(_ record: Term<L>, after previous: Term<L>) -> Term<L> {
        mutation == .digestWithoutPredecessor ? record + 1 : (results + 1) * previous + record + 1
    }

    public func digest(_ payload: Int, after previous: Int) -> Int {
        digest(Term<Concrete>(payload), after: Term(previous)).value
    }

    /// The true log as a replica holds it: each record with its chained digest.
    public func chain(_ payloads: [Int]) -> [Entry] {
        var previous = AuditLog.genesis
        return payloads.map { p in
            previous = digest(p, after: previous)
            return Entry(payload: p, digest: previous)
        }
    }

    /// The auditor's verdict on the replica, as ``AuditLogDescription`` defines it.
    public func auditorAccepts(_ s: AuditLogState) -> Bool { AuditLogDescription(self).accepts(AuditLogVariables(s)) }

    public var initialStates: [AuditLogState] { [AuditLogState()] }

    public func enabledActions(in s: AuditLogState, into actions: inout [AuditLogAction]) {
        if s.log.count < maxLength {
            for p in 0..<results { actions.append(.append(payload: p)) }
        }
        if s.replica != chain(s.log) { actions.append(.sync) }
        guard s.edits < maxEdits else { return }
        let n = s.replica.count
        for i in 0..<n {
            for p in 0..<results where p != s.replica[i].payload { actions.append(.rewrite(index: i, payload: p)) }
        }
        for i in 0..<n { actions.append(.delete(index: i)) }
        for i in 0...n { for p in 0..<results { actions.append(.insert(index: i, payload: p)) } }
        for i in 0..<max(0, n - 1) where s.replica[i] != s.replica[i + 1] { actions.append(.swap(index: i)) }
        if s.replica != rechained(s.replica) { actions.append(.rechain) }
    }

    func rechained(_ replica: [Entry]) -> [Entry] { chain(replica.map(\.payload)) }

    public func apply(_ action: AuditLogAction, to s: AuditLogState) -> AuditLogState {
        var t = s
        switch action {
        case .append(let p):
            t.log.append(p)
        case .sync:
            t.replica = chain(s.log)
        case .rewrite(let i, let p):
            t.replica[i].payload = p
            t.edits += 1
        case .delete(let i):
            t.replica.remove(at: i)
            t.edits += 1
        case .insert(let i, let p):
            let previous = i == 0 ? AuditLog.genesis : s.replica[i - 1].digest
            t.replica.insert(Entry(payload: p, digest: digest(p, after: previous)), at: i)
            t.edits += 1
        case .swap(let i):
            t.replica.swapAt(i, i + 1)
            t.edits += 1
        case .rechain:
            t.replica = rechained(s.replica)
            t.edits += 1
        }
        return t
    }

    /// The log and the edits are bounded by the actions themselves.
    public func isWithinBounds(_ state: AuditLogState) -> Bool { true }

    /// TamperEvident and HonestReplicasPass, as ``AuditLogDescription`` writes them.
    public var invariants: [Invariant<AuditLogState>] {
        AuditLogDescription(self).invariants.map { $0.pulledBack(AuditLogVariables.init) }
    }

    public func metrics(of s: AuditLogState) -> [(String, Int)] { [("log", s.log.count), ("edits", s.edits)] }

    // MARK: Traces

    /// A state read from a trace, as the description reads it.
    public func state(fromTraceValues values: [ITFValue]) -> AuditLogState? {
        AuditLogDescription(self).state(fromTraceValues: values).map(AuditLogState.init)
    }

    public var traceVariables: [String] { ["log", "replica", "edits", "auditorAccepts"] }

    public func traceValues(of s: AuditLogState) -> [ITFValue] {
        [.list(s.log.map { .string(AuditLog.recordName($0)) }),
         .list(s.replica.map { .record([("record", .string(AuditLog.recordName($0.payload))), ("digest", .string(digestName($0.digest)))]) }),
         .int(s.edits),
         .bool(auditorAccepts(s))]
    }

    /// A digest as the chain it identifies: `H(r1·r2)`; the mutant's digests name one record.
    public func digestName(_ d: Int) -> String { AuditLog.digestName(d, results: results) }

    public static func digestName(_ d: Int, results: Int) -> String {
        var records: [String] = []
        var rest = d
        while rest > 0 {
            records.append(AuditLog.recordName((rest - 1) % (results + 1)))
            rest = (rest - 1) / (results + 1)
        }
        return "H(" + records.reversed().joined(separator: "·") + ")"
    }

    /// The digest that ``digestName(_:results:)`` names, if the name is one.
    public static func digest(named name: String, results: Int) -> Int? {
        guard name.hasPrefix("H("), name.hasSuffix(")") else { return nil }
        let inner = name.dropFirst(2).dropLast()
        if inner.isEmpty { return genesis }
        var d = genesis
        for record in inner.split(separator: "·", omittingEmptySubsequences: false) {
            guard record.hasPrefix("r"), let n = Int(record.dropFirst()), (1...results).contains(n) else { return nil }
            d = d * (results + 1) + n
        }
        return d
    }

    public static func recordName(_ p: Int) -> String { "r\(p + 1)" }
}
