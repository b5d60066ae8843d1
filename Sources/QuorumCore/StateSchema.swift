/// How a state variable's value is written to a trace file, read back, and fed to the fingerprint:
/// the one description from which a ``DeclaredState`` derives all three.
///
/// `words(into:)` must be injective on the type's values and self-delimiting (a value's words
/// never begin another value's words), so that a state's words, variable after variable, are
/// injective on states: collections give their count first.
public protocol TraceValue: Hashable, Sendable {
    func traceValue(_ processes: ProcessNames) -> ITFValue
    init?(traceValue: ITFValue, _ processes: ProcessNames)
    func words<H: FingerprintHasher>(into f: inout H)
}

/// The names a spec gives its processes in traces ("r1", "r2" for TwoPhaseCommit's resource
/// managers), for values that name a process and for variables with a value per process.
public struct ProcessNames: Sendable {
    public let prefix: String
    public let count: Int
    public init(prefix: String, count: Int) {
        self.prefix = prefix
        self.count = count
    }
    public func name(_ i: Int) -> String { "\(prefix)\(i + 1)" }
    public func index(_ name: String) -> Int? {
        guard name.hasPrefix(prefix), let n = Int(name.dropFirst(prefix.count)), (1...count).contains(n) else { return nil }
        return n - 1
    }
}

/// A process, written to traces by its name.
public struct ProcessID: TraceValue, Comparable, Codable, ExpressibleByIntegerLiteral {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public init(integerLiteral index: Int) { self.index = index }
    public static func < (a: ProcessID, b: ProcessID) -> Bool { a.index < b.index }
    public func traceValue(_ processes: ProcessNames) -> ITFValue { .string(processes.name(index)) }
    public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let name = traceValue.stringValue, let i = processes.index(name) else { return nil }
        index = i
    }
    public func words<H: FingerprintHasher>(into f: inout H) { f.combine(index) }
}

/// An enumeration written to traces as its raw string: a TLA+ string constant.
public protocol TraceEnum: TraceValue, RawRepresentable<String>, CaseIterable, SlotValue, Enumerable {}

extension TraceEnum {
    public func traceValue(_ processes: ProcessNames) -> ITFValue { .string(rawValue) }
    public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let raw = traceValue.stringValue else { return nil }
        self.init(rawValue: raw)
    }
    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(Self.allCases.distance(from: Self.allCases.startIndex, to: Self.allCases.firstIndex(of: self)!))
    }
}

/// A set, as an ITF set; its words are its size, then its elements' in increasing order.
extension Set: TraceValue where Element: TraceValue & Comparable {
    public func traceValue(_ processes: ProcessNames) -> ITFValue { .set(of: map { $0.traceValue(processes) }) }
    public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .set(let elements) = traceValue else { return nil }
        var out = Set<Element>()
        for e in elements {
            guard let x = Element(traceValue: e, processes), out.insert(x).inserted else { return nil }
        }
        self = out
    }
    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(count)
        for x in sorted() { x.words(into: &f) }
    }
}

/// A value per process, as an ITF map from process names; its words are its size, then each value's.
extension Array: TraceValue where Element: TraceValue {
    public func traceValue(_ processes: ProcessNames) -> ITFValue {
        .map(indices.map { (.string(processes.name($0)), self[$0].traceValue(processes)) })
    }
    public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .map(let pairs) = traceValue, pairs.count == processes.count else { return nil }
        var out = [Element?](repeating: nil, count: processes.count)
        for pair in pairs {
            guard let name = pair.key.stringValue, let i = processes.index(name), out[i] == nil,
                  let x = Element(traceValue: pair.value, processes) else { return nil }
            out[i] = x
        }
        self = out.map { $0! }
    }
    public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(count)
        for x in self { x.words(into: &f) }
    }
}

/// One declared state variable: its name in traces and where the state keeps it.
public struct StateVariable<State>: Sendable {
    public let name: String
    @usableFromInline let access: any VariableAccess<State>

    @inlinable public init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.name = name
        access = KeyPathAccess(path: path)
    }

    /// A variable whose values are held in slots (``SlotValue``): actions written over a
    /// ``Logic`` read and write it, and the symbolic engines derive its constants from it.
    @inlinable public init<Value: SlotValue>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.name = name
        access = SlotAccess(path: path)
    }
}

/// What the derived conformances do with one variable, whatever its value's type.
@usableFromInline protocol VariableAccess<State>: Sendable {
    associatedtype State
    var keyPath: AnyKeyPath { get }
    func write(_ state: State, _ names: ProcessNames) -> ITFValue
    func read(_ value: ITFValue, into state: inout State, _ names: ProcessNames) -> Bool
    func words<H: FingerprintHasher>(_ state: State, into f: inout H)
    func differs(_ a: State, _ b: State) -> Bool
    /// The ranges of the variable's slots; nil for a variable not held in slots.
    func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>]?
    func writeSlots(_ state: State, _ names: ProcessNames, into out: inout [Int])
    func readSlots(_ slots: ArraySlice<Int>, into state: inout State, _ names: ProcessNames)
}

