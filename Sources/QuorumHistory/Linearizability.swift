import QuorumCore

/// What a linearizability check found.
public struct LinearizabilityReport: Sendable {
    public enum Verdict: String, Sendable {
        case linearizable
        case notLinearizable = "not linearizable"
        /// A search ran out of its step budget before deciding.
        case undecided
    }

    public let verdict: Verdict
    /// The objects checked apart (keys of a key-value store; 1 for one object).
    public let objects: Int
    /// Linearizable: an order in which the operations took effect, per object, as ids of the
    /// history's operations (indeterminate operations that need not have taken effect are left out).
    public let orders: [(object: JSONTree?, ids: [Int])]
    /// Not linearizable: the object whose history is not.
    public let object: JSONTree?
    /// The longest order found of the object's operations that can take effect one after the
    /// other, each within its own call and return (ids).
    public let partial: [Int]
    /// The operation that returned before that order could place it: where every order gets stuck.
    public let stuck: Int?
    /// A smaller history that is not linearizable either, as ids of the history's operations:
    /// the object's operations up to the shortest prefix of the history that is already not
    /// linearizable (the operations still open there count as indeterminate), less every read it
    /// does not need. Leaving out a read, or cutting a history short, never turns a linearizable
    /// history into one that is not, so this one shows the whole history is not linearizable.
    public let witness: [Int]
    /// The history line at which the witness's prefix ends (the lines before it).
    public let witnessLines: Int?
    /// Steps the searches took.
    public let steps: Int
}

/// Checks a history for linearizability against a sequential model: Wing and Gong's search with
/// Lowe's memoisation, as Porcupine does it. Operations are entries in a list ordered by call and
/// return; the search linearizes the first call it can (the model accepts the operation and the
/// pair of linearized set and state is new), backtracks when it meets a return of an operation not
/// yet linearized, and succeeds when only indeterminate operations remain.
public struct LinearizabilityChecker<Model: SequentialModel>: Sendable {
    public let model: Model
    /// Steps one object's search may take before it reports undecided.
    public var budget: Int

    public init(_ model: Model, budget: Int = 20_000_000) {
        self.model = model
        self.budget = budget
    }

    public func check(_ history: History) throws -> LinearizabilityReport {
        for op in history.operations {
            if let ret = op.ret, ret <= op.call {
                throw HistoryError("operation \(op.id) (\(op.text)) returns at line \(ret), not after its call at line \(op.call)")
            }
            try model.check(op)
        }
        var objects: [JSONTree?] = []
        var members: [[ClientOperation]] = []
        var index: [JSONTree?: Int] = [:]
        for op in history.operations {
            let key = model.partition(op)
            if let k = index[key] {
                members[k].append(op)
            } else {
                index[key] = objects.count
                objects.append(key)
                members.append([op])
            }
        }
        var orders: [(object: JSONTree?, ids: [Int])] = []
        var steps = 0
        var undecided = false
        for (key, ops) in zip(objects, members) {
            let initial = try model.initial(history.initial, object: key)
            let outcome = search(ops, from: initial, refused: history.failedOrders)
            steps += outcome.steps
            switch outcome.verdict {
            case .linearizable:
                orders.append((key, outcome.order))
            case .undecided:
                undecided = true
            case .notLinearizable:
                let (witness, lines, witnessSteps) = self.witness(ops, from: initial)
                return LinearizabilityReport(verdict: .notLinearizable, objects: objects.count, orders: [], object: key,
                                             partial: outcome.order, stuck: outcome.stuck, witness: witness,
                                             witnessLines: lines, steps: steps + witnessSteps)
            }
        }
        return LinearizabilityReport(verdict: undecided ? .undecided : .linearizable, objects: objects.count, orders: undecided ? [] : orders,
                                     object: nil, partial: [], stuck: nil, witness: [], witnessLines: nil, steps: steps)
    }

    struct Outcome {
        let verdict: LinearizabilityReport.Verdict
        /// The linearization (linearizable) or the longest partial one (not), as operation ids.
        let order: [Int]
        let stuck: Int?
        let steps: Int
    }

    /// A key of the memo: which operations are linearized, and the state they lead to.
    struct Memo: Hashable {
        let linearized: [UInt64]
        let state: Model.State
    }

