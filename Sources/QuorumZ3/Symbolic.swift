import QuorumCore

/// The ``Logic`` of solver terms: the same invariant definitions the explorer evaluates on
/// concrete states become Z3 formulas over symbolic states.
///
/// Values that are known while a formula is built (constants, facts about concrete indices) stay
/// constants and fold away, so quantifiers over finite domains expand into small formulas, and a
/// constant never needs a context: every Z3 term is made in the context of an operand.
public enum Symbolic: Logic {
    public enum Boolean {
        case constant(Bool)
        case term(Z3Expr)
    }

    public enum Integer {
        case constant(Int)
        case term(Z3Expr)
    }

    public static func literal(_ value: Bool) -> Boolean { .constant(value) }
    public static func literal(_ value: Int) -> Integer { .constant(value) }

    public static func not(_ a: Boolean) -> Boolean {
        switch a {
        case .constant(let x): .constant(!x)
        case .term(let x): .term(x.not)
        }
    }

    public static func and(_ a: Boolean, _ b: () -> Boolean) -> Boolean {
        switch a {
        case .constant(false): return a
        case .constant(true): return b()
        case .term(let x):
            switch b() {
            case .constant(false): return .constant(false)
            case .constant(true): return a
            case .term(let y): return .term(x.context.and([x, y]))
            }
        }
    }

    public static func or(_ a: Boolean, _ b: () -> Boolean) -> Boolean {
        switch a {
        case .constant(true): return a
        case .constant(false): return b()
        case .term(let x):
            switch b() {
            case .constant(true): return .constant(true)
            case .constant(false): return a
            case .term(let y): return .term(x.context.or([x, y]))
            }
        }
    }

    public static func equal(_ a: Integer, _ b: Integer) -> Boolean {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): .constant(x == y)
        case (.term(let x), _): .term(x.equals(term(b, in: x.context)))
        case (.constant, .term(let y)): .term(term(a, in: y.context).equals(y))
        }
    }

    public static func less(_ a: Integer, _ b: Integer) -> Boolean {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): .constant(x < y)
        case (.term(let x), _): .term(x.less(term(b, in: x.context)))
        case (.constant, .term(let y)): .term(term(a, in: y.context).less(y))
        }
    }

    public static func add(_ a: Integer, _ b: Integer) -> Integer {
        switch (a, b) {
        case (.constant(let x), .constant(let y)): .constant(x + y)
        case (.constant(0), _): b
        case (_, .constant(0)): a
        case (.term(let x), _): .term(x.plus(term(b, in: x.context)))
        case (.constant, .term(let y)): .term(term(a, in: y.context).plus(y))
        }
    }

    public static func ifThenElse(_ c: Boolean, _ t: Integer, _ e: Integer) -> Integer {
        switch c {
        case .constant(let x): return x ? t : e
        case .term(let x): return .term(x.ifThenElse(term(t, in: x.context), term(e, in: x.context)))
        }
    }

    public static func isFalse(_ b: Boolean) -> Bool { if case .constant(false) = b { true } else { false } }
    public static func isTrue(_ b: Boolean) -> Bool { if case .constant(true) = b { true } else { false } }

    public static func term(_ a: Integer, in context: Z3Context) -> Z3Expr {
        switch a {
        case .constant(let x): context.literal(x)
        case .term(let x): x
        }
    }

    public static func term(_ a: Boolean, in context: Z3Context) -> Z3Expr {
        switch a {
        case .constant(let x): context.literal(x)
        case .term(let x): x
        }
    }
}

extension Formula where L == Symbolic {
    public init(_ term: Z3Expr) { self.init(value: .term(term)) }
    /// The formula as a Z3 term of `context`.
    public func term(in context: Z3Context) -> Z3Expr { Symbolic.term(value, in: context) }
}

extension Term where L == Symbolic {
    public init(_ term: Z3Expr) { self.init(value: .term(term)) }
}

extension Z3Solver {
    public func add(_ formula: Formula<Symbolic>) { add(formula.term(in: context)) }
}
