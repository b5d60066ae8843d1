/// A parameter of a spec (a TLC constant, or a bound), with its default and allowed range.
public struct Parameter: Sendable {
    public let name: String
    public let defaultValue: Int
    public let range: ClosedRange<Int>
    public let summary: String

    public init(_ name: String, default defaultValue: Int, range: ClosedRange<Int>, _ summary: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.range = range
        self.summary = summary
    }
}

/// A named buggy version of a spec, and what it must break.
public struct Variant: Sendable {
    public let name: String
    public let summary: String
    /// The property the explorer must find violated.
    public let breaks: String
    /// Parameter values (over the spec's defaults) at which the explorer catches it.
    public let bounds: [String: Int]

    public init(_ name: String, breaks: String, bounds: [String: Int] = [:], _ summary: String) {
        self.name = name
        self.summary = summary
        self.breaks = breaks
        self.bounds = bounds
    }
}

/// A property as `quorum list` shows it.
public struct PropertyInfo: Sendable {
    public let name: String
    public let kind: PropertyKind
    public let summary: String
    /// False for a temporal property checked only when named.
    public var byDefault = true

    /// The properties of `system`, invariants first.
    @usableFromInline
    static func all<System: TransitionSystem>(of system: System) -> [PropertyInfo] {
        system.invariants.map { PropertyInfo(name: $0.name, kind: .invariant, summary: $0.summary) }
            + system.actionProperties.map { PropertyInfo(name: $0.name, kind: .actionProperty, summary: $0.summary) }
            + system.temporalProperties.map { PropertyInfo(name: $0.name, kind: .temporal, summary: $0.summary + " [\($0.assumptions)]",
                                                           byDefault: $0.byDefault) }
    }
}

/// Input that Quorum refuses: unknown names, values out of range, unreadable traces.
public struct UsageError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A spec as the command line sees it: its parameters, properties and variants, and a way to build
/// a checkable model from parameter values.
public struct SpecDescriptor: Sendable {
    public let name: String
    public let summary: String
    public let parameters: [Parameter]
    public let properties: [PropertyInfo]
    public let variants: [Variant]
    /// Parameter values for `quorum check --all` on the correct spec.
    public let ciBounds: [String: Int]
    /// Parameter values for `quorum simulate`: sizes beyond exhaustive reach.
    public let simulationBounds: [String: Int]
    /// Parameter values for `quorum prove` (over the defaults).
    public let proofBounds: [String: Int]
    /// Reachable states per model that `quorum conform --all` compares (a seeded sample).
    public let conformanceSample: Int
    /// The reachable states `quorum conform --all` collects per model at most, breadth first, to
    /// draw its sample from (nil: up to a million). For a spec whose encoding is compared with its
    /// slow derived form (``GuardedSystem``) on a large mutant.
    public var conformanceStates: Int? = nil
    /// How the spec's nodes pace themselves in `quorum cluster` (timers, message routing).
    public var cluster = ClusterPolicy()
    /// Bugs of running nodes that `quorum cluster --bug` may plant, beyond ``RuntimeBug/amnesia``.
    public var runtimeBugs: [RuntimeBug] = []
    /// The model `quorum cluster` runs when it is not the explorer's; see ``runClusters(on:mutants:ranges:defaults:)``.
    public var clusterModel: ClusterModel? = nil
    /// The spec's assumptions on its parameters (TLA+'s ASSUME), beyond each parameter's range:
    /// a message saying what is wrong, or nil.
    private let assumptions: @Sendable ([String: Int], Variant?) -> String?
    /// The variables that can take only one value at the given parameter values, with the
    /// parameter that pins them (a proof there says nothing about other values of them).
    public let singleValued: @Sendable ([String: Int]) -> [(variables: [String], because: String)]
    /// Draws a trace file of the spec as a sequence diagram (see ``SequenceDiagram``).
    private let drawDiagram: (@Sendable (TraceDocument) -> SequenceDiagram?)?
    private let build: @Sendable ([String: Int], Variant?) -> AnyModel
    /// A hand-written encoding's engines (see ``withSymbolicModel(mutants:_:)``).
    private var buildSymbolic: (@Sendable ([String: Int], Variant?) -> SymbolicModel)? = nil
    /// The model as a ``GuardedSystem`` (written once over ``Logic``), from which QuorumZ3 derives
    /// the symbolic engines; nil for a spec written as plain functions.
    public let guardedSystem: (@Sendable ([String: Int], Variant?) -> (system: any GuardedSystem, model: ModelIdentity))?