    /// The choices at one depth of the search: the candidates, how many were tried, the first
    /// return in the list (nil when only indeterminate ones remain), and the state before the
    /// choice taken here (`candidates[tried - 1]`) while one is taken.
    struct Level {
        var candidates: [Int]
        var tried = 0
        var blocked: Int?
        var before: Model.State?
        /// The highest `order` among the operations placed before this level's choice.
        var placedBefore = 0
    }

    /// The search over one object's operations. An indeterminate read is left out: it changes
    /// nothing, and nothing needs it to have taken effect.
    func search(_ all: [ClientOperation], from initial: Model.State, refused: [Int] = []) -> Outcome {
        let ops = all.filter { !($0.outcome == .info && model.isReadOnly($0)) }
        let n = ops.count
        if n == 0 { return Outcome(verdict: .linearizable, order: [], stuck: nil, steps: 0) }
        // The places in the system's order that no completion names: where operations whose
        // answers never came took effect (refusals name theirs).
        let named = Set(all.compactMap(\.order) + refused)
        let unnamed = named.isEmpty ? [] : (1...max(1, named.max()!)).filter { !named.contains($0) }
        // Entries 1...2n: a call and a return per operation, ordered by history line; returns of
        // indeterminate operations come last. Entry 0 is the list's head.
        var entries: [(op: Int, isCall: Bool, position: Int)] = []
        for (k, op) in ops.enumerated() {
            entries.append((k, true, op.call))
            entries.append((k, false, op.ret ?? Int.max))
        }
        entries.sort { ($0.position, $0.op) < ($1.position, $1.op) }
        var next = Array(repeating: -1, count: 2 * n + 1), prev = Array(repeating: -1, count: 2 * n + 1)
        var entryOp = [0], isCall = [false], match = Array(repeating: 0, count: 2 * n + 1)
        var callOf = Array(repeating: 0, count: n), returnOf = Array(repeating: 0, count: n)
        for (k, e) in entries.enumerated() {
            entryOp.append(e.op)
            isCall.append(e.isCall)
            if e.isCall { callOf[e.op] = k + 1 } else { returnOf[e.op] = k + 1 }
        }
        for k in 0...(2 * n) {
            next[k] = k < 2 * n ? k + 1 : -1
            prev[k] = k - 1
        }
        for op in 0..<n {
            match[callOf[op]] = returnOf[op]
        }
        func unlink(_ e: Int) {
            next[prev[e]] = next[e]
            if next[e] >= 0 { prev[next[e]] = prev[e] }
        }
        func relink(_ e: Int) {
            next[prev[e]] = e
            if next[e] >= 0 { prev[next[e]] = e }
        }
        var linearized = Array(repeating: UInt64(0), count: (n + 63) / 64)
        var memo = Set<Memo>()
        var state = initial
        /// The operations that may take effect next: the calls before the first return still in
        /// the list, those with the smallest `order` first, then by call (Wing and Gong's list
        /// order). If the system's orders are a linearization, the first path tried is it, with no
        /// backtracking; any other order is still tried when that path fails. `blocked` is the
        /// first return, or nil when none but indeterminate ones remain.
        func level() -> Level {
            var calls: [Int] = [], e = next[0]
            while e >= 0 && isCall[e] {
                calls.append(e)
                e = next[e]
            }
            let blocked = e >= 0 && ops[entryOp[e]].ret != nil ? e : nil
            if calls.contains(where: { ops[entryOp[$0]].order != nil }) {
                // An operation whose place the path has passed goes last, with those that name
                // none: an indeterminate transfer that the system placed but refused (its answer
                // lost) cannot take effect there, and taken later, where it fits the balances,
                // it would lead every path below astray.
                func key(_ e: Int) -> Int { ops[entryOp[e]].order.flatMap { $0 > placed ? $0 : nil } ?? Int.max }
                calls.sort { (key($0), $0) < (key($1), $1) }
                // A gap in the orders (the least order that may go next is past the next one)
                // is where an operation without one took effect, one whose answer never came:
                // those are tried first there, not only after every hinted path has failed.
                if let least = ops[entryOp[calls[0]]].order, least > placed + 1,
                   let gap = unnamed.first(where: { $0 > placed }), gap < least {
                    let unhinted = calls.filter { ops[entryOp[$0]].order == nil }
                    calls = unhinted + calls.filter { ops[entryOp[$0]].order != nil }
                }
            }
            return Level(candidates: calls, blocked: blocked, before: nil)
        }
        /// The highest `order` among the operations placed so far on the path.
        var placed = 0
        // levels[d] holds the choices at depth d; levels[d].before is the state before the choice
        // taken there (the entry is candidates[tried - 1]) while one is taken.
        var levels = [level()]
        var best: [Int] = []
        var stuck: Int? = nil, stuckRecorded = false
        var steps = 0
        while true {
            steps += 1
            if steps > budget { return Outcome(verdict: .undecided, order: best.map { ops[$0].id }, stuck: nil, steps: steps) }
            let depth = levels.count - 1
            if levels[depth].blocked == nil {
                // Every operation that completed has taken effect; the indeterminate ones left never did.
                let order = levels.dropLast().map { ops[entryOp[$0.candidates[$0.tried - 1]]].id }
                return Outcome(verdict: .linearizable, order: order, stuck: nil, steps: steps)
            }
            if levels[depth].tried < levels[depth].candidates.count {
                let entry = levels[depth].candidates[levels[depth].tried]
                levels[depth].tried += 1
                let op = entryOp[entry]
                guard let after = model.step(state, ops[op]) else { continue }
                linearized[op / 64] |= 1 << UInt64(op % 64)
                guard memo.insert(Memo(linearized: linearized, state: after)).inserted else {
                    linearized[op / 64] &= ~(1 << UInt64(op % 64))
                    continue
                }
                levels[depth].before = state
                levels[depth].placedBefore = placed
                placed = max(placed, ops[op].order ?? placed)
                state = after
                unlink(entry)
                unlink(match[entry])
                if depth + 1 > best.count {
                    best = levels.map { entryOp[$0.candidates[$0.tried - 1]] }
                    stuckRecorded = false
                }
                levels.append(level())
                continue
            }
            // Nothing more to take here: the first return's operation cannot be placed.
            if !stuckRecorded && depth == best.count, let blocked = levels[depth].blocked {
                stuck = ops[entryOp[blocked]].id
                stuckRecorded = true
            }
            levels.removeLast()
            guard let parent = levels.indices.last else {
                return Outcome(verdict: .notLinearizable, order: best.map { ops[$0].id }, stuck: stuck, steps: steps)
            }
            let call = levels[parent].candidates[levels[parent].tried - 1]
            let undone = entryOp[call]
            linearized[undone / 64] &= ~(1 << UInt64(undone % 64))
            state = levels[parent].before!
            placed = levels[parent].placedBefore
            levels[parent].before = nil
            relink(match[call])
            relink(call)
        }
    }

