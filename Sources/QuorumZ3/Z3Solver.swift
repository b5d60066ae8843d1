import CZ3

/// What a satisfiability check found.
public enum Z3Outcome {
    case satisfiable(Z3Model)
    case unsatisfiable
    /// Z3 gave up (a timeout, an interruption); the reason as Z3 words it.
    case unknown(String)
}

/// An incremental solver: assertions, `push`/`pop` scopes, checks with an optional timeout.
public final class Z3Solver {
    public let context: Z3Context
    let raw: OpaquePointer

    /// - Parameters:
    ///   - timeout: seconds a single check may take before it reports `unknown`.
    ///   - simple: Z3's plain SMT solver instead of its default combination; on Raft's
    ///     inductiveness checks it is about twice as fast.
    public init(_ context: Z3Context, timeout: Double? = nil, simple: Bool = false) {
        self.context = context
        raw = (simple ? Z3_mk_simple_solver(context.raw) : Z3_mk_solver(context.raw))!
        Z3_solver_inc_ref(context.raw, raw)
        if let timeout { setTimeout(timeout) }
    }

    private func setTimeout(_ timeout: Double) {
        let params = Z3_mk_params(context.raw)!
        Z3_params_inc_ref(context.raw, params)
        Z3_params_set_uint(context.raw, params, Z3_mk_string_symbol(context.raw, "timeout"),
                           UInt32(min(max(timeout * 1000, 1), Double(UInt32.max))))
        Z3_solver_set_params(context.raw, raw, params)
        Z3_params_dec_ref(context.raw, params)
    }

    /// Z3's solver for a logic, such as "QF_BV" (bit-vectors, which Z3 turns into propositional
    /// formulas for its SAT solver).
    public init(_ context: Z3Context, logic: String, timeout: Double? = nil) {
        self.context = context
        raw = Z3_mk_solver_for_logic(context.raw, Z3_mk_string_symbol(context.raw, logic))!
        Z3_solver_inc_ref(context.raw, raw)
        if let timeout { setTimeout(timeout) }
    }

    deinit { Z3_solver_dec_ref(context.raw, raw) }

    public func add(_ term: Z3Expr) {
        Z3_solver_assert(context.raw, raw, term.raw)
        context.noteError()
    }

    public func push() { Z3_solver_push(context.raw, raw) }
    public func pop() { Z3_solver_pop(context.raw, raw, 1) }

    /// Runs `body` in a scope whose assertions are dropped afterwards.
    public func scoped<T>(_ body: () throws -> T) rethrows -> T {
        push()
        defer { pop() }
        return try body()
    }

    public func check() throws -> Z3Outcome {
        try context.throwIfFailed()
        let result = Z3_solver_check(context.raw, raw)
        try context.throwIfFailed()
        context.noteError()
        try context.throwIfFailed()
        if result == Z3_L_TRUE { return .satisfiable(Z3Model(context, Z3_solver_get_model(context.raw, raw)!)) }
        if result == Z3_L_FALSE { return .unsatisfiable }
        return .unknown(String(cString: Z3_solver_get_reason_unknown(context.raw, raw)))
    }
}

/// A satisfying assignment; terms are evaluated with model completion (unconstrained constants
/// get a default value), so every constant has a value.
public final class Z3Model {
    let context: Z3Context
    let raw: OpaquePointer

    init(_ context: Z3Context, _ raw: OpaquePointer) {
        self.context = context
        self.raw = raw
        Z3_model_inc_ref(context.raw, raw)
    }

    deinit { Z3_model_dec_ref(context.raw, raw) }

    private func evaluate(_ term: Z3Expr) throws -> Z3Expr {
        var out: OpaquePointer? = nil
        guard Z3_model_eval(context.raw, raw, term.raw, true, &out), let out else {
            context.noteError()
            try context.throwIfFailed()
            throw Z3Error("cannot evaluate \(term.smtlib) in the model")
        }
        return context.wrap(out)
    }

    public func bool(_ term: Z3Expr) throws -> Bool {
        let value = try evaluate(term)
        switch Z3_get_bool_value(context.raw, value.raw) {
        case Z3_L_TRUE: return true
        case Z3_L_FALSE: return false
        default: throw Z3Error("\(term.smtlib) has no Boolean value in the model")
        }
    }

    public func int(_ term: Z3Expr) throws -> Int {
        let value = try evaluate(term)
        var out: Int64 = 0
        guard Z3_get_numeral_int64(context.raw, value.raw, &out) else {
            throw Z3Error("\(term.smtlib) has no integer value in the model")
        }
        // A bit-vector's numeral is unsigned; the integers it stands for are signed.
        if let bits = context.integerBits, out >= 1 << (Int64(bits) - 1) { out -= 1 << Int64(bits) }
        return Int(out)
    }
}
