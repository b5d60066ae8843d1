/// The explorer and the simulator as QuorumCore compiles them for any `System`: generic code that
/// reaches the spec's functions through witness tables.
///
/// Not for use: `quorum bench --guard` times these against the ones ``AnyModel`` runs (compiled
/// in the spec's own module for its `System`, see ``AnyModel/init(_:spec:variant:parameters:)``),
/// and fails when the ratio says the specialisation was lost. Neither function may be inlined
/// or specialised (the compiler's default cross-module optimisation would otherwise do both).
public enum Unspecialized {
    /// A model's generic runs, as ``AnyModel/generic`` hands them out.
    public struct Runs: Sendable {
        public let explore: @Sendable (ExplorationOptions) -> (distinct: Int, seconds: Double)
        public let simulate: @Sendable (SimulationOptions) -> (steps: Int, seconds: Double)

        @inlinable
        public init(explore: @escaping @Sendable (ExplorationOptions) -> (distinct: Int, seconds: Double),
                    simulate: @escaping @Sendable (SimulationOptions) -> (steps: Int, seconds: Double)) {
            self.explore = explore
            self.simulate = simulate
        }
    }

    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public static func explore<System: TransitionSystem>(_ system: System, _ options: ExplorationOptions) -> (distinct: Int, seconds: Double) {
        let result = Explorer(system, options: options).run()
        return (result.distinctStates, result.seconds)
    }

    @_semantics("optimize.sil.specialize.generic.never") @inline(never)
    public static func simulate<System: TransitionSystem>(_ system: System, _ options: SimulationOptions) -> (steps: Int, seconds: Double) {
        let result = Simulator(system, options: options).run()
        return (result.steps, result.seconds)
    }
}
