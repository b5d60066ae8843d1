import QuorumCore
import QuorumZ3

/// Mutual exclusion by a token passed around a ring: only the holder may enter its critical
/// section, and it passes the token on once it is out. A spec written outside Quorum, checked by
/// every engine through the package's own `ring` executable.
public struct TokenRing: TransitionSystem {
    public enum Mutation: String, Sendable {
        /// The holder's successor may enter too, as if it already held the token.
        case enterWhenNext
    }

    public struct State: Hashable, Codable, Sendable, Fingerprintable {
        public var holder = 0
        /// Bit i: process i is in its critical section.
        public var critical: UInt64 = 0

        public func fingerprint<H: FingerprintHasher>(into f: inout H) {
            f.combine(holder)
            f.combine(critical)
        }
    }

    public enum Action: Hashable, Codable, Sendable, TraceableAction {
        case enter(Int), exit(Int), pass(Int)

        public var name: String {
            switch self {
            case .enter: "Enter"
            case .exit: "Exit"
            case .pass: "Pass"
            }
        }
        public var process: Int? {
            switch self { case .enter(let i), .exit(let i), .pass(let i): i }
        }
        public var parameters: [(String, ITFValue)] { [("i", .int(process!))] }
        public var description: String { "\(name)(p\(process!))" }
    }

    public let processes: Int
    public let mutation: Mutation?

    public init(processes: Int = 3, mutation: Mutation? = nil) {
        self.processes = processes
        self.mutation = mutation
    }

    public var initialStates: [State] { [State()] }

    public func enabledActions(in s: State, into actions: inout [Action]) {
        for i in 0..<processes {
            let next = (s.holder + 1) % processes == i && mutation == .enterWhenNext
            let inside = s.critical >> UInt64(i) & 1 == 1
            if (s.holder == i || next) && !inside { actions.append(.enter(i)) }
            if inside { actions.append(.exit(i)) }
            if s.holder == i && !inside { actions.append(.pass(i)) }
        }
    }

    public func apply(_ action: Action, to s: State) -> State {
        var t = s
        switch action {
        case .enter(let i): t.critical |= 1 << UInt64(i)
        case .exit(let i): t.critical &= ~(1 << UInt64(i))
        case .pass(let i): t.holder = (i + 1) % processes
        }
        return t
    }

    public func isWithinBounds(_ state: State) -> Bool { true }

    public var invariants: [Invariant<State>] {
        [RingInvariant.mutualExclusion, .holderInside].map { property in
            Invariant(property.name, property.summary) { property.holds(in: RingState(state: $0, processes: processes)).value }
        }
    }

    public var traceVariables: [String] { ["holder", "critical"] }

    public func traceValues(of s: State) -> [ITFValue] {
        [.int(s.holder), .set(of: (0..<processes).filter { s.critical >> UInt64($0) & 1 == 1 }.map { .int($0) })]
    }
}

/// What the invariants read, concretely or symbolically.
public protocol RingView {
    associatedtype L: Logic
    var processes: Range<Int> { get }
    var holder: Term<L> { get }
    func inside(_ i: Int) -> Formula<L>
}

struct RingState: RingView {
    typealias L = Concrete
    let state: TokenRing.State
    let processes: Range<Int>
    init(state: TokenRing.State, processes: Int) {
        self.state = state
        self.processes = 0..<processes
    }
    var holder: Term<Concrete> { Term(state.holder) }
    func inside(_ i: Int) -> Formula<Concrete> { Formula(state.critical >> UInt64(i) & 1 == 1) }
}

/// Each invariant written once, over any ``RingView``.
enum RingInvariant: String, CaseIterable {
    case mutualExclusion = "MutualExclusion", holderInside = "HolderInside"

    var name: String { rawValue }
    var summary: String {
        switch self {
        case .mutualExclusion: "at most one process is in its critical section"
        case .holderInside: "mutual exclusion, and only the token's holder is inside (inductive)"
        }
    }