    /// A smaller history of one object that is not linearizable either (see ``LinearizabilityReport/witness``).
    func witness(_ ops: [ClientOperation], from initial: Model.State) -> (ids: [Int], lines: Int?, steps: Int) {
        var steps = 0
        func fails(_ candidate: [ClientOperation]) -> Bool {
            let outcome = search(candidate, from: initial)
            steps += outcome.steps
            return outcome.verdict == .notLinearizable
        }
        /// The operations invoked before line `cut`; those that return at or after it are indeterminate.
        func prefix(_ cut: Int) -> [ClientOperation] {
            ops.filter { $0.call < cut }.map { op in
                guard let ret = op.ret, ret < cut else {
                    return ClientOperation(id: op.id, process: op.process, f: op.f, input: op.input, output: nil, outcome: .info,
                                     call: op.call, ret: nil, callTime: op.callTime, returnTime: nil)
                }
                return op
            }
        }
        let lastLine = ops.map { max($0.call, $0.ret ?? 0) }.max()! + 1
        var low = ops.map(\.call).min()! + 1, high = lastLine
        // The smallest cut whose prefix is not linearizable; the whole history's is not.
        while low < high {
            let mid = (low + high) / 2
            if fails(prefix(mid)) { high = mid } else { low = mid + 1 }
        }
        var witness = prefix(high)
        for op in witness where model.isReadOnly(op) {
            let without = witness.filter { $0.id != op.id }
            if fails(without) { witness = without }
        }
        return (witness.map(\.id), high == lastLine ? nil : high, steps)
    }
}
