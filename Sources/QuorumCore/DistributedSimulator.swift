import Foundation

/// Random runs over several ranks: rank `r` of `n` executes runs `r`, `r + n`, ... (its shard), in
/// rounds of run indices that every rank finishes before the next starts. After each round the
/// ranks take the least failing run index; the runs after it are not counted (a rank that went
/// past it runs the round again up to it), so the merged totals and the failure are a single
/// process's. Every rank then re-executes the failing run from its seed and shrinks it, as one
/// process does: no trace travels.
extension Simulator {
    @inlinable
    func runDistributed(_ exchange: any RankExchange) -> SimulationResult<System> {
        let start = Date()
        let deadline = options.timeout.map { start.addingTimeInterval($0) }
        let ranks = exchange.size, me = exchange.rank
        let round = max(1, options.workers) * ranks * 64
        var local = SimulationResult<System>()
        var failing = Int.max
        var timedOut = false
        var low = 0
        while low < options.runs {
            let high = options.runs - low > round ? low + round : options.runs
            let runs = RunSequence(first: low + (me - low % ranks + ranks) % ranks, step: ranks, end: high)
            var tally = execute(runs, deadline: deadline)
            // The least failing run of the round, and whether any rank ran out of time (0).
            let shared = exchange.allReduce([UInt64(tally.firstFailing), tally.timedOut ? 0 : 1], .min)
            let least = Int(shared[0])
            if least != Int.max && tally.firstFailing != least {
                tally = execute(RunSequence(first: runs.first, step: ranks, end: least + 1), deadline: deadline)
            }
            let part = tally.result
            local.runs += part.runs
            local.steps += part.steps
            local.partitionedSteps += part.partitionedSteps
            for (name, count) in part.coverage { local.coverage[name, default: 0] += count }
            for (name, value) in part.deepest { local.deepest[name] = max(local.deepest[name] ?? value, value) }
            if least != Int.max {
                failing = least
                break
            }
            if shared[1] == 0 {
                timedOut = true
                break
            }
            low = high
        }

        var result = SimulationResult<System>()
        let totals = exchange.allReduce([UInt64(local.runs), UInt64(local.steps), UInt64(local.partitionedSteps)], .sum)
        (result.runs, result.steps, result.partitionedSteps) = (Int(totals[0]), Int(totals[1]), Int(totals[2]))
        let tables = exchange.allGather(Array((try? JSONEncoder().encode([local.coverage, local.deepest])) ?? Data()))
        for bytes in tables {
            guard let rank = try? JSONDecoder().decode([[String: Int]].self, from: Data(bytes)), rank.count == 2 else {
                preconditionFailure("a rank's coverage does not decode")
            }
            for (name, count) in rank[0] { result.coverage[name, default: 0] += count }
            for (name, value) in rank[1] { result.deepest[name] = max(result.deepest[name] ?? value, value) }
        }
        if failing != Int.max, let failed = simulate(run: failing).failure {
            let (name, kind) = describe(failed.property)
            let shrunk = options.shrink ? shrink(failed.trace, property: failed.property) : failed.trace
            result.failure = .init(run: failing, property: name, kind: kind, original: failed.trace, shrunk: shrunk)
        }
        result.properties = invariants.map(\.name) + actionProperties.map(\.name)
        result.stoppedByTimeout = timedOut && result.failure == nil
        result.seconds = Date().timeIntervalSince(start)
        return result
    }
}
