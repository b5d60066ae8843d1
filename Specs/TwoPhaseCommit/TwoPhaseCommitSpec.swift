import QuorumCore

extension TwoPhaseCommit {
    /// TwoPhaseCommit as `quorum list` and `quorum check` see it.
    public static let spec = SpecDescriptor(
        name: "TwoPhaseCommit",
        summary: "Two-phase commit (TwoPhase.tla): a transaction manager and resource managers agree to commit or abort",
        parameters: [Parameter("resourceManagers", default: 3, range: 1...6, "the resource managers (banks in the story)")],
        variants: [
            Variant("commitWithoutAllPrepared", breaks: "TCConsistent",
                    "the TM commits once any RM has prepared: another RM may already have aborted"),
        ],
        diagram: { TwoPhaseCommit.diagram($0) },
        build: { p, variant in
            TwoPhaseCommit(resourceManagers: p["resourceManagers"]!, mutation: variant.flatMap { Mutation(rawValue: $0.name) })
        }
    )
}