    /// `@inlinable`, like ``AnyModel/init(_:spec:variant:parameters:)``: the spec's own module
    /// compiles the explorer and the simulator for its `System`, so that they run specialised
    /// (no witness tables in the inner loop) in any package that depends on Quorum.
    @inlinable
    public init<System: TransitionSystem>(
        name: String, summary: String, parameters: [Parameter], variants: [Variant],
        ciBounds: [String: Int] = [:], simulationBounds: [String: Int] = [:], proofBounds: [String: Int] = [:],
        conformanceSample: Int = 4_000,
        assumptions: @escaping @Sendable ([String: Int], Variant?) -> String? = { _, _ in nil },
        singleValued: @escaping @Sendable ([String: Int]) -> [(variables: [String], because: String)] = { _ in [] },
        diagram: (@Sendable (TraceDocument) -> SequenceDiagram?)? = nil,
        build: @escaping @Sendable ([String: Int], Variant?) -> System,
        described: (@Sendable ([String: Int], Variant?) -> any GuardedSystem)? = nil
    ) {
        let defaults = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) })
        let specName = name
        let parameterOrder = parameters.map(\.name)
        let named: @Sendable ([String: Int]) -> [(String, Int)] = { values in parameterOrder.map { ($0, values[$0]!) } }
        let model: @Sendable ([String: Int], Variant?) -> AnyModel = { values, variant in
            AnyModel(build(values, variant), spec: specName, variant: variant?.name, parameters: named(values))
        }
        let example = build(defaults, nil)
        var guarded: (@Sendable ([String: Int], Variant?) -> (system: any GuardedSystem, model: ModelIdentity))? = nil
        if let described {
            // A spec whose explorer runs a faster form of its own, with its description alongside
            // for the symbolic engines (the two checked against each other by the spec's tests).
            guarded = { values, variant in
                (described(values, variant), ModelIdentity(spec: specName, variant: variant?.name, parameters: named(values)))
            }
        } else if example is any GuardedSystem {
            guarded = { values, variant in
                (build(values, variant) as! any GuardedSystem, ModelIdentity(spec: specName, variant: variant?.name, parameters: named(values)))
            }
        }
        self.init(
            name: name, summary: summary, parameters: parameters, variants: variants, ciBounds: ciBounds,
            simulationBounds: simulationBounds, proofBounds: proofBounds, conformanceSample: conformanceSample,
            assumptions: assumptions, singleValued: singleValued, diagram: diagram,
            properties: PropertyInfo.all(of: example), model: model, guarded: guarded)
    }

    @usableFromInline
    init(
        name: String, summary: String, parameters: [Parameter], variants: [Variant],
        ciBounds: [String: Int], simulationBounds: [String: Int], proofBounds: [String: Int], conformanceSample: Int,
        assumptions: @escaping @Sendable ([String: Int], Variant?) -> String?,
        singleValued: @escaping @Sendable ([String: Int]) -> [(variables: [String], because: String)],
        diagram: (@Sendable (TraceDocument) -> SequenceDiagram?)?, properties: [PropertyInfo],
        model: @escaping @Sendable ([String: Int], Variant?) -> AnyModel,
        guarded: (@Sendable ([String: Int], Variant?) -> (system: any GuardedSystem, model: ModelIdentity))?
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.variants = variants
        self.ciBounds = ciBounds
        self.simulationBounds = simulationBounds
        self.proofBounds = proofBounds
        self.conformanceSample = conformanceSample
        self.assumptions = assumptions
        self.singleValued = singleValued
        self.drawDiagram = diagram
        self.properties = properties
        self.build = model
        self.guardedSystem = guarded
    }

    /// The trace as a sequence diagram, when the spec knows how to draw one and the file is its.
    public func diagram(_ document: TraceDocument) -> SequenceDiagram? {
        guard document.spec == name, document.steps.count > 0 else { return nil }
        return drawDiagram?(document)
    }

    /// Whether `prove`, `bmc` and `conform` can run on the spec: it ships a hand-written symbolic
    /// encoding, or is written once over ``Logic`` (a ``GuardedSystem``), which QuorumZ3 derives one from.
    public var hasSymbolicEncoding: Bool { buildSymbolic != nil || guardedSystem != nil }

    /// The engines over the spec's hand-written encoding, if it has one (QuorumZ3's
    /// `symbolicModel(_:variant:)` also derives them for a ``GuardedSystem``).
    public func handWrittenSymbolicModel(_ values: [String: Int], variant: Variant? = nil) -> SymbolicModel? {
        buildSymbolic?(values, variant)
    }

    /// Which model `values` and `variant` make, as reports and trace files name it.
    public func identity(_ values: [String: Int], variant: Variant? = nil) -> ModelIdentity {
        ModelIdentity(spec: name, variant: variant?.name, parameters: parameters.map { ($0.name, values[$0.name]!) })
    }

    /// The same spec with a hand-written symbolic encoding, which lives in a target of its own
    /// (RaftZ3) so that importing the spec's target does not need Z3: `symbolic` receives the
    /// parameter values, the mutant (nil for the spec itself) and the model's identity.
    public func withSymbolicModel<Mutation: Mutant>(
        mutants: Mutation.Type, _ symbolic: @escaping @Sendable ([String: Int], Mutation?, ModelIdentity) -> SymbolicModel
    ) -> SpecDescriptor {
        var spec = self
        let identity = self.identity
        spec.buildSymbolic = { values, variant in
            symbolic(values, Mutation.of(variant), identity(values, variant))
        }
        return spec
    }

    public func variant(named name: String) throws -> Variant {
        guard let variant = variants.first(where: { $0.name == name }) else {
            throw UsageError("unknown variant '\(name)' of \(self.name); known: \(variants.map(\.name).joined(separator: ", "))")
        }
        return variant
    }

    /// Resolves parameter values: the defaults, overridden by `base`, then by `overrides`; then
    /// checks the spec's assumptions for the chosen variant.
    /// The parameters with `overrides` applied, each checked against its range (or the one
    /// `ranges` gives it instead).
    public func resolve(_ overrides: [String: Int], base: [String: Int] = [:], variant: Variant? = nil,
                        ranges: [String: ClosedRange<Int>] = [:]) throws -> [String: Int] {
        var values = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.defaultValue) })
        for (name, value) in base { values[name] = value }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameters.first(where: { $0.name == name }) else {
                throw UsageError("unknown parameter '\(name)' of \(self.name); known: \(parameters.map(\.name).joined(separator: ", "))")
            }
            let range = ranges[name] ?? parameter.range
            guard range.contains(value) else {
                throw UsageError("\(name) = \(value) is out of range for \(self.name): allowed \(range.lowerBound)...\(range.upperBound)")
            }
            values[name] = value
        }
        if let problem = assumptions(values, variant) { throw UsageError("\(self.name): \(problem)") }
        return values
    }

    public func model(_ values: [String: Int], variant: Variant? = nil) -> AnyModel {
        build(values, variant)
    }
}