@usableFromInline struct KeyPathAccess<State, Value: TraceValue>: VariableAccess {
    @usableFromInline let path: WritableKeyPath<State, Value> & Sendable
    @usableFromInline init(path: WritableKeyPath<State, Value> & Sendable) { self.path = path }
    @usableFromInline var keyPath: AnyKeyPath { path }
    @usableFromInline func write(_ state: State, _ names: ProcessNames) -> ITFValue { state[keyPath: path].traceValue(names) }
    @usableFromInline func read(_ value: ITFValue, into state: inout State, _ names: ProcessNames) -> Bool {
        guard let x = Value(traceValue: value, names) else { return false }
        state[keyPath: path] = x
        return true
    }
    @usableFromInline func words<H: FingerprintHasher>(_ state: State, into f: inout H) { state[keyPath: path].words(into: &f) }
    @usableFromInline func differs(_ a: State, _ b: State) -> Bool { a[keyPath: path] != b[keyPath: path] }
    @usableFromInline func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>]? { nil }
    @usableFromInline func writeSlots(_ state: State, _ names: ProcessNames, into out: inout [Int]) {}
    @usableFromInline func readSlots(_ slots: ArraySlice<Int>, into state: inout State, _ names: ProcessNames) {}
}

@usableFromInline struct SlotAccess<State, Value: SlotValue>: VariableAccess {
    @usableFromInline let path: WritableKeyPath<State, Value> & Sendable
    @usableFromInline init(path: WritableKeyPath<State, Value> & Sendable) { self.path = path }
    @usableFromInline var keyPath: AnyKeyPath { path }
    @usableFromInline func write(_ state: State, _ names: ProcessNames) -> ITFValue { state[keyPath: path].traceValue(names) }
    @usableFromInline func read(_ value: ITFValue, into state: inout State, _ names: ProcessNames) -> Bool {
        guard let x = Value(traceValue: value, names) else { return false }
        state[keyPath: path] = x
        return true
    }
    @usableFromInline func words<H: FingerprintHasher>(_ state: State, into f: inout H) { state[keyPath: path].words(into: &f) }
    @usableFromInline func differs(_ a: State, _ b: State) -> Bool { a[keyPath: path] != b[keyPath: path] }
    @usableFromInline func slotRanges(_ names: ProcessNames) -> [ClosedRange<Int>]? { Value.slotRanges(names) }
    @usableFromInline func writeSlots(_ state: State, _ names: ProcessNames, into out: inout [Int]) { state[keyPath: path].slots(names, into: &out) }
    @usableFromInline func readSlots(_ slots: ArraySlice<Int>, into state: inout State, _ names: ProcessNames) {
        state[keyPath: path] = Value(slots: slots, names)
    }
}

/// A state whose variables are declared once (``variables``): its fingerprint, its trace values
/// in and out (with domain checks) and the variables a step changed are derived from that list,
/// so that adding a variable is adding a line, and no packing can merge two states.
public protocol DeclaredState: Hashable, Codable, Sendable, Fingerprintable {
    static var variables: [StateVariable<Self>] { get }
}

extension DeclaredState {
    /// Every variable's words, in declaration order: injective because each value's words are.
    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        for v in Self.variables { v.access.words(self, into: &f) }
    }
}

/// Trace I/O and changed variables, derived for a system whose state declares its variables.
/// `blank` is the state that `state(fromTraceValues:)` overwrites variable by variable, and
/// `processNames` names the processes in traces.
public protocol DeclaredSystem: TransitionSystem where State: DeclaredState {
    var processNames: ProcessNames { get }
    var blank: State { get }
}

extension DeclaredSystem {
    public var traceVariables: [String] { State.variables.map(\.name) }

    public func traceValues(of state: State) -> [ITFValue] { State.variables.map { $0.access.write(state, processNames) } }

    public func state(fromTraceValues values: [ITFValue]) -> State? {
        guard values.count == State.variables.count else { return nil }
        var state = blank
        for (variable, value) in zip(State.variables, values) where !variable.access.read(value, into: &state, processNames) {
            return nil
        }
        return state
    }

    public func changedVariables(from before: State, to after: State) -> VariableSet {
        var changed: VariableSet = 0
        for (k, v) in State.variables.enumerated() where v.access.differs(before, after) { changed |= 1 << UInt64(k) }
        return changed
    }
}
