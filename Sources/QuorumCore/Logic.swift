/// The vocabulary that invariants are written in.
///
/// An invariant is written once, generic over a `Logic`, and so can be evaluated by every engine:
/// the explorer and the simulator evaluate it with ``Concrete`` (plain `Bool` and `Int`), while a
/// symbolic engine supplies a `Logic` whose values are solver terms. Quantifiers range over finite,
/// concrete domains (servers, ballots, log indices), which both kinds of engine can expand.
public protocol Logic {
    associatedtype Boolean
    associatedtype Integer

    static func literal(_ value: Bool) -> Boolean
    static func literal(_ value: Int) -> Integer
    static func not(_ a: Boolean) -> Boolean
    /// `b` is evaluated only when `a` does not already decide the result, which keeps concrete
    /// evaluation as cheap as hand-written Swift.
    static func and(_ a: Boolean, _ b: () -> Boolean) -> Boolean
    static func or(_ a: Boolean, _ b: () -> Boolean) -> Boolean
    static func equal(_ a: Integer, _ b: Integer) -> Boolean
    static func less(_ a: Integer, _ b: Integer) -> Boolean
    static func add(_ a: Integer, _ b: Integer) -> Integer
    static func ifThenElse(_ condition: Boolean, _ then: Integer, _ otherwise: Integer) -> Integer
    /// Whether `b` is already known to be false or true, so quantifiers can stop early.
    static func isFalse(_ b: Boolean) -> Bool
    static func isTrue(_ b: Boolean) -> Bool
}

/// Plain evaluation over concrete states.
public enum Concrete: Logic {
    @inlinable public static func literal(_ value: Bool) -> Bool { value }
    @inlinable public static func literal(_ value: Int) -> Int { value }
    @inlinable public static func not(_ a: Bool) -> Bool { !a }
    @inlinable public static func and(_ a: Bool, _ b: () -> Bool) -> Bool { a && b() }
    @inlinable public static func or(_ a: Bool, _ b: () -> Bool) -> Bool { a || b() }
    @inlinable public static func equal(_ a: Int, _ b: Int) -> Bool { a == b }
    @inlinable public static func less(_ a: Int, _ b: Int) -> Bool { a < b }
    @inlinable public static func add(_ a: Int, _ b: Int) -> Int { a + b }
    @inlinable public static func ifThenElse(_ c: Bool, _ t: Int, _ e: Int) -> Int { c ? t : e }
    @inlinable public static func isFalse(_ b: Bool) -> Bool { !b }
    @inlinable public static func isTrue(_ b: Bool) -> Bool { b }
}

/// The variables a formula can read, whatever the state: each value is the set of variables it
/// depends on (bit k for the spec's variable k, as ``VariableSet``), and no connective decides its
/// result early, so that every branch a concrete evaluation might take is taken. A spec evaluates
/// an invariant once over a view whose accessors answer the variable they read (and note the
/// variables that quantifier domains depend on); the result is the invariant's
/// ``Invariant/footprint``. Sound as long as the formula reaches the state only through the view,
/// which is how every property is written.
public enum Footprint: Logic {
    @inlinable public static func literal(_ value: Bool) -> VariableSet { 0 }
    @inlinable public static func literal(_ value: Int) -> VariableSet { 0 }
    @inlinable public static func not(_ a: VariableSet) -> VariableSet { a }
    @inlinable public static func and(_ a: VariableSet, _ b: () -> VariableSet) -> VariableSet { a | b() }
    @inlinable public static func or(_ a: VariableSet, _ b: () -> VariableSet) -> VariableSet { a | b() }
    @inlinable public static func equal(_ a: VariableSet, _ b: VariableSet) -> VariableSet { a | b }
    @inlinable public static func less(_ a: VariableSet, _ b: VariableSet) -> VariableSet { a | b }
    @inlinable public static func add(_ a: VariableSet, _ b: VariableSet) -> VariableSet { a | b }
    @inlinable public static func ifThenElse(_ c: VariableSet, _ t: VariableSet, _ e: VariableSet) -> VariableSet { c | t | e }
    @inlinable public static func isFalse(_ b: VariableSet) -> Bool { false }
    @inlinable public static func isTrue(_ b: VariableSet) -> Bool { false }
}