/// A model with its system type erased, so that the command line can drive any spec.
public struct AnyModel: Sendable {
    public let spec: String
    public let variant: String?
    public let parameters: [(String, Int)]
    public let propertyNames: [String]
    /// The names among ``propertyNames`` of the temporal properties.
    public let temporalPropertyNames: [String]
    public let hasSymmetry: Bool
    /// Whether the state's fingerprint is derived from its declared variables (``DeclaredState``)
    /// rather than packed by hand: the same derivation serves every variant of the spec.
    public let derivesFingerprint: Bool
    /// The model's processes as traces and node logs name them; nil where the spec does not say.
    public let processValues: [ITFValue]?
    /// The spec's action names (empty where the spec does not list them).
    public let actionNames: [String]
    /// The state variables, as traces name them.
    public let variables: [String]
    /// The first initial state's values of ``variables``: what shows which have a value per node.
    public let initialTraceValues: [ITFValue]?
    @usableFromInline let explore: @Sendable (ExplorationOptions) -> CheckReport
    @usableFromInline let replayDocument: @Sendable (TraceDocument) throws -> ReplayReport
    @usableFromInline let randomRuns: @Sendable (SimulationOptions) -> SimulationReport
    @usableFromInline let fingerprintAudit: @Sendable (Int, Int, Int, Int, UInt64) -> FingerprintAudit
    @usableFromInline let validation: @Sendable (NodeLogs, ValidationOptions) -> LogValidationReport
    @usableFromInline let projection: @Sendable (TraceDocument, [String]) throws -> [NodeEvent]
    @usableFromInline let nodeMachine: @Sendable (Int) -> NodeMachine?
    /// The explorer and the simulator compiled generically, for `quorum bench --guard` only (see
    /// ``Unspecialized``).
    public let generic: Unspecialized.Runs

