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
///
/// With the processes come the other sizes that slot layouts depend on (`sizes`), so that every
/// state of a model has one layout: the most elements a ``BoundedList`` holds (`capacity`), and
/// any a spec's own value types read (Paxos's highest ballot). The named values need not be
/// processes: AuditLog's are its signed records, `r1`…`rK`.
public struct ProcessNames: Sendable {
    /// Everything but the count, behind one reference: value types' slot code copies the names
    /// with every variable it reads, and one reference is one retain where a string, a
    /// dictionary and an array were three.
    @usableFromInline final class Storage: Sendable {
        @usableFromInline let prefix: String
        @usableFromInline let numbered: Bool
        @usableFromInline let sizes: [String: Int]
        /// The same sizes in a list: value types read them in their inner loops, where a short
        /// scan of small strings costs a fraction of a hashed lookup.
        @usableFromInline let sizeList: [(name: String, value: Int)]
        @usableFromInline let capacity: Int

        init(prefix: String, numbered: Bool, capacity: Int, sizes: [String: Int]) {
            self.prefix = prefix
            self.numbered = numbered
            self.sizes = sizes.merging([ProcessNames.capacityName: capacity]) { $1 }
            sizeList = self.sizes.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            self.capacity = capacity
        }
    }

    @usableFromInline let storage: Storage
    public let count: Int
    @inlinable public var prefix: String { storage.prefix }
    /// Processes are the integers 1...count in traces, as in a spec whose `Proc == 1..N`.
    @inlinable public var numbered: Bool { storage.numbered }
    /// The sizes that value types' slot ranges depend on, by name: read with ``size(_:)``.
    @inlinable public var sizes: [String: Int] { storage.sizes }
    /// The most elements of a ``BoundedList`` in this model (0 for a model with none).
    @inlinable public var capacity: Int { storage.capacity }

    public init(prefix: String, count: Int, capacity: Int = 0, sizes: [String: Int] = [:]) {
        self.count = count
        storage = Storage(prefix: prefix, numbered: false, capacity: capacity, sizes: sizes)
    }
    /// Processes written as the integers 1...count.
    public init(numbered count: Int, capacity: Int = 0, sizes: [String: Int] = [:]) {
        self.count = count
        storage = Storage(prefix: "", numbered: true, capacity: capacity, sizes: sizes)
    }
    static let capacityName = "capacity"
    /// The size named `name`, which the model's layout must give.
    public func size(_ name: String) -> Int {
        for entry in storage.sizeList where entry.name == name { return entry.value }
        preconditionFailure("the layout gives no size named \(name)")
    }
    public func name(_ i: Int) -> String { "\(prefix)\(i + 1)" }
    public func index(_ name: String) -> Int? {
        guard name.hasPrefix(prefix), let n = Int(name.dropFirst(prefix.count)), (1...count).contains(n) else { return nil }
        return n - 1
    }
    /// Process `i` as a trace value: its name, or its number.
    public func value(_ i: Int) -> ITFValue { numbered ? .int(i + 1) : .string(name(i)) }
    /// The process a trace value names.
    public func index(of value: ITFValue) -> Int? {
        if numbered {
            guard let n = value.intValue, (1...count).contains(n) else { return nil }
            return n - 1
        }
        return value.stringValue.flatMap(index)
    }
}

/// A process, written to traces by its name.
public struct ProcessID: TraceValue, Comparable, Codable, ExpressibleByIntegerLiteral {
    public let index: Int
    @inlinable public init(_ index: Int) { self.index = index }
    @inlinable public init(integerLiteral index: Int) { self.index = index }
    @inlinable public static func < (a: ProcessID, b: ProcessID) -> Bool { a.index < b.index }
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue { processes.value(index) }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let i = processes.index(of: traceValue) else { return nil }
        index = i
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) { f.combine(index) }
}

/// An enumeration written to traces as its raw string: a TLA+ string constant.
public protocol TraceEnum: TraceValue, RawRepresentable<String>, CaseIterable, SlotValue, Enumerable, ProcessPermutable {}

