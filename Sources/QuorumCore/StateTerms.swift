import Foundation

/// Where each declared variable's slots lie in a state's row of slots, for one model's processes.
/// One per state type and process count, shared (``shared(_:)``): it is immutable once made.
public final class SlotLayout<State: DeclaredState>: @unchecked Sendable {
    public let processes: ProcessNames
    /// Every slot's range, variable after variable.
    public let ranges: [ClosedRange<Int>]
    /// The first slot of each variable of `State.variables`, and one past the last slot.
    @usableFromInline let offsets: [Int]
    /// Each variable's offset in the state's memory: a cheap identity for the key paths that
    /// actions and invariants read variables by (nil for a variable that is not a stored property).
    @usableFromInline let memoryOffsets: [Int?]

    public init(_ processes: ProcessNames) {
        self.processes = processes
        var ranges: [ClosedRange<Int>] = []
        var offsets: [Int] = []
        for v in State.variables {
            guard let r = v.slots?.ranges(processes) else {
                preconditionFailure("\(State.self).\(v.name) is not held in slots (its type is not a SlotValue)")
            }
            offsets.append(ranges.count)
            ranges += r
        }
        offsets.append(ranges.count)
        self.ranges = ranges
        self.offsets = offsets
        memoryOffsets = State.variables.map { MemoryLayout<State>.offset(of: $0.keyPath as! PartialKeyPath<State>) }
    }

    /// The layout for these processes, made once per state type and process names.
    public static func shared(_ processes: ProcessNames) -> SlotLayout {
        let key = LayoutKey(state: ObjectIdentifier(State.self), prefix: processes.prefix, count: processes.count,
                            numbered: processes.numbered, sizes: processes.sizes)
        return layoutCache.lock.withLock {
            if let layout = layoutCache.layouts[key] { return unsafeDowncast(layout, to: SlotLayout.self) }
            let layout = SlotLayout(processes)
            layoutCache.layouts[key] = layout
            return layout
        }
    }

    /// The slots of the variable at `path`.
    @inlinable func span<V>(_ path: KeyPath<State, V>) -> Range<Int> {
        let k: Int?
        if let offset = MemoryLayout<State>.offset(of: path) {
            k = memoryOffsets.firstIndex(of: offset)
        } else {
            k = State.variables.firstIndex(where: { $0.keyPath as AnyKeyPath == path as AnyKeyPath })
        }
        guard let k else { preconditionFailure("\(path) is not one of \(State.self)'s declared variables") }
        return offsets[k]..<offsets[k + 1]
    }

    /// The name of each slot, for solver constants: the variable's name and the slot's number within it.
    public var slotNames: [String] {
        State.variables.indices.flatMap { k in
            let count = offsets[k + 1] - offsets[k]
            return (0..<count).map { count == 1 ? State.variables[k].name : "\(State.variables[k].name).\($0)" }
        }
    }

    @inlinable public func slots(of state: State) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(ranges.count)
        let variables = State.variables
        for k in variables.indices { variables[k].slots!.write(state, processes, &out) }
        return out
    }

    /// The state whose slots are `slots`, its variables overwritten in `blank`.
    @inlinable public func state(_ slots: [Int], blank: State) -> State {
        var state = blank
        let variables = State.variables
        for k in variables.indices { variables[k].slots!.read(slots[offsets[k]..<offsets[k + 1]], &state, processes) }
        return state
    }

    /// Calls `body` with each slot (ascending) where `state`'s row differs from `other`'s, and
    /// its value in `state`, without writing either row: a variable equal in both is skipped, and
    /// a set names its differing members (``SlotValue/forEachSlot(differingFrom:_:_:)``).
    @inlinable public func forEachSlot(of state: State, differingFrom other: State, _ body: (Int, Int) -> Void) {
        let variables = State.variables
        for k in variables.indices where variables[k].differs(state, other) {
            let start = offsets[k]
            variables[k].slots!.differing(state, other, processes) { body(start + $0, $1) }
        }
    }

    /// `state` after `changes` (slots of the whole row, in the order made), where `slots` is its
    /// row before: each variable that owns a changed slot takes its own changes
    /// (``SlotValue/apply(_:slots:_:)``), the others are kept as they are.
    @inlinable public func state(_ slots: [Int], changes: [(slot: Int, value: Int)], from state: State) -> State {
        var state = state
        let variables = State.variables
        var own: [(slot: Int, value: Int)] = []
        for k in variables.indices {
            let start = offsets[k], end = offsets[k + 1]
            own.removeAll(keepingCapacity: true)
            for change in changes where change.slot >= start && change.slot < end { own.append((change.slot - start, change.value)) }
            if own.isEmpty { continue }
            variables[k].slots!.apply(own, slots[start..<end], &state, processes)
        }
        return state
    }
}

struct LayoutKey: Hashable {
    let state: ObjectIdentifier
    let prefix: String
    let count: Int
    let numbered: Bool
    let sizes: [String: Int]
}

/// The layouts made so far, behind a lock: any worker may ask for one.
final class LayoutCache: @unchecked Sendable {
    let lock = NSLock()
    var layouts: [LayoutKey: AnyObject] = [:]
}

let layoutCache = LayoutCache()

/// A state in some ``Logic``, one integer per slot: what an action's guard and an invariant read.
///
/// Concretely the integers are a state's slots; a symbolic engine makes them solver constants.
/// Variables are read by key path (`s[\.rmState][rm] == .prepared`), which keeps a spec's actions
/// and invariants in the vocabulary of its own state type.
public struct StateTerms<L: Logic, State: DeclaredState> {
    public let layout: SlotLayout<State>
    public let slots: [L.Integer]

