import QuorumCore

/// TwoPhaseCommit as a running cluster (`quorum cluster twophasecommit`): each resource manager a
/// node, the transaction manager on the first node, `msgs` what the nodes exchange.
extension TwoPhaseCommit {
    public func node(of action: CommitAction) -> Int? { action.process ?? 0 }
    public var messageVariable: String? { "msgs" }
}