    /// `@inlinable`, so that the module that names `System` (the spec's) compiles the explorer
    /// and the simulator specialised for it: that, not cross-module optimisation (which SwiftPM
    /// refuses in a dependency), is what makes their inner loops fast.
    @inlinable
    public init<System: TransitionSystem>(_ system: System, spec: String, variant: String?, parameters: [(String, Int)]) {
        self.spec = spec
        self.variant = variant
        self.parameters = parameters
        propertyNames = system.invariants.map(\.name) + system.actionProperties.map(\.name) + system.temporalProperties.map(\.name)
        temporalPropertyNames = system.temporalProperties.map(\.name)
        hasSymmetry = system.hasSymmetry
        derivesFingerprint = System.State.self is any DeclaredState.Type
        processValues = system.processCount.map { n in (0..<n).map { system.processValue($0) } }
        actionNames = system.actionNames
        variables = system.traceVariables
        initialTraceValues = system.initialStates.first.map { system.traceValues(of: $0) }
        explore = { options in
            let result = Checker(system, options: options).run()
            var report = CheckReport(result.exploration, system: system, spec: spec, variant: variant, parameters: parameters)
            if let temporal = result.temporal {
                report.addTemporal(temporal, system: system, boundedFairness: options.boundedFairness)
            }
            return report
        }
        replayDocument = { try system.replay($0) }
        validation = { logs, options in
            LogValidationReport(system.validate(logs, options: options), system: system, spec: spec, variant: variant, parameters: parameters)
        }
        projection = { document, variables in system.nodeLogs(of: try system.trace(of: document), stateVariables: variables) }
        nodeMachine = { me in NodeMachine(system, node: me, from: system.initialStates[0]) }
        fingerprintAudit = { QuorumCore.auditFingerprints(of: system, maxStates: $0, walks: $1, depth: $2, recombinations: $3, seed: $4) }
        randomRuns = { options in
            SimulationReport(Simulator(system, options: options).run(), system: system, spec: spec, variant: variant,
                             parameters: parameters)
        }
        generic = Unspecialized.Runs(explore: { Unspecialized.explore(system, $0) }, simulate: { Unspecialized.simulate(system, $0) })
    }

    public func simulate(_ options: SimulationOptions) -> SimulationReport { randomRuns(options) }

    /// See ``auditFingerprints(of:maxStates:walks:depth:recombinations:seed:)``.
    public func auditFingerprints(maxStates: Int, walks: Int, depth: Int, recombinations: Int = 0, seed: UInt64 = 1) -> FingerprintAudit {
        fingerprintAudit(maxStates, walks, depth, recombinations, seed)
    }

    public func check(_ options: ExplorationOptions) -> CheckReport { explore(options) }
    public func replay(_ document: TraceDocument) throws -> ReplayReport { try replayDocument(document) }

    /// See ``TransitionSystem/validate(_:options:)``.
    public func validate(_ logs: NodeLogs, options: ValidationOptions = ValidationOptions()) -> LogValidationReport {
        validation(logs, options)
    }

    /// Node `me` of a running cluster of this model; nil when the spec cannot run as one.
    public func node(_ me: Int) -> NodeMachine? { nodeMachine(me) }

    /// The nodes' logs of the run a trace file records (it must replay), with each node's values
    /// of `stateVariables` after each of its steps.
    public func nodeLogs(of document: TraceDocument, stateVariables: [String] = []) throws -> [NodeEvent] {
        try projection(document, stateVariables)
    }
}

/// The outcome of one `quorum check`, free of the system's types.
public struct CheckReport: Sendable {
    public struct Finding: Sendable {
        public let property: String
        public let kind: PropertyKind
        public var document: TraceDocument
        public var length: Int { document.steps.count - 1 }
    }

    public enum Result: String, Sendable { case ok, violation, incomplete }

    public let spec: String
    public let variant: String?
    public let parameters: [(String, Int)]
    public private(set) var result: Result
    public private(set) var incompleteReason: String?
    public let distinctStates: Int
    public let statesGenerated: Int
    public let diameter: Int
    public let seconds: Double
    public let collisionProbability: Double
    public let bytesPerState: Double
    /// What went to disk under `--memory`; nil without it.
    public let spill: SpillFigures?
    /// What went between ranks under `--distributed`; nil in one process.
    public let distribution: DistributionFigures?
    /// Per action, the states generated and the new states found (``ExplorationResult/coverage``);
    /// empty unless asked for.
    public let coverage: [ActionCoverage]
    public private(set) var findings: [Finding]
    /// The states and edges of the graph on which temporal properties were checked, and its seconds
    /// (nil when the spec has none or none was selected).
    public private(set) var temporalGraph: (states: Int, edges: Int, seconds: Double)? = nil
    /// The files written for each violated property.
    public var files: [String: [String]] = [:]
    /// Each finding's trace replayed against its spec, once: what the page and the terminal say of
    /// why the property fails (filled in by whoever writes the report).
    public var replays: [String: Swift.Result<ReplayReport, any Error>] = [:]

