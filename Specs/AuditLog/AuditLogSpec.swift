import QuorumCore

extension AuditLog {
    /// AuditLog as `quorum list` and `quorum check` see it.
    public static let spec = SpecDescriptor(
        name: "AuditLog",
        summary: "A hash-chained, append-only result log; an adversary edits a replica; an auditor verifies it from genesis",
        mutants: Mutation.self,
        // The derived form takes about 3 ms per state to compare: 1,000 of the 113,662.
        simulationBounds: ["results": 3, "maxLength": 5, "maxEdits": 4], conformanceSample: 1_000,
        diagram: { AuditLog.diagram($0) },
        build: { p, mutation in AuditLog(p, mutation: mutation) },
        described: { p, mutation in AuditLogDescription(AuditLog(p, mutation: mutation)) }
    )

    /// The model at parameters `p`.
    public init(_ p: AuditLogParameters, mutation: Mutation? = nil) {
        self.init(results: p.results, maxLength: p.maxLength, maxEdits: p.maxEdits, mutation: mutation)
    }
}

/// AuditLog's parameters, each with its default.
public struct AuditLogParameters: ParameterSet {
    public var results = 2, maxLength = 4, maxEdits = 3
    public init() {}
    public static let parameters = [
        ParameterField("results", \Self.results, range: 1...3, "distinct signed result records"),
        ParameterField("maxLength", \Self.maxLength, range: 0...5, "records in the true log"),
        ParameterField("maxEdits", \Self.maxEdits, range: 0...4, "edits the adversary may make to the replica"),
    ]
}
