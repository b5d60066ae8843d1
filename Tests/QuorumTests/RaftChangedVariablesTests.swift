import Testing
import QuorumCore
@testable import Raft

/// `Raft.changedVariables(between:and:by:)`, which compares only the variables an action writes
/// (``RaftVariable/written(by:)``), against the full comparison: the explorer restricts the
/// invariants it evaluates again, and recognises a step that changed nothing, by the former.
/// And `Raft.isWithinBounds(_:changed:)`, the constraint checked only on what changed, against
/// the full constraint.
@Suite struct RaftChangedVariablesTests {
    /// Every successor of the states of 2,000 random runs of 80 steps within the bounds (each step
    /// of a random kind), of the model and of each mutant, whose steps write where the model's do not (`forgetVoteOnRestart`'s
    /// `Restart` writes `votedFor`), with an entry in the logs so that every action fires: the
    /// states a breadth-first search meets first hold no leader.
    @Test(arguments: [nil] + Raft.Mutation.allCases.map(Optional.some))
    func anActionChangesOnlyWhatItWrites(mutation: Raft.Mutation?) {
        let raft = Raft(servers: 3, values: 1, maxTerm: 3, maxLogLength: 2, maxMessages: 2, mutation: mutation)
        var random = SeededGenerator(seed: 8)
        var disagreements = 0, beyondWrites = 0, boundsDisagreements = 0
        // The successors of each kind of action that changed a variable.
        var changing = [Int](repeating: 0, count: raft.actionNames.count)
        for _ in 0..<2_000 {
            var state = raft.initialStates[0]
            for _ in 0..<80 {
                // The successors within the bounds, by kind of action.
                var within = [[RaftState]](repeating: [], count: raft.actionNames.count)
                for action in raft.enabledActions(in: state) {
                    let successor = raft.apply(action, to: state)
                    withUnsafePointer(to: state) { before in
                        withUnsafePointer(to: successor) { after in
                            let all = raft.changedVariables(between: before, and: after)
                            if raft.changedVariables(between: before, and: after, by: action) != all { disagreements += 1 }
                            if all & ~RaftVariable.written(by: action) != 0 { beyondWrites += 1 }
                            if all != 0 { changing[action.kind] += 1 }
                            // The constraint of a successor of a state within the bounds, by what changed.
                            let changed = raft.changedVariables(between: before, and: after, by: action)
                            if raft.isWithinBounds(successor, changed: changed) != raft.isWithinBounds(successor) { boundsDisagreements += 1 }
                        }
                    }
                    if raft.isWithinBounds(successor) { within[action.kind].append(successor) }
                }
                // A kind, then one of its successors: uniformly among all successors, the
                // network's and the timeouts' crowd out the leaders' steps.
                let kinds = within.filter { !$0.isEmpty }
                guard !kinds.isEmpty else { break }
                let kind = kinds[Int(random.next() % UInt64(kinds.count))]
                state = kind[Int(random.next() % UInt64(kind.count))]
            }
        }
        #expect(disagreements == 0)
        #expect(beyondWrites == 0)
        #expect(boundsDisagreements == 0)
        #expect(changing.allSatisfy { $0 > 20 }, "successors that changed a variable, by action: \(changing)")
    }
}
