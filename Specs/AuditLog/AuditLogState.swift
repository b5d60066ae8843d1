import QuorumCore

/// One record of a replica: a signed result record (`payload`, 0..<results) and the digest field
/// the log writer stored beside it.
public struct Entry: Hashable, Codable, Sendable {
    public var payload: Int
    public var digest: Int
}

/// The true log (payloads only: its digests follow from them), one replica that the adversary
/// edits, and the adversary's edits so far.
public struct AuditLogState: Hashable, Codable, Sendable, Fingerprintable {
    public var log: [Int] = []
    public var replica: [Entry] = []
    public var edits = 0

    public init() {}

    /// The description's variables, as this state holds them.
    public init(_ v: AuditLogVariables) {
        log = v.log.elements.map(\.index)
        replica = v.replica.elements.map { Entry(payload: $0.record.index, digest: $0.digest) }
        edits = v.edits.value
    }

    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        f.combine(log.count)
        for p in log { f.combine(p) }
        f.combine(replica.count)
        for e in replica { f.combine(e.payload | e.digest << 8) }
        f.combine(edits)
    }
}

/// The actions: stations append to the true log, the replica is synchronised with it, and the
/// adversary edits the replica within its budget.
public enum AuditLogAction: Hashable, Codable, Sendable, TraceableAction {
    /// A station appends a signed record to the true log, chained to its last digest.
    case append(payload: Int)
    /// The replica is brought up to date: a faithful copy of the true log.
    case sync
    /// The adversary replaces the payload of entry `index`, leaving the digest fields as they were.
    case rewrite(index: Int, payload: Int)
    /// The adversary deletes entry `index`.
    case delete(index: Int)
    /// The adversary inserts a record before `index`, with the digest computed over its new predecessor.
    case insert(index: Int, payload: Int)
    /// The adversary swaps entries `index` and `index + 1`.
    case swap(index: Int)
    /// The adversary recomputes every digest field of the replica from the genesis digest.
    case rechain

    public var name: String {
        switch self {
        case .append: "Append"
        case .sync: "Sync"
        case .rewrite: "Rewrite"
        case .delete: "Delete"
        case .insert: "Insert"
        case .swap: "Reorder"
        case .rechain: "Rechain"
        }
    }

    public var kind: Int {
        switch self {
        case .append: 0
        case .sync: 1
        case .rewrite: 2
        case .delete: 3
        case .insert: 4
        case .swap: 5
        case .rechain: 6
        }
    }

    public var parameters: [(String, ITFValue)] {
        switch self {
        case .append(let p): [("record", .string(AuditLog.recordName(p)))]
        case .sync, .rechain: []
        case .rewrite(let i, let p), .insert(let i, let p): [("index", .int(i + 1)), ("record", .string(AuditLog.recordName(p)))]
        case .delete(let i), .swap(let i): [("index", .int(i + 1))]
        }
    }

    public var description: String {
        switch self {
        case .append(let p): "a station appends \(AuditLog.recordName(p)) to the true log"
        case .sync: "the replica is copied from the true log"
        case .rewrite(let i, let p): "adversary rewrites entry \(i + 1) of the replica to \(AuditLog.recordName(p)), keeping its digest"
        case .delete(let i): "adversary deletes entry \(i + 1) of the replica"
        case .insert(let i, let p): "adversary inserts \(AuditLog.recordName(p)) as entry \(i + 1) of the replica"
        case .swap(let i): "adversary swaps entries \(i + 1) and \(i + 2) of the replica"
        case .rechain: "adversary recomputes every digest of the replica"
        }
    }
}