    @usableFromInline
    init<System: TransitionSystem>(_ r: ExplorationResult<System>, system: System, spec: String, variant: String?, parameters: [(String, Int)]) {
        self.spec = spec
        self.variant = variant
        self.parameters = parameters
        switch r.outcome {
        case .ok: result = .ok; incompleteReason = nil
        case .violation: result = .violation; incompleteReason = r.stopReason?.description
        case .incomplete(let reason): result = .incomplete; incompleteReason = reason
        }
        distinctStates = r.distinctStates
        statesGenerated = r.statesGenerated
        diameter = r.diameter
        seconds = r.seconds
        collisionProbability = r.collisionProbability
        bytesPerState = r.bytesPerState
        spill = r.spill
        distribution = r.distribution
        coverage = r.coverage
        findings = []
        findings = r.violations.map { finding($0, of: system) }
    }

    private func finding<System: TransitionSystem>(_ v: Violation<System>, of system: System) -> Finding {
        Finding(property: v.property, kind: v.kind, document: TraceDocument(
            v.trace, of: system, spec: spec, variant: variant, parameters: parameters, property: v.property, kind: v.kind))
    }

    @usableFromInline
    mutating func addTemporal<System: TransitionSystem>(_ r: TemporalResult<System>, system: System, boundedFairness: Bool) {
        temporalGraph = (r.graphStates, r.graphEdges, r.seconds)
        findings += r.violations.map { v in
            var finding = finding(v, of: system)
            finding.document.boundedFairness = boundedFairness && v.trace.loop != nil
            return finding
        }
        if !r.violations.isEmpty {
            result = .violation
        } else if let reason = r.incomplete, result == .ok {
            result = .incomplete
            incompleteReason = "temporal properties: " + reason
        }
    }

    /// `spec[-variant]-property`, the stem of the counterexample files.
    public func fileStem(for finding: Finding) -> String {
        [spec.lowercased(), variant, finding.property].compactMap { $0 }.joined(separator: "-")
    }
}

/// The outcome of one `quorum simulate`, free of the system's types.
public struct SimulationReport: Sendable {
    public let spec: String
    public let variant: String?
    public let parameters: [(String, Int)]
    public let runs: Int
    public let steps: Int
    public let seconds: Double
    public let coverage: [(String, Int)]
    public let deepest: [(String, Int)]
    /// Steps taken while a network partition was in force.
    public let partitionedSteps: Int
    /// `--time` ran out: runs were left unstarted or cut short.
    public let stoppedByTimeout: Bool
    /// The properties checked after every step.
    public let properties: [String]
    /// The failing run's index, the property, and the trace before and after shrinking.
    public let failure: (run: Int, property: String, kind: PropertyKind, originalLength: Int, document: TraceDocument)?
    public var files: [String] = []
    /// The cells a guided search archived.
    public let cells: Int?

    @usableFromInline
    init<System: TransitionSystem>(_ r: SimulationResult<System>, system: System, spec: String, variant: String?,
                                   parameters: [(String, Int)]) {
        self.spec = spec
        self.variant = variant
        self.parameters = parameters
        runs = r.runs
        steps = r.steps
        seconds = r.seconds
        coverage = r.coverage.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        partitionedSteps = r.partitionedSteps
        stoppedByTimeout = r.stoppedByTimeout
        properties = r.properties
        cells = r.cells
        let order = system.metrics(of: system.initialStates[0]).map(\.0)
        deepest = order.compactMap { name in r.deepest[name].map { (name, $0) } }
        failure = r.failure.map { f in
            var document = TraceDocument(f.shrunk, of: system, spec: spec, variant: variant, parameters: parameters,
                                         property: f.property, kind: f.kind)
            document.shortest = false
            return (f.run, f.property, f.kind, f.original.length, document)
        }
    }
}

/// A spec's mutants declared once: one case each, carrying the property it must break, the
/// parameter values at which it is caught and what it gets wrong; the descriptor's variants and
/// the value each build receives are derived from the cases.
public protocol Mutant: RawRepresentable<String>, CaseIterable, Sendable {
    /// The property the explorer must find violated.
    var breaks: String { get }
    var summary: String { get }
    /// Parameter values (over the spec's defaults) at which the explorer catches it.
    var bounds: [String: Int] { get }
}

