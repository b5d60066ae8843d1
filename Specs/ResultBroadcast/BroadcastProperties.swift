import QuorumCore

/// The properties of bcastByz.tla: its invariants TypeOK and FCConstraints (checked by the
/// explorer, as in bcastByz.cfg), Unforgeability for runs that start without the announcement
/// (SpecNoBcast's invariant Unforg), and the liveness properties CorrLtl and RelayLtl under the
/// spec's weak fairness of correct stations' steps.
enum BroadcastProperties {
    static func invariants(for model: ResultBroadcast) -> [Invariant<BroadcastState>] {
        let n = model.stations, t = model.maxFaulty
        let all = model.everyone
        return [
            Invariant("TypeOK", "pc in {V0, V1, SE, AC}; sent only from correct stations; rcvd within sent and the faulty echoes") { s in
                (0..<n).allSatisfy { (0...3).contains(s.pc[$0]) && s.rcvd[$0] & ~(s.sent | s.faulty) == 0 }
                    && s.sent & ~s.correct == 0
            },
            Invariant("FCConstraints", "Corr and Faulty partition the stations; at least N − T correct, at most T faulty") { s in
                s.correct | s.faulty == all && s.correct & s.faulty == 0
                    && s.correct.nonzeroBitCount >= n - t && s.faulty.nonzeroBitCount <= t
            },
        ]
    }

    /// WF_vars(\E self \in Corr : ReceiveFromCorrectSender(self) /\ (UponV1(self) \/ ...)): a correct
    /// station that can act on the echoes of correct stations alone eventually does.
    static func correctStep() -> Fairness<BroadcastState, BroadcastAction> {
        .weak("CorrectStep") { s, action in
            if case .step(_, let received, _, _) = action { return received & s.faulty == 0 }
            return false
        }
    }

    static func temporal(for model: ResultBroadcast) -> [TemporalProperty<BroadcastState, BroadcastAction>] {
        @Sendable func allCorrect(_ s: BroadcastState, _ c: Control) -> Bool { ResultBroadcast.members(s.correct).allSatisfy { s.control($0) == c } }
        @Sendable func someCorrect(_ s: BroadcastState, _ c: Control) -> Bool { ResultBroadcast.members(s.correct).contains { s.control($0) == c } }
        let fairness = [correctStep()]
        return [
            .always("Unforgeability", "if no correct station heard the announcement, no correct station ever accepts (Unforg from InitNoBcast)",
                    from: { allCorrect($0, .v0) }, { !someCorrect($0, .accepted) }),
            .eventually("Correctness", "if every correct station heard the announcement, eventually every correct station accepts (CorrLtl)",
                        from: { allCorrect($0, .v1) }, { allCorrect($0, .accepted) }, fairness: fairness),
            .leadsTo("Relay", "if a correct station accepts, eventually every correct station accepts (RelayLtl)",
                     { someCorrect($0, .accepted) }, { allCorrect($0, .accepted) }, fairness: fairness),
        ]
    }
}
