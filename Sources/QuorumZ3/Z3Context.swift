import CZ3

/// A failure reported by Z3 (a malformed term, an invalid argument), as a Swift error.
public struct Z3Error: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One Z3 context: the owner of every term, solver and model made in it.
///
/// Z3's default error handler prints and exits the process; every context here installs none, and
/// records the first error instead, which the next solver call raises as a ``Z3Error``. A context
/// is not thread-safe: use one per task. Terms are reference counted by their wrappers
/// (`Z3_mk_context_rc`), so a long-lived context does not accumulate dead terms.
public final class Z3Context {
    let raw: OpaquePointer
    private var firstError: String?
    /// Integers as signed bit-vectors of this width instead of mathematical integers, when set:
    /// Z3 then turns a formula into a propositional one and hands it to its SAT solver, which
    /// searches long unrollings far faster than the arithmetic solver.
    public let integerBits: UInt32?

    public init(integerBits: UInt32? = nil) {
        self.integerBits = integerBits
        _ = Self.globalParameters
        let config = Z3_mk_config()!
        Z3_set_param_value(config, "model", "true")
        raw = Z3_mk_context_rc(config)!
        Z3_del_config(config)
        Z3_set_error_handler(raw, nil)
    }

    deinit { Z3_del_context(raw) }

    /// Set once per process, before the first context. Z3's older arithmetic solver (2) proves
    /// Raft's inductive invariant about twice as fast as the default and is no slower on Paxos.
    private static let globalParameters: Void = Z3_global_param_set("smt.arith.solver", "2")

    /// Raises the first error Z3 reported since the last call, if any.
    public func throwIfFailed() throws {
        if let firstError {
            self.firstError = nil
            throw Z3Error(firstError)
        }
    }

    /// Records Z3's error state after a call; returns whether the call succeeded.
    @discardableResult
    func noteError() -> Bool {
        let code = Z3_get_error_code(raw)
        guard code != Z3_OK else { return true }
        if firstError == nil { firstError = String(cString: Z3_get_error_msg(raw, code)) }
        return false
    }

    /// Wraps a freshly made term; a failed call yields `false` and a recorded error.
    func wrap(_ ast: OpaquePointer?) -> Z3Expr {
        if noteError(), let ast { return Z3Expr(self, ast) }
        if firstError == nil { firstError = "Z3 returned no term" }
        return Z3Expr(self, Z3_mk_false(raw))
    }

    // MARK: Making terms

    public func boolConstant(_ name: String) -> Z3Expr {
        wrap(Z3_mk_const(raw, Z3_mk_string_symbol(raw, name), Z3_mk_bool_sort(raw)))
    }

    public func intConstant(_ name: String) -> Z3Expr {
        wrap(Z3_mk_const(raw, Z3_mk_string_symbol(raw, name), integerSort))
    }

    var integerSort: OpaquePointer { (integerBits.map { Z3_mk_bv_sort(raw, $0) } ?? Z3_mk_int_sort(raw))! }

    public func literal(_ value: Bool) -> Z3Expr { wrap(value ? Z3_mk_true(raw) : Z3_mk_false(raw)) }

    public func literal(_ value: Int) -> Z3Expr {
        let limit = integerBits.map { 1 << (Int($0) - 1) } ?? 1 << 31
        guard let small = Int32(exactly: value), value >= -limit, value < limit else {
            firstError = firstError ?? "integer literal \(value) is out of range"
            return literal(0)
        }
        return wrap(Z3_mk_int(raw, small, integerSort))
    }

    public func and(_ terms: [Z3Expr]) -> Z3Expr {
        if terms.isEmpty { return literal(true) }
        return withRaw(terms) { wrap(Z3_mk_and(raw, UInt32($0.count), $0.baseAddress)) }
    }

    public func or(_ terms: [Z3Expr]) -> Z3Expr {
        if terms.isEmpty { return literal(false) }
        return withRaw(terms) { wrap(Z3_mk_or(raw, UInt32($0.count), $0.baseAddress)) }
    }

    /// At most `k` of the Boolean `terms` are true (a pseudo-Boolean constraint).
    public func atMost(_ terms: [Z3Expr], _ k: Int) -> Z3Expr {
        if k < 0 { return literal(false) }
        if terms.isEmpty { return literal(true) }
        return withRaw(terms) { wrap(Z3_mk_atmost(raw, UInt32($0.count), $0.baseAddress, UInt32(k))) }
    }

    private func withRaw(_ terms: [Z3Expr], _ body: (UnsafeBufferPointer<OpaquePointer?>) -> Z3Expr) -> Z3Expr {
        let raws: [OpaquePointer?] = terms.map(\.raw)
        return withExtendedLifetime(terms) { raws.withUnsafeBufferPointer(body) }
    }
}

/// A Z3 term, kept alive as long as this value is.
public final class Z3Expr {
    public let context: Z3Context
    let raw: OpaquePointer

    init(_ context: Z3Context, _ raw: OpaquePointer) {
        self.context = context
        self.raw = raw
        Z3_inc_ref(context.raw, raw)
    }

    deinit { Z3_dec_ref(context.raw, raw) }

    public var not: Z3Expr { context.wrap(Z3_mk_not(context.raw, raw)) }
    public func equals(_ other: Z3Expr) -> Z3Expr { context.wrap(Z3_mk_eq(context.raw, raw, other.raw)) }
    public func less(_ other: Z3Expr) -> Z3Expr {
        context.wrap(context.integerBits == nil ? Z3_mk_lt(context.raw, raw, other.raw) : Z3_mk_bvslt(context.raw, raw, other.raw))
    }
    public func implies(_ other: Z3Expr) -> Z3Expr { context.wrap(Z3_mk_implies(context.raw, raw, other.raw)) }
    public func plus(_ other: Z3Expr) -> Z3Expr {
        if context.integerBits != nil { return context.wrap(Z3_mk_bvadd(context.raw, raw, other.raw)) }
        let args: [OpaquePointer?] = [raw, other.raw]
        return args.withUnsafeBufferPointer { context.wrap(Z3_mk_add(context.raw, 2, $0.baseAddress)) }
    }
    public func ifThenElse(_ then: Z3Expr, _ otherwise: Z3Expr) -> Z3Expr {
        context.wrap(Z3_mk_ite(context.raw, raw, then.raw, otherwise.raw))
    }

    /// The term in SMT-LIB syntax.
    public var smtlib: String { String(cString: Z3_ast_to_string(context.raw, raw)) }
}