    func holds<V: RingView>(in s: V) -> Formula<V.L> {
        let exclusive = forAll(s.processes) { i in forAll(s.processes) { j in Formula(i == j) || !(s.inside(i) && s.inside(j)) } }
        switch self {
        case .mutualExclusion: return exclusive
        case .holderInside: return exclusive && forAll(s.processes) { i in s.inside(i) ==> (s.holder == Term(i)) }
        }
    }
}

/// The ring's variables as Z3 constants.
public struct RingSymbols: RingView {
    public typealias L = Symbolic
    public let processes: Range<Int>
    let holderVar: Z3Expr
    let insideVars: [Z3Expr]
    public var holder: Term<Symbolic> { Term(holderVar) }
    public func inside(_ i: Int) -> Formula<Symbolic> { Formula(insideVars[i]) }
}

/// `Init` and `Next` for Z3, checked against the functions above by `ring conform`.
public struct TokenRingEncoding: SymbolicEncoding {
    public let system: TokenRing
    var processes: Range<Int> { 0..<system.processes }

    public func declare(in context: Z3Context, prefix: String) -> RingSymbols {
        RingSymbols(processes: processes, holderVar: context.intConstant("\(prefix).holder"),
                    insideVars: processes.map { context.boolConstant("\(prefix).inside.\($0)") })
    }

    public func domain(_ s: RingSymbols) -> Formula<Symbolic> { s.holder >= 0 && s.holder < Term(system.processes) }

    public func initial(_ s: RingSymbols) -> Formula<Symbolic> { s.holder == 0 && forAll(processes) { !s.inside($0) } }

    public func transitions(from s: RingSymbols, to t: RingSymbols) -> [(action: String, relation: Formula<Symbolic>)] {
        func insideUnchanged(except k: Int?) -> Formula<Symbolic> { forAll(processes) { j in Formula(j == k) || (t.inside(j) <=> s.inside(j)) } }
        var out: [(String, Formula<Symbolic>)] = []
        for i in processes {
            var mayEnter = s.holder == Term(i)
            if system.mutation == .enterWhenNext { mayEnter = mayEnter || s.holder == Term((i + system.processes - 1) % system.processes) }
            out.append(("Enter", mayEnter && !s.inside(i) && t.inside(i) && insideUnchanged(except: i) && t.holder == s.holder))
            out.append(("Exit", s.inside(i) && !t.inside(i) && insideUnchanged(except: i) && t.holder == s.holder))
            out.append(("Pass", s.holder == Term(i) && !s.inside(i) && t.holder == Term((i + 1) % system.processes) && insideUnchanged(except: nil)))
        }
        return out
    }

    public func invariant(_ name: String, on s: RingSymbols, without dropped: Set<String>) -> Formula<Symbolic> {
        RingInvariant(rawValue: name)!.holds(in: s)
    }

    public func equals(_ s: RingSymbols, _ state: TokenRing.State) -> Formula<Symbolic> {
        s.holder == Term(state.holder) && forAll(processes) { i in state.critical >> UInt64(i) & 1 == 1 ? s.inside(i) : !s.inside(i) }
    }

    public func state(of s: RingSymbols, in model: Z3Model) throws -> TokenRing.State {
        var state = TokenRing.State()
        state.holder = try model.int(s.holderVar)
        for i in processes where try model.bool(s.insideVars[i]) { state.critical |= 1 << UInt64(i) }
        return state
    }

    public func measures(of s: RingSymbols) -> [Measure] { [] }
}

extension TokenRing {
    /// The spec as the command line sees it.
    public static let spec = SpecDescriptor(
        name: "TokenRing",
        summary: "Mutual exclusion by a token passed around a ring (a package's own spec)",
        parameters: [Parameter("processes", default: 3, range: 2...8, "processes on the ring")],
        variants: [Variant("enterWhenNext", breaks: "MutualExclusion", "the holder's successor enters as if it held the token")],
        build: { p, variant in TokenRing(processes: p["processes"]!, mutation: variant.flatMap { Mutation(rawValue: $0.name) }) },
        symbolic: { ring, identity in SymbolicModel(TokenRingEncoding(system: ring), model: identity) }
    )
}