extension TraceEnum {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue { .string(rawValue) }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let raw = traceValue.stringValue else { return nil }
        self.init(rawValue: raw)
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) { f.combine(caseNumber) }
}

/// A set, as an ITF set; its words are its size, then its elements' in increasing order.
extension Set: TraceValue where Element: TraceValue & Comparable {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue { .set(of: map { $0.traceValue(processes) }) }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .set(let elements) = traceValue else { return nil }
        var out = Set<Element>()
        for e in elements {
            guard let x = Element(traceValue: e, processes), out.insert(x).inserted else { return nil }
        }
        self = out
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(count)
        for x in sorted() { x.words(into: &f) }
    }
}

/// A value per process, as an ITF map from process names; its words are its size, then each value's.
extension Array: TraceValue where Element: TraceValue {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue {
        .map(indices.map { (processes.value($0), self[$0].traceValue(processes)) })
    }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .map(let pairs) = traceValue, pairs.count == processes.count else { return nil }
        var out = [Element?](repeating: nil, count: processes.count)
        for pair in pairs {
            guard let i = processes.index(of: pair.key), out[i] == nil,
                  let x = Element(traceValue: pair.value, processes) else { return nil }
            out[i] = x
        }
        self = out.map { $0! }
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(count)
        for x in self { x.words(into: &f) }
    }
}

/// One declared state variable: its name in traces and where the state keeps it.
///
/// What the derived conformances do with the variable is held as closures made by the
/// `@inlinable` initialisers, in the module that declares the state: they are compiled for the
/// variable's own type, so the explorer's fingerprints and the slot I/O of a spec written once run
/// specialised code, with no generic dispatch per value.
public struct StateVariable<State>: Sendable {
    public let name: String
    @usableFromInline let keyPath: AnyKeyPath & Sendable
    @usableFromInline let write: @Sendable (State, ProcessNames) -> ITFValue
    @usableFromInline let read: @Sendable (ITFValue, inout State, ProcessNames) -> Bool
    /// The value's words, into the explorer's hasher and into a key of words (tests, audits).
    @usableFromInline let hash: @Sendable (State, inout Fingerprinter) -> Void
    @usableFromInline let key: @Sendable (State, inout FingerprintKey) -> Void
    @usableFromInline let differs: @Sendable (State, State) -> Bool
    /// Nil for a variable not held in slots.
    @usableFromInline let slots: SlotAccess<State>?
    /// The type of a variable held in slots, whose ``SlotValue/wellFormed(_:)`` the symbolic domain asks.
    @usableFromInline let slotType: (any SlotValue.Type)?
    /// Renames the processes in the variable's value; nil when its type is not ``ProcessPermutable``.
    @usableFromInline let permute: (@Sendable (inout State, [Int]) -> Void)?

