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
            let outcome = search(ops, from: initial)
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

    /// The search over one object's operations.
    func search(_ ops: [ClientOperation], from initial: Model.State) -> Outcome {
        let n = ops.count
        if n == 0 { return Outcome(verdict: .linearizable, order: [], stuck: nil, steps: 0) }
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
        var stack: [(entry: Int, state: Model.State)] = []
        var best: [Int] = []
        var stuck: Int? = nil, stuckRecorded = false
        var entry = next[0]
        var steps = 0
        while true {
            steps += 1
            if steps > budget { return Outcome(verdict: .undecided, order: best.map { ops[$0].id }, stuck: nil, steps: steps) }
            if next[0] < 0 || (entry >= 0 && !isCall[entry] && ops[entryOp[entry]].ret == nil) {
                // Every operation that completed has taken effect; the indeterminate ones left never did.
                return Outcome(verdict: .linearizable, order: stack.map { ops[entryOp[$0.entry]].id }, stuck: nil, steps: steps)
            }
            precondition(entry >= 0, "a return entry always follows its call")
            let op = entryOp[entry]
            if isCall[entry] {
                if let after = model.step(state, ops[op]) {
                    linearized[op / 64] |= 1 << UInt64(op % 64)
                    if memo.insert(Memo(linearized: linearized, state: after)).inserted {
                        stack.append((entry, state))
                        state = after
                        unlink(entry)
                        unlink(match[entry])
                        if stack.count > best.count {
                            best = stack.map { entryOp[$0.entry] }
                            stuckRecorded = false
                        }
                        entry = next[0]
                        continue
                    }
                    linearized[op / 64] &= ~(1 << UInt64(op % 64))
                }
                entry = next[entry]
            } else {
                if !stuckRecorded && stack.count == best.count {
                    stuck = ops[op].id
                    stuckRecorded = true
                }
                guard let (call, before) = stack.popLast() else {
                    return Outcome(verdict: .notLinearizable, order: best.map { ops[$0].id }, stuck: stuck, steps: steps)
                }
                let undone = entryOp[call]
                linearized[undone / 64] &= ~(1 << UInt64(undone % 64))
                state = before
                relink(match[call])
                relink(call)
                entry = next[call]
            }
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