/// A truth value in some ``Logic``, with the operators invariants are written with.
public struct Formula<L: Logic> {
    public var value: L.Boolean
    @inlinable public init(value: L.Boolean) { self.value = value }
    /// Lifts a fact known while the formula is built (for example `i != j` over concrete indices).
    @inlinable public init(_ fact: Bool) { value = L.literal(fact) }

    @inlinable public static func && (a: Formula, b: @autoclosure () -> Formula) -> Formula {
        Formula(value: L.and(a.value, { b().value }))
    }
    @inlinable public static func || (a: Formula, b: @autoclosure () -> Formula) -> Formula {
        Formula(value: L.or(a.value, { b().value }))
    }
    @inlinable public static prefix func ! (a: Formula) -> Formula { Formula(value: L.not(a.value)) }
    /// Implication, TLA+'s `=>`.
    @inlinable public static func ==> (a: Formula, b: @autoclosure () -> Formula) -> Formula {
        Formula(value: L.or(L.not(a.value), { b().value }))
    }
    /// Equivalence of two formulas.
    @inlinable public static func <=> (a: Formula, b: Formula) -> Formula {
        (a && b) || (!a && !b)
    }
}

/// An integer in some ``Logic``.
public struct Term<L: Logic>: ExpressibleByIntegerLiteral {
    public var value: L.Integer
    @inlinable public init(value: L.Integer) { self.value = value }
    @inlinable public init(_ constant: Int) { value = L.literal(constant) }
    @inlinable public init(integerLiteral constant: Int) { value = L.literal(constant) }

    @inlinable public static func == (a: Term, b: Term) -> Formula<L> { Formula(value: L.equal(a.value, b.value)) }
    @inlinable public static func != (a: Term, b: Term) -> Formula<L> { !(a == b) }
    @inlinable public static func < (a: Term, b: Term) -> Formula<L> { Formula(value: L.less(a.value, b.value)) }
    @inlinable public static func > (a: Term, b: Term) -> Formula<L> { b < a }
    @inlinable public static func <= (a: Term, b: Term) -> Formula<L> { !(b < a) }
    @inlinable public static func >= (a: Term, b: Term) -> Formula<L> { !(a < b) }
    @inlinable public static func + (a: Term, b: Term) -> Term { Term(value: L.add(a.value, b.value)) }
    @inlinable public static func - (a: Term, b: Int) -> Term { Term(value: L.add(a.value, L.literal(-b))) }
}

infix operator ==> : LogicalDisjunctionPrecedence
infix operator <=> : ComparisonPrecedence

/// If-then-else on integers.
@inlinable public func ite<L: Logic>(_ c: Formula<L>, _ t: Term<L>, _ e: Term<L>) -> Term<L> {
    Term(value: L.ifThenElse(c.value, t.value, e.value))
}

/// `\A x \in domain : body(x)` over a finite, concrete domain. Always inlined, with `exists`:
/// a call took `body` as a closure, called once per element, and concrete invariants nest
/// these quantifiers on every state the explorer checks.
@inlinable @inline(__always) public func forAll<L: Logic, D: Sequence>(_ domain: D, _ body: (D.Element) -> Formula<L>) -> Formula<L> {
    var result = Formula<L>(true)
    for x in domain {
        result = result && body(x)
        if L.isFalse(result.value) { return result }
    }
    return result
}

/// `\E x \in domain : body(x)` over a finite, concrete domain.
@inlinable @inline(__always) public func exists<L: Logic, D: Sequence>(_ domain: D, _ body: (D.Element) -> Formula<L>) -> Formula<L> {
    var result = Formula<L>(false)
    for x in domain {
        result = result || body(x)
        if L.isTrue(result.value) { return result }
    }
    return result
}
