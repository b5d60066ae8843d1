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
    public enum Mutation: String, Sendable, CaseIterable {
        /// The digest covers only the record, not its predecessor's digest.
        case digestWithoutPredecessor
        /// The auditor checks only the last record's link and the head, not the chain from genesis.
        case auditLastRecordOnly
    }

    public let results: Int
    public let maxLength: Int
    public let maxEdits: Int
    public let mutation: Mutation?

    public init(results: Int = 2, maxLength: Int = 4, maxEdits: Int = 3, mutation: Mutation? = nil) {
        self.results = results
        self.maxLength = maxLength
        self.maxEdits = maxEdits
        self.mutation = mutation
    }

    /// The digest before the first record.
    public static let genesis = 0

    /// `digest(record, previous)`: injective in the spec; the mutant forgets `previous`.
    public func digest(_ payload: Int, after previous: Int) -> Int {
        mutation == .digestWithoutPredecessor ? payload + 1 : previous * (results + 1) + payload + 1
    }

    /// The true log as a replica holds it: each record with its chained digest.
    public func chain(_ payloads: [Int]) -> [Entry] {
        var previous = AuditLog.genesis
        return payloads.map { p in
            previous = digest(p, after: previous)
            return Entry(payload: p, digest: previous)
        }
    }

    /// The head digests published after each append, genesis included.
    public func publishedHeads(_ s: AuditLogState) -> Set<Int> {
        Set([AuditLog.genesis] + chain(s.log).map(\.digest))
    }

    /// The auditor's verdict on the replica: every digest recomputed from the genesis record on
    /// matches the stored one, and the head is one the log writer published.
    public func auditorAccepts(_ s: AuditLogState) -> Bool {
        let head = s.replica.last?.digest ?? AuditLog.genesis
        guard publishedHeads(s).contains(head) else { return false }
        let checked = mutation == .auditLastRecordOnly ? max(0, s.replica.count - 1)..<s.replica.count : s.replica.indices
        for i in checked {
            let previous = i == 0 ? AuditLog.genesis : s.replica[i - 1].digest
            if digest(s.replica[i].payload, after: previous) != s.replica[i].digest { return false }
        }
        return true
    }

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

    public var invariants: [Invariant<AuditLogState>] {
        [
            Invariant("TamperEvident", "every replica the auditor accepts is a prefix of the true log") { s in
                !auditorAccepts(s) || (s.replica.count <= s.log.count && s.replica == chain(Array(s.log.prefix(s.replica.count))))
            },
            Invariant("HonestReplicasPass", "the auditor accepts every faithful copy of a prefix of the true log") { s in
                s.replica.count > s.log.count || s.replica != chain(Array(s.log.prefix(s.replica.count))) || auditorAccepts(s)
            },
        ]
    }

    public func metrics(of s: AuditLogState) -> [(String, Int)] { [("log", s.log.count), ("edits", s.edits)] }

    // MARK: Traces

    public var traceVariables: [String] { ["log", "replica", "edits", "auditorAccepts"] }

    public func traceValues(of s: AuditLogState) -> [ITFValue] {
        [.list(s.log.map { .string(AuditLog.recordName($0)) }),
         .list(s.replica.map { .record([("record", .string(AuditLog.recordName($0.payload))), ("digest", .string(digestName($0.digest)))]) }),
         .int(s.edits),
         .bool(auditorAccepts(s))]
    }

    /// A digest as the chain it identifies: `H(r1·r2)`; the mutant's digests name one record.
    public func digestName(_ d: Int) -> String {
        var records: [String] = []
        var rest = d
        while rest > 0 {
            records.append(AuditLog.recordName((rest - 1) % (results + 1)))
            rest = (rest - 1) / (results + 1)
        }
        return "H(" + records.reversed().joined(separator: "·") + ")"
    }

    public static func recordName(_ p: Int) -> String { "r\(p + 1)" }
}