    @inlinable public init(layout: SlotLayout<State>, slots: [L.Integer]) {
        precondition(slots.count == layout.ranges.count, "one term per slot")
        self.layout = layout
        self.slots = slots
    }

    @inlinable public subscript<V: SlotValue>(_ path: KeyPath<State, V>) -> Slots<L, V> {
        Slots(terms: slots[layout.span(path)], processes: layout.processes)
    }

    @inlinable public var processes: ProcessNames { layout.processes }

    /// Every variable's ``SlotValue/wellFormed(_:)``: with the slots' ranges, the domain of states.
    @inlinable public var wellFormed: Formula<L> {
        let variables = State.variables
        return forAll(variables.indices) { k in
            guard let type = variables[k].slotType else { return Formula(true) }
            return Self.wellFormed(type, slots[layout.offsets[k]..<layout.offsets[k + 1]], processes)
        }
    }

    @inlinable static func wellFormed<V: SlotValue>(_ type: V.Type, _ terms: ArraySlice<L.Integer>, _ processes: ProcessNames) -> Formula<L> {
        V.wellFormed(Slots<L, V>(terms: terms, processes: processes))
    }
}

extension StateTerms where L == Concrete {
    @inlinable public init(_ state: State, layout: SlotLayout<State>) {
        self.init(layout: layout, slots: layout.slots(of: state))
    }
}

/// One value of type `V` as its slots in some ``Logic``.
public struct Slots<L: Logic, V: SlotValue> {
    public let terms: ArraySlice<L.Integer>
    public let processes: ProcessNames

    @inlinable public init(terms: ArraySlice<L.Integer>, processes: ProcessNames) {
        self.terms = terms
        self.processes = processes
    }

    @inlinable static func constant(_ value: V, _ processes: ProcessNames) -> [L.Integer] {
        var out: [Int] = []
        value.slots(processes, into: &out)
        return out.map(L.literal)
    }

    /// The value is `value`.
    @inlinable public static func == (a: Slots, b: V) -> Formula<L> {
        var result = Formula<L>(true)
        for (x, y) in zip(a.terms, constant(b, a.processes)) {
            result = result && Formula(value: L.equal(x, y))
            if L.isFalse(result.value) { return result }
        }
        return result
    }
    @inlinable public static func != (a: Slots, b: V) -> Formula<L> { !(a == b) }

    @inlinable public static func == (a: Slots, b: Slots) -> Formula<L> {
        var result = Formula<L>(true)
        for (x, y) in zip(a.terms, b.terms) { result = result && Formula(value: L.equal(x, y)) }
        return result
    }
}

extension Slots where V: Enumerable {
    /// The value is one of `values`.
    @inlinable public func isOne(of values: [V]) -> Formula<L> { exists(values) { self == $0 } }
}

extension Slots where V == Bool {
    @inlinable public var isTrue: Formula<L> { Formula(value: L.equal(terms.first!, L.literal(1))) }
}

extension Slots where V: OneSlotValue {
    /// The value, as a term.
    @inlinable public var term: Term<L> { Term(value: terms.first!) }
}

extension Slots where V == ProcessID {
    /// The process's number, as a term.
    @inlinable public var index: Term<L> { Term(value: terms.first!) }
}

/// A value per process.
extension Slots {
    @inlinable public subscript<E: SlotValue>(_ i: Int) -> Slots<L, E> where V == [E] {
        let width = E.slotCount(processes)
        let start = terms.startIndex + i * width
        return Slots<L, E>(terms: terms[start..<(start + width)], processes: processes)
    }

    /// `\E i : f[i] = value`.
    @inlinable public func contains<E: SlotValue>(_ value: E) -> Formula<L> where V == [E] {
        exists(0..<processes.count) { self[$0] == value }
    }

    /// `\A i : body(f[i])`.
    @inlinable public func allSatisfy<E: SlotValue>(_ body: (Slots<L, E>) -> Formula<L>) -> Formula<L> where V == [E] {
        forAll(0..<processes.count) { body(self[$0]) }
    }
}

/// A set over a finite universe.
extension Slots {
    @inlinable public func contains<E: Enumerable>(_ element: E) -> Formula<L> where V == Set<E> {
        guard let k = element.position(processes) else { return Formula(false) }
        return Formula(value: L.equal(terms[terms.startIndex + k], L.literal(1)))
    }

    /// `Cardinality(S)`.
    @inlinable public func count<E: Enumerable>() -> Term<L> where V == Set<E> {
        terms.reduce(Term<L>(0)) { $0 + Term(value: $1) }
    }

    @inlinable public func isEmpty<E: Enumerable>() -> Formula<L> where V == Set<E> { forAll(terms) { Formula(value: L.equal($0, L.literal(0))) } }

    /// `\A e \in S : body(e)`, expanded over the universe.
    @inlinable public func allSatisfy<E: Enumerable>(_ body: (E) -> Formula<L>) -> Formula<L> where V == Set<E> {
        forAll(E.all(processes)) { e in contains(e) ==> body(e) }
    }

    /// `\E e \in S : body(e)`, expanded over the universe.
    @inlinable public func contains<E: Enumerable>(where body: (E) -> Formula<L>) -> Formula<L> where V == Set<E> {
        exists(E.all(processes)) { e in contains(e) && body(e) }
    }
}
