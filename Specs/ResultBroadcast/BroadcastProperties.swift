import QuorumCore

/// The liveness properties of bcastByz.tla, CorrLtl and RelayLtl, under the spec's weak fairness
/// of correct stations' steps. Its invariants (TypeOK, FCConstraints, and Unforg with its
/// inductive strengthening from InitNoBcast) are formulas of ``BroadcastDescription/properties(of:)``.
enum BroadcastProperties {
    /// WF_vars(\E self \in Corr : ReceiveFromCorrectSender(self) /\ (UponV1(self) \/ ...)): a correct
    /// station that can act on the echoes of correct stations alone eventually does.
    static func correctStep() -> Fairness<BroadcastState, BroadcastAction> {
        .weak("CorrectStep") { s, action in
            if case .step(_, let received, _, _) = action { return received & s.faulty == 0 }
            return false
        }
    }

    static var liveness: [TemporalProperty<BroadcastState, BroadcastAction>] {
        @Sendable func allCorrect(_ s: BroadcastState, _ c: Control) -> Bool { ResultBroadcast.members(s.correct).allSatisfy { s.control($0) == c } }
        @Sendable func someCorrect(_ s: BroadcastState, _ c: Control) -> Bool { ResultBroadcast.members(s.correct).contains { s.control($0) == c } }
        let fairness = [correctStep()]
        return [
            .eventually("Correctness", "if every correct station heard the announcement, eventually every correct station accepts (CorrLtl)",
                        from: { allCorrect($0, .v1) }, { allCorrect($0, .accepted) }, fairness: fairness),
            .leadsTo("Relay", "if a correct station accepts, eventually every correct station accepts (RelayLtl)",
                     { someCorrect($0, .accepted) }, { allCorrect($0, .accepted) }, fairness: fairness),
        ]
    }
}
