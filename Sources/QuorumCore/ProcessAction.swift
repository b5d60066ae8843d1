/// The kinds of a spec's actions, each named as in its TLA+ original (the raw value), for
/// ``ProcessAction``: an action is a kind and the process that takes it.
public protocol ActionKind: RawRepresentable<String>, Hashable, Codable, Sendable {
    /// The name of the action's process parameter in traces ("rm" for TwoPhase.tla's `RMPrepare(rm)`).
    static var parameter: String { get }
    /// How traces name the processes: "r" names process 0 "r1".
    static var processPrefix: String { get }
}

/// An action that is one of a spec's kinds, taken by a process or by none (a coordinator, the
/// network): what most specs' actions are, with the trace parameters and description derived.
public struct ProcessAction<Kind: ActionKind>: Hashable, Codable, Sendable, TraceableAction {
    public let action: Kind
    public let process: Int?

    @inlinable public init(_ action: Kind, _ process: Int? = nil) {
        self.action = action
        self.process = process
    }

    @inlinable public var name: String { action.rawValue }
    @usableFromInline var processName: String? { process.map { "\(Kind.processPrefix)\($0 + 1)" } }
    @inlinable public var parameters: [(String, ITFValue)] { processName.map { [(Kind.parameter, .string($0))] } ?? [] }
    @inlinable public var description: String { name + (processName.map { "(\($0))" } ?? "") }
}
