import Foundation

/// The symbolic engines of a spec (inductive-invariant proofs, bounded model checking, and the
/// conformance check of the symbolic encoding against the pure functions), with the spec's types
/// erased so that the command line can drive any spec that has an encoding.
///
/// The engines themselves live in the QuorumZ3 module; a spec that ships a symbolic encoding makes
/// one of these from it.
public struct SymbolicModel: Sendable {
    public let prove: @Sendable (ProofOptions) throws -> ProofReport
    public let bmc: @Sendable (BMCOptions) throws -> BMCReport
    public let conform: @Sendable (ConformanceOptions) throws -> ConformanceReport

    public init(prove: @escaping @Sendable (ProofOptions) throws -> ProofReport,
                bmc: @escaping @Sendable (BMCOptions) throws -> BMCReport,
                conform: @escaping @Sendable (ConformanceOptions) throws -> ConformanceReport) {
        self.prove = prove
        self.bmc = bmc
        self.conform = conform
    }
}

/// Which model a report is about, for trace files and reports.
public struct ModelIdentity: Sendable {
    public let spec: String
    public let variant: String?
    public let parameters: [(String, Int)]

    public init(spec: String, variant: String?, parameters: [(String, Int)]) {
        self.spec = spec
        self.variant = variant
        self.parameters = parameters
    }

    /// `spec[-variant]-suffix`, the stem of counterexample files.
    public func fileStem(_ suffix: String) -> String {
        [spec.lowercased(), variant, suffix].compactMap { $0 }.joined(separator: "-")
    }
}

public struct ProofOptions: Sendable {
    /// The invariants whose conjunction must be inductive.
    public var invariants: [String]
    /// Conjuncts left out of them, to see why each is needed.
    public var dropped: [String] = []
    /// Properties the invariants must imply (`Inv => Agreement`): an inductive invariant that does
    /// not imply the safety property proves nothing about it.
    public var implies: [String] = []
    /// Seconds per solver check before the result is "unknown".
    public var timeout: Double?
    /// Minimise a counterexample to induction (fewest messages first); off only to compare.
    public var minimize = true

    public init(invariants: [String]) { self.invariants = invariants }
}

/// The outcome of `quorum prove`.
public struct ProofReport: Sendable {
    public enum Result: String, Sendable { case inductive, notInductive = "not inductive", unknown }

    /// One proof obligation: `Init => Inv`, or `Inv /\ A => Inv'` for one action A.
    public struct Obligation: Sendable {
        public let name: String
        /// True: discharged; false: violated; nil: the solver gave up.
        public let holds: Bool?
        public let seconds: Double

        public init(name: String, holds: Bool?, seconds: Double) {
            self.name = name
            self.holds = holds
            self.seconds = seconds
        }
    }

    public let model: ModelIdentity
    public let invariants: [String]
    public let dropped: [String]
    public let result: Result
    public let obligations: [Obligation]
    /// The solver's reason when the result is unknown.
    public let unknownReason: String?
    /// A counterexample to induction (one step from a state satisfying the invariants), or, when
    /// `Init => Inv` fails, the initial state that violates them.
    public let counterexample: TraceDocument?
    /// The sizes of the counterexample after minimisation, in the order they were minimised.
    public let sizes: [(String, Int)]
    public let seconds: Double
    /// The invariants, conjuncts ("Inv: conjunct") and implied properties that hold in every state
    /// of the spec's types at these bounds, reachable or not: their truth does not depend on what
    /// they read, so proving them says nothing about the protocol (a log invariant when logs are
    /// empty). Reported, not refused: the bounds may be a deliberate first step.
    public var vacuous: [String] = []

    public init(model: ModelIdentity, invariants: [String], dropped: [String], result: Result,
                obligations: [Obligation], unknownReason: String?, counterexample: TraceDocument?,
                sizes: [(String, Int)], seconds: Double) {
        self.model = model
        self.invariants = invariants
        self.dropped = dropped
        self.result = result
        self.obligations = obligations
        self.unknownReason = unknownReason
        self.counterexample = counterexample
        self.sizes = sizes
        self.seconds = seconds
    }
}

public struct BMCOptions: Sendable {
    /// The longest trace looked for, in steps.
    public var maxDepth: Int
    /// The invariants and step properties checked; nil for all of the spec's (the step properties
    /// its encoding can state).
    public var invariants: [String]?
    public var timeout: Double?
    /// Search only traces in which no local step follows a step of a higher-numbered process
    /// (partial-order reduction), where the encoding attributes its steps to processes, and, when
    /// its processes are interchangeable, in which they take their first steps in order. Every
    /// trace has such a reordering and renaming of the same length and verdict, so the shortest
    /// length does not change; off, the search is over every interleaving and naming.
    public var reduction = true
    /// Called after each depth with the depth and the seconds it took.
    public var progress: (@Sendable (Int, Double) -> Void)?

    public init(maxDepth: Int) { self.maxDepth = maxDepth }
}

/// The outcome of `quorum bmc`.
public struct BMCReport: Sendable {
    public enum Result: String, Sendable { case ok, violation, unknown }

    public let model: ModelIdentity
    public let result: Result
    /// The deepest trace length for which the solver answered.
    public let depthChecked: Int
    /// A shortest violating trace.
    public let counterexample: TraceDocument?
    public let unknownReason: String?
    public let seconds: Double

    public init(model: ModelIdentity, result: Result, depthChecked: Int, counterexample: TraceDocument?,
                unknownReason: String?, seconds: Double) {
        self.model = model
        self.result = result
        self.depthChecked = depthChecked
        self.counterexample = counterexample
        self.unknownReason = unknownReason
        self.seconds = seconds
    }
}

public struct ConformanceOptions: Sendable {
    /// Compare at most this many of the reachable states (nil: all); which ones is decided by
    /// `seed`, so runs repeat.
    public var sample: Int?
    public var seed: UInt64 = 1
    /// Stop collecting reachable states after this many.
    public var maxStates = 1_000_000
    /// Worker threads, each with its own Z3 context (default: all cores).
    public var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Also compare the same states with integers as the bit-vectors `bmc` uses (for an encoding
    /// that bounds its integers), so that a wrong bound, which makes values wrap, shows as a disagreement.
    public var bitVectors = false

    public init() {}
}

/// The outcome of a conformance check between a symbolic encoding and the pure functions.
public struct ConformanceReport: Sendable {
    public let model: ModelIdentity
    public let reachableStates: Int
    public let statesCompared: Int
    /// Successor states compared (distinct, per state).
    public let successorsCompared: Int
    /// Each disagreement in words: the state, and the successor one side allows and the other not.
    public let mismatches: [String]
    public let seconds: Double
    /// Whether `reachableStates` is every reachable state (false: the search stopped at
    /// `maxStates`, and the states compared were drawn from the first ones found).
    public var allReachable = true
    /// The bits of `bmc`'s bit-vectors when the states were also compared with them (nil: Z3's integers only).
    public var integerBits: UInt32? = nil
    public var agrees: Bool { mismatches.isEmpty }

    public init(model: ModelIdentity, reachableStates: Int, statesCompared: Int, successorsCompared: Int,
                mismatches: [String], seconds: Double) {
        self.model = model
        self.reachableStates = reachableStates
        self.statesCompared = statesCompared
        self.successorsCompared = successorsCompared
        self.mismatches = mismatches
        self.seconds = seconds
    }
}