    @inlinable public init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.init(name, path, slots: nil)
    }

    /// A variable whose type can rename processes (``ProcessPermutable``), so that a system
    /// symmetric in its processes derives the variable's images.
    @inlinable public init<Value: TraceValue & ProcessPermutable>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.init(name, path, slots: nil, permute: Self.permute(path))
    }

    /// Renames the processes in the variable in place: through its offset for a stored property
    /// (a key path's projection looks up generic metadata at every call, which `--symmetry` does
    /// for every image of every state), through the key path otherwise.
    @inlinable static func permute<Value: ProcessPermutable>(_ path: WritableKeyPath<State, Value> & Sendable) -> @Sendable (inout State, [Int]) -> Void {
        guard let offset = MemoryLayout<State>.offset(of: path) else {
            return { state, p in state[keyPath: path] = state[keyPath: path].permuted(p) }
        }
        return { state, p in
            withUnsafeMutableBytes(of: &state) { bytes in
                let value = UnsafeMutablePointer<Value>(OpaquePointer(bytes.baseAddress! + offset))
                value.pointee = value.pointee.permuted(p)
            }
        }
    }

    /// A variable whose values are held in slots (``SlotValue``): actions written over a
    /// ``Logic`` read and write it, and the symbolic engines derive its constants from it.
    @inlinable public init<Value: SlotValue>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.init(name, path, slots: SlotAccess(Value.self, path), slotType: Value.self)
    }

    @inlinable public init<Value: SlotValue & ProcessPermutable>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.init(name, path, slots: SlotAccess(Value.self, path), slotType: Value.self,
                  permute: Self.permute(path))
    }

    @inlinable init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<State, Value> & Sendable, slots: SlotAccess<State>?,
                                       slotType: (any SlotValue.Type)? = nil, permute: (@Sendable (inout State, [Int]) -> Void)? = nil) {
        self.name = name
        keyPath = path
        write = { state, names in state[keyPath: path].traceValue(names) }
        read = { value, state, names in
            guard let x = Value(traceValue: value, names) else { return false }
            state[keyPath: path] = x
            return true
        }
        hash = { state, f in state[keyPath: path].words(into: &f) }
        key = { state, f in state[keyPath: path].words(into: &f) }
        differs = { a, b in a[keyPath: path] != b[keyPath: path] }
        self.slots = slots
        self.slotType = slotType
        self.permute = permute
    }
}

/// How a variable held in slots is read and written as slots, compiled for its type.
@usableFromInline struct SlotAccess<State>: Sendable {
    @usableFromInline let ranges: @Sendable (ProcessNames) -> [ClosedRange<Int>]
    @usableFromInline let write: @Sendable (State, ProcessNames, inout [Int]) -> Void
    @usableFromInline let read: @Sendable (ArraySlice<Int>, inout State, ProcessNames) -> Void
    /// Changes the value by a step's assignments to its slots (``SlotValue/apply(_:slots:_:)``).
    @usableFromInline let apply: @Sendable ([(slot: Int, value: Int)], ArraySlice<Int>, inout State, ProcessNames) -> Void
    /// The slots where one state's value differs from another's (``SlotValue/forEachSlot(differingFrom:_:_:)``).
    @usableFromInline let differing: @Sendable (State, State, ProcessNames, (Int, Int) -> Void) -> Void

    @inlinable init<Value: SlotValue>(_ type: Value.Type, _ path: WritableKeyPath<State, Value> & Sendable) {
        self.init(ranges: { Value.slotRanges($0) },
                  write: { state, names, out in state[keyPath: path].slots(names, into: &out) },
                  read: { slots, state, names in state[keyPath: path] = Value(slots: slots, names) },
                  apply: { changes, slots, state, names in state[keyPath: path].apply(changes, slots: slots, names) },
                  differing: { a, b, names, body in a[keyPath: path].forEachSlot(differingFrom: b[keyPath: path], names, body) })
    }

    @inlinable init(ranges: @escaping @Sendable (ProcessNames) -> [ClosedRange<Int>],
                    write: @escaping @Sendable (State, ProcessNames, inout [Int]) -> Void,
                    read: @escaping @Sendable (ArraySlice<Int>, inout State, ProcessNames) -> Void,
                    apply: @escaping @Sendable ([(slot: Int, value: Int)], ArraySlice<Int>, inout State, ProcessNames) -> Void,
                    differing: @escaping @Sendable (State, State, ProcessNames, (Int, Int) -> Void) -> Void) {
        self.ranges = ranges
        self.write = write
        self.read = read
        self.apply = apply
        self.differing = differing
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
    @inlinable public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        if H.self == Fingerprinter.self {
            withUnsafeMutablePointer(to: &f) { p in
                p.withMemoryRebound(to: Fingerprinter.self, capacity: 1) { hasher in
                    let variables = Self.variables
                    for k in variables.indices { variables[k].hash(self, &hasher.pointee) }
                }
            }
        } else {
            var key = FingerprintKey()
            for v in Self.variables { v.key(self, &key) }
            for word in key.words { f.combine(word) }
        }
    }
}