extension Mutant {
    public var bounds: [String: Int] { [:] }
    public static var variants: [Variant] { allCases.map { Variant($0.rawValue, breaks: $0.breaks, bounds: $0.bounds, $0.summary) } }

    /// The case a variant of ``variants`` stands for; nil for the spec itself.
    @inlinable public static func of(_ variant: Variant?) -> Self? { variant.flatMap { Self(rawValue: $0.name) } }
}

extension SpecDescriptor {
    /// A spec whose parameters are the fields of `Parameters` (see ``ParameterSet``) and whose
    /// mutants are the cases of `Mutation`: `build` receives the parameters and the case, or nil
    /// for the spec itself. `described` gives the spec's one description beside a faster `System` (see
    /// ``init(name:summary:parameters:variants:ciBounds:simulationBounds:proofBounds:conformanceSample:assumptions:singleValued:diagram:build:described:)``).
    @inlinable
    public init<System: TransitionSystem, Mutation: Mutant, Parameters: ParameterSet>(
        name: String, summary: String, mutants: Mutation.Type,
        simulationBounds: [String: Int] = [:], proofBounds: [String: Int] = [:], conformanceSample: Int = 4_000,
        assumptions: @escaping @Sendable (Parameters, Mutation?) -> String? = { _, _ in nil },
        singleValued: @escaping @Sendable (Parameters) -> [(variables: [String], because: String)] = { _ in [] },
        diagram: (@Sendable (TraceDocument) -> SequenceDiagram?)? = nil,
        build: @escaping @Sendable (Parameters, Mutation?) -> System,
        described: (@Sendable (Parameters, Mutation?) -> any GuardedSystem)? = nil
    ) {
        let mutation: @Sendable (Variant?) -> Mutation? = { Mutation.of($0) }
        var derived: (@Sendable ([String: Int], Variant?) -> any GuardedSystem)? = nil
        if let described { derived = { values, variant in described(Parameters(values), mutation(variant)) } }
        self.init(name: name, summary: summary, parameters: Parameters.described, variants: Mutation.variants,
                  simulationBounds: simulationBounds, proofBounds: proofBounds, conformanceSample: conformanceSample,
                  assumptions: { values, variant in assumptions(Parameters(values), mutation(variant)) },
                  singleValued: { singleValued(Parameters($0)) }, diagram: diagram,
                  build: { values, variant in build(Parameters(values), mutation(variant)) },
                  described: derived)
    }
}

/// A spec's parameters as one typed value: each parameter a stored `Int` whose initial value is
/// its default, written in that one place. Models are built from `p.servers`, not
/// `p["servers"]!`; the command line, the check plan and reports name parameters by
/// ``parameters``' names.
///
/// ```swift
/// public struct RingParameters: ParameterSet {
///     public var processes = 3
///     public init() {}
///     public static let parameters = [ParameterField("processes", \Self.processes, range: 2...8, "processes on the ring")]
/// }
/// ```
public protocol ParameterSet: Sendable {
    /// Every parameter at its default.
    init()
    /// Each parameter: its name, its field, its range and what it means, in the order `quorum
    /// list` shows them.
    static var parameters: [ParameterField<Self>] { get }
}

/// One parameter of a ``ParameterSet``.
public struct ParameterField<Parameters: ParameterSet>: Sendable {
    public let name: String
    public let path: WritableKeyPath<Parameters, Int> & Sendable
    public let range: ClosedRange<Int>
    public let summary: String

    public init(_ name: String, _ path: WritableKeyPath<Parameters, Int> & Sendable, range: ClosedRange<Int>, _ summary: String) {
        self.name = name
        self.path = path
        self.range = range
        self.summary = summary
    }
}

extension ParameterSet {
    /// The parameters as the command line lists them, each with the default `init()` gives it.
    @inlinable public static var described: [Parameter] {
        let defaults = Self()
        return parameters.map { Parameter($0.name, default: defaults[keyPath: $0.path], range: $0.range, $0.summary) }
    }

    /// The defaults, overridden by the named `values` (those the set does not name are ignored:
    /// ``SpecDescriptor/resolve(_:base:variant:ranges:)`` refuses unknown names before this).
    @inlinable public init(_ values: [String: Int]) {
        self.init()
        for field in Self.parameters { if let value = values[field.name] { self[keyPath: field.path] = value } }
    }
}
