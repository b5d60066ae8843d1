import QuorumCore
import QuorumZ3
import Raft

extension Raft {
    /// ``Raft/spec`` with its hand-written symbolic encoding (``RaftEncoding``), so that `prove`,
    /// `bmc` and `conform` run on it. The encoding lives in this target, not in Raft's, so that
    /// `import Raft` does not need Z3.
    public static let specWithEncoding = spec.withSymbolicModel(mutants: Mutation.self) { p, mutation, identity in
        SymbolicModel(RaftEncoding(Raft(RaftParameters(p), mutation: mutation)), model: identity)
    }
}