/// Trace I/O and changed variables, derived for a system whose state declares its variables.
/// `blank` is the state that `state(fromTraceValues:)` overwrites variable by variable, and
/// `processNames` names the processes in traces.
public protocol DeclaredSystem: TransitionSystem where State: DeclaredState {
    var processNames: ProcessNames { get }
    var blank: State { get }
    /// Declared variables this model does not use (a mutant's own variable, in the spec's other
    /// models): they keep `blank`'s value and are left out of traces, so that the spec's traces
    /// show the original's variables only. Empty by default.
    var unusedVariables: Set<String> { get }
    /// Columns that traces show after the variables, computed from the state (AuditLog's
    /// `auditorAccepts`): written with every state, and checked against the state when read back,
    /// so that a trace cannot record a verdict its state does not have. Empty by default.
    var derivedColumns: [DerivedColumn<State>] { get }
    /// Whether renaming the processes maps behaviours to behaviours and keeps every property
    /// (TLC's `SYMMETRY Permutations(Proc)`): `--symmetry` then explores one state per class,
    /// the images derived from the variables, each of which must be ``ProcessPermutable``.
    /// False by default.
    var symmetricProcesses: Bool { get }
}

/// A value that traces show beside a state's variables, computed from them.
public struct DerivedColumn<State>: Sendable {
    public let name: String
    public let value: @Sendable (State) -> ITFValue
    public init(_ name: String, _ value: @escaping @Sendable (State) -> ITFValue) {
        self.name = name
        self.value = value
    }
}

extension DeclaredSystem {
    public var unusedVariables: Set<String> { [] }
    public var symmetricProcesses: Bool { false }
    public var derivedColumns: [DerivedColumn<State>] { [] }

    /// The declared variables in traces, in declaration order.
    var tracedVariables: [StateVariable<State>] {
        let unused = unusedVariables
        return unused.isEmpty ? State.variables : State.variables.filter { !unused.contains($0.name) }
    }

    public var traceVariables: [String] { tracedVariables.map(\.name) + derivedColumns.map(\.name) }

    public func processValue(_ i: Int) -> ITFValue { processNames.value(i) }

    public var processCount: Int? { processNames.count }

    public func traceValues(of state: State) -> [ITFValue] {
        tracedVariables.map { $0.write(state, processNames) } + derivedColumns.map { $0.value(state) }
    }

    public func state(_ state: State, with value: ITFValue, forVariable k: Int) -> State? {
        let variables = tracedVariables
        // A derived column is checked against the whole state: read it all.
        guard derivedColumns.isEmpty else {
            var values = traceValues(of: state)
            guard values.indices.contains(k) else { return nil }
            values[k] = value
            return readState(fromTraceValues: values)
        }
        guard variables.indices.contains(k) else { return nil }
        var next = state
        return variables[k].read(value, &next, processNames) ? next : nil
    }

    public func traceValue(of state: State, variable k: Int) -> ITFValue {
        let variables = tracedVariables
        return k < variables.count ? variables[k].write(state, processNames) : derivedColumns[k - variables.count].value(state)
    }

    public func state(fromTraceValues values: [ITFValue]) -> State? { readState(fromTraceValues: values) }

    /// The state whose variables the values are, if each is a value of its variable's type and
    /// every derived column is what the state computes.
    public func readState(fromTraceValues values: [ITFValue]) -> State? {
        let variables = tracedVariables, columns = derivedColumns
        guard values.count == variables.count + columns.count else { return nil }
        var state = blank
        for (variable, value) in zip(variables, values) where !variable.read(value, &state, processNames) {
            return nil
        }
        for (column, value) in zip(columns, values.dropFirst(variables.count)) where column.value(state) != value {
            return nil
        }
        return state
    }

    /// Bit k for variable k of ``traceVariables``.
    public func changedVariables(from before: State, to after: State) -> VariableSet {
        var changed: VariableSet = 0
        for (k, v) in tracedVariables.enumerated() where v.differs(before, after) { changed |= 1 << UInt64(k) }
        return changed
    }
}
