import QuorumCore

/// Mutual exclusion by a token passed around a ring: only the holder may enter its critical
/// section, and it passes the token on once it is out. A spec written outside Quorum, once, over
/// any `Logic`: the package's `ring` executable runs every engine on it, `prove` and `bmc`
/// included, with no symbolic encoding written here and no Z3 in this target.
public struct TokenRing: GuardedSystem {
    public typealias State = RingState; public typealias Action = ProcessAction<RingStep>

    public enum Mutation: String, Mutant {
        case enterWhenNext
        public var breaks: String { "MutualExclusion" }
        public var summary: String { "the holder's successor enters as if it held the token" }
    }

    public let processes: Int
    public let mutation: Mutation?

    public init(processes: Int = Parameters().processes, mutation: Mutation? = nil) {
        self.processes = processes
        self.mutation = mutation
    }

    public var processNames: ProcessNames { ProcessNames(prefix: "p", count: processes) }
    public var blank: RingState { RingState() }
    public var initialStates: [RingState] { [blank] }

    public var actionInstances: [Action] {
        (0..<processes).flatMap { i in [RingStep.Enter, .Exit, .Pass].map { Action($0, i) } }
    }

    public func step<L: Logic>(_ a: Action, _ s: inout Step<L, RingState>) -> Formula<L> {
        let i = a.process!, inside = s[\.critical].contains(ProcessID(i)), holds = s[\.holder] == ProcessID(i)
        switch a.action {
        case .Enter:
            s.insert(\.critical, ProcessID(i))
            let next = mutation == .enterWhenNext ? s[\.holder] == ProcessID((i + processes - 1) % processes) : Formula(false)
            return (holds || next) && !inside
        case .Exit:
            s.remove(\.critical, ProcessID(i))
            return inside
        case .Pass:
            s.set(\.holder, ProcessID((i + 1) % processes))
            return holds && !inside
        }
    }

    public func properties<L: Logic>(of s: StateTerms<L, RingState>) -> [StateProperty<L>] {
        let ring = 0..<processes
        let exclusive = forAll(ring) { i in forAll(ring) { j in Formula(i >= j) || !(s[\.critical].contains(ProcessID(i)) && s[\.critical].contains(ProcessID(j))) } }
        return [
            StateProperty("MutualExclusion", "at most one process is in its critical section", exclusive),
            StateProperty("HolderInside", "mutual exclusion, and only the token's holder is inside (inductive)", conjuncts: [
                ("exclusive", exclusive),
                ("onlyTheHolder", forAll(ring) { i in s[\.critical].contains(ProcessID(i)) ==> (s[\.holder] == ProcessID(i)) }),
            ]),
        ]
    }

    /// The spec as the command line sees it.
    public static let spec = SpecDescriptor(
        name: "TokenRing",
        summary: "Mutual exclusion by a token passed around a ring (a package's own spec)",
        mutants: Mutation.self,
        build: { (p: Parameters, mutation) in TokenRing(processes: p.processes, mutation: mutation) })

    public struct Parameters: ParameterSet {
        public var processes = 3
        public init() {}
        public static let parameters = [ParameterField("processes", \Self.processes, range: 2...8, "processes on the ring")]
    }
}

/// Who holds the token, and who is in its critical section.
public struct RingState: DeclaredState {
    public var holder = ProcessID(0)
    public var critical: Set<ProcessID> = []
    public static let variables: [StateVariable<RingState>] = [StateVariable("holder", \.holder), StateVariable("critical", \.critical)]
}

public enum RingStep: String, ActionKind {
    case Enter, Exit, Pass
    public static let parameter = "i", processPrefix = "p"
}
