import QuorumCore

extension AuditLog {
    /// AuditLog as `quorum list` and `quorum check` see it.
    public static let spec = SpecDescriptor(
        name: "AuditLog",
        summary: "A hash-chained, append-only result log; an adversary edits a replica; an auditor verifies it from genesis",
        parameters: [
            Parameter("results", default: 2, range: 1...3, "distinct signed result records"),
            Parameter("maxLength", default: 4, range: 0...5, "records in the true log"),
            Parameter("maxEdits", default: 3, range: 0...4, "edits the adversary may make to the replica"),
        ],
        mutants: Mutation.self,
        // The derived form takes about 3 ms per state to compare: 1,000 of the 113,662.
        simulationBounds: ["results": 3, "maxLength": 5, "maxEdits": 4], conformanceSample: 1_000,
        diagram: { AuditLog.diagram($0) },
        build: { p, mutation in make(p, mutation) },
        described: { p, mutation in AuditLogDescription(make(p, mutation)) }
    )

    static func make(_ p: [String: Int], _ mutation: Mutation?) -> AuditLog {
        AuditLog(results: p["results"]!, maxLength: p["maxLength"]!, maxEdits: p["maxEdits"]!, mutation: mutation)
    }
}
