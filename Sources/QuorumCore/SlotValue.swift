import Foundation

/// A value held in a fixed number of integer slots, each with a finite range: the form in which
/// a declared state is read and written by actions written once over a ``Logic``.
///
/// Concretely the slots are plain integers; symbolically each is one solver constant, so a
/// variable's domain (TLA+'s `TypeOK`) is the slots' ranges and nothing else: an enumeration is one
/// slot numbering its cases, a set one 0/1 slot per element of its finite universe, a value per
/// process the slots of each process's value in turn. Slot counts depend only on the process
/// names, so that one layout serves every state of a model.
public protocol SlotValue: TraceValue {
    /// The range of each slot, in order.
    static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>]
    /// Appends the value's slots.
    func slots(_ processes: ProcessNames, into out: inout [Int])
    /// The value whose slots are `slots` (exactly ``slotRanges(_:)``'s count of them, each in range).
    init(slots: ArraySlice<Int>, _ processes: ProcessNames)
    /// How many slots ``slotRanges(_:)`` lists: reading a value per process asks it for every
    /// element, so a type of many slots computes it without listing the ranges.
    static func slotCount(_ processes: ProcessNames) -> Int
    /// What the slots' ranges leave unsaid of a value's slots, so that each value has one row of
    /// slots and every row in the domain is a value's (a bag's elements in order, a message's
    /// unused fields 0): part of the symbolic engines' domain. True by default.
    static func wellFormed<L: Logic>(_ value: Slots<L, Self>) -> Formula<L>
    /// The value after a step's `changes` to its slots (places from its first slot, in the order
    /// made: a later change to a place wins), where `slots` are its slots before. By default the
    /// changed slots are read back; a set inserts and removes the members named instead, so that
    /// a step that sends one message costs one insertion, not a pass over every possible message.
    mutating func apply(_ changes: [(slot: Int, value: Int)], slots: ArraySlice<Int>, _ processes: ProcessNames)
    /// Calls `body` with each slot (its place from the first slot, in ascending order) where the
    /// value's slots differ from `other`'s, and its value here: a state written as its differences
    /// from blank (``TransitionSystem/stateBytes``). By default both are written out and
    /// compared; a set names the members in one and not the other, so that a state holding a few
    /// of thousands of possible messages costs the few.
    func forEachSlot(differingFrom other: Self, _ processes: ProcessNames, _ body: (Int, Int) -> Void)
}

/// A type with finitely many values given the processes, listed in a fixed order: the universe
/// of a set's characteristic function.
public protocol Enumerable: Hashable, Sendable {
    static func all(_ processes: ProcessNames) -> [Self]
    /// The value's place in ``all(_:)``, nil when it is not there: what a set's slot for it is.
    /// Derived by searching the list; a type whose place is a field (a process's number) says so,
    /// so that reading a set member builds no list.
    func position(_ processes: ProcessNames) -> Int?
    /// How many values ``all(_:)`` lists; a type with a large universe computes it, so that a
    /// set's slots are written without listing the universe.
    static func count(_ processes: ProcessNames) -> Int
    /// The value at place `k` of ``all(_:)``; a type with a large universe computes it.
    static func element(at k: Int, _ processes: ProcessNames) -> Self
    /// Calls `body` with the place of each of `elements` (nil where it is not in the universe):
    /// what writing a set's slots asks. A type whose places need a computation per model (the
    /// shape of MultiPaxos's message universe) does it once for the lot.
    static func forEachPosition<S: Sequence<Self>>(of elements: S, _ processes: ProcessNames, _ body: (Int?) -> Void)
    /// The values at `positions`: what reading a set's slots asks.
    static func elements(at positions: [Int], _ processes: ProcessNames) -> [Self]
}

extension Enumerable {
    @inlinable public func position(_ processes: ProcessNames) -> Int? { Self.all(processes).firstIndex(of: self) }
    @inlinable public static func count(_ processes: ProcessNames) -> Int { all(processes).count }
    @inlinable public static func element(at k: Int, _ processes: ProcessNames) -> Self { all(processes)[k] }
    @inlinable public static func forEachPosition<S: Sequence<Self>>(of elements: S, _ processes: ProcessNames, _ body: (Int?) -> Void) {
        for e in elements { body(e.position(processes)) }
    }
    @inlinable public static func elements(at positions: [Int], _ processes: ProcessNames) -> [Self] {
        positions.map { element(at: $0, processes) }
    }
}

extension SlotValue {
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { slotRanges(processes).count }
    @inlinable public static func wellFormed<L: Logic>(_ value: Slots<L, Self>) -> Formula<L> { Formula(true) }
    @inlinable public mutating func apply(_ changes: [(slot: Int, value: Int)], slots: ArraySlice<Int>, _ processes: ProcessNames) {
        var row = Array(slots)
        for change in changes { row[change.slot] = change.value }
        self = Self(slots: row[...], processes)
    }
    @inlinable public func forEachSlot(differingFrom other: Self, _ processes: ProcessNames, _ body: (Int, Int) -> Void) {
        if self == other { return }
        var mine: [Int] = [], theirs: [Int] = []
        slots(processes, into: &mine)
        other.slots(processes, into: &theirs)
        for k in mine.indices where mine[k] != theirs[k] { body(k, mine[k]) }
    }
}

extension TraceEnum {
    @inlinable public static func all(_ processes: ProcessNames) -> [Self] { Array(allCases) }
}

/// An enumeration is one slot: the number of its case.
extension TraceEnum {
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] { [0...(allCases.count - 1)] }
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { 1 }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) { out.append(caseNumber) }

    /// The case's place in `allCases`: its slot, and its word in fingerprints.
    @inlinable var caseNumber: Int { Self.allCases.distance(from: Self.allCases.startIndex, to: Self.allCases.firstIndex(of: self)!) }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) {
        self = Self.allCases[Self.allCases.index(Self.allCases.startIndex, offsetBy: slots.first!)]
    }
}

extension ProcessID: SlotValue, Enumerable {
    @inlinable public static func all(_ processes: ProcessNames) -> [ProcessID] { (0..<processes.count).map { ProcessID($0) } }
    @inlinable public func position(_ processes: ProcessNames) -> Int? { (0..<processes.count).contains(index) ? index : nil }
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] { [0...(processes.count - 1)] }
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { 1 }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) { out.append(index) }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) { self.init(integerLiteral: slots[slots.startIndex]) }
}

extension Bool: TraceValue, SlotValue, Enumerable {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue { .bool(self) }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .bool(let b) = traceValue else { return nil }
        self = b
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) { f.combine(self ? 1 : 0) }
    @inlinable public static func all(_ processes: ProcessNames) -> [Bool] { [false, true] }
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] { [0...1] }
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { 1 }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) { out.append(self ? 1 : 0) }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) { self = slots.first! != 0 }
}

/// An integer in a range that depends on the model's sizes, held in one slot and written to
/// traces as an integer (a type may write it otherwise): a count, a ballot, a budget. A type
/// gives its `value`, an initialiser and its ``range(_:)``; the rest is derived.
public protocol OneSlotValue: SlotValue {
    var value: Int { get }
    init(_ value: Int)
    static func range(_ processes: ProcessNames) -> ClosedRange<Int>
}

extension OneSlotValue {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue { .int(value) }
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let n = traceValue.intValue, Self.range(processes).contains(n) else { return nil }
        self.init(n)
    }
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) { f.combine(value) }
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] { [range(processes)] }
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { 1 }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) { out.append(value) }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) { self.init(slots[slots.startIndex]) }
}

/// A number from 0 to the number of processes, such as messages counted by one process.
public struct ProcessCount: OneSlotValue, Comparable, Codable {
    public let value: Int
    @inlinable public init(_ value: Int) { self.value = value }
    @inlinable public static func < (a: ProcessCount, b: ProcessCount) -> Bool { a.value < b.value }
    @inlinable public static func range(_ processes: ProcessNames) -> ClosedRange<Int> { 0...processes.count }
}

/// A set over a finite universe: one 0/1 slot per element of the universe, in its order.
extension Set: SlotValue where Element: TraceValue & Comparable & Enumerable {
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] {
        Array(repeating: 0...1, count: Element.count(processes))
    }
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int { Element.count(processes) }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: Element.count(processes)))
        Element.forEachPosition(of: self, processes) { k in if let k { out[start + k] = 1 } }
    }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) {
        var positions: [Int] = []
        for (k, bit) in slots.enumerated() where bit != 0 { positions.append(k) }
        self.init(Element.elements(at: positions, processes))
    }
    /// The members of one set and not the other, by place.
    @inlinable public func forEachSlot(differingFrom other: Self, _ processes: ProcessNames, _ body: (Int, Int) -> Void) {
        var changed: [(slot: Int, value: Int)] = []
        Element.forEachPosition(of: lazy.filter { !other.contains($0) }, processes) { if let k = $0 { changed.append((k, 1)) } }
        Element.forEachPosition(of: other.lazy.filter { !self.contains($0) }, processes) { if let k = $0 { changed.append((k, 0)) } }
        changed.sort { $0.slot < $1.slot }
        for c in changed { body(c.slot, c.value) }
    }
    /// Each changed slot inserts or removes its member.
    @inlinable public mutating func apply(_ changes: [(slot: Int, value: Int)], slots: ArraySlice<Int>, _ processes: ProcessNames) {
        for change in changes {
            let element = Element.element(at: change.slot, processes)
            if change.value != 0 { insert(element) } else { remove(element) }
        }
    }
}

/// A value per process: each process's slots in turn.
extension Array: SlotValue where Element: SlotValue {
    @inlinable public static func wellFormed<L: Logic>(_ value: Slots<L, [Element]>) -> Formula<L> {
        forAll(0..<value.processes.count) { Element.wellFormed(value[$0]) }
    }
    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] {
        Array<ClosedRange<Int>>((0..<processes.count).map { _ in Element.slotRanges(processes) }.joined())
    }
    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) {
        for x in self { x.slots(processes, into: &out) }
    }
    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) {
        let width = Element.slotCount(processes)
        self = (0..<processes.count).map { i in
            Element(slots: slots.dropFirst(i * width).prefix(width), processes)
        }
    }
    /// Each process's differences in turn.
    @inlinable public func forEachSlot(differingFrom other: Self, _ processes: ProcessNames, _ body: (Int, Int) -> Void) {
        guard count == other.count else {
            var mine: [Int] = [], theirs: [Int] = []
            slots(processes, into: &mine)
            other.slots(processes, into: &theirs)
            for k in mine.indices where k >= theirs.count || mine[k] != theirs[k] { body(k, mine[k]) }
            return
        }
        let width = Element.slotCount(processes)
        for i in indices where self[i] != other[i] {
            self[i].forEachSlot(differingFrom: other[i], processes) { body(i * width + $0, $1) }
        }
    }
    /// Each process whose slots changed takes its own changes.
    @inlinable public mutating func apply(_ changes: [(slot: Int, value: Int)], slots: ArraySlice<Int>, _ processes: ProcessNames) {
        let width = Element.slotCount(processes)
        var touched: [Int] = []
        for change in changes where !touched.contains(change.slot / width) { touched.append(change.slot / width) }
        var own: [(slot: Int, value: Int)] = []
        for i in touched {
            own.removeAll(keepingCapacity: true)
            for c in changes where c.slot / width == i { own.append((c.slot - i * width, c.value)) }
            let start = slots.startIndex + i * width
            self[i].apply(own, slots: slots[start..<start + width], processes)
        }
    }
}

/// A finite type reads itself back from traces by looking for the one value of its universe that
/// writes the same trace value: only `traceValue(_:)` is written by hand.
/// The search is done once per universe: its values are indexed by their trace values, so that
/// reading a set of Paxos's messages at fifty ballots does not write tens of thousands of
/// messages for each member it reads.
extension TraceValue where Self: Enumerable {
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let value = TraceIndex.value(Self.self, traceValue, processes) else { return nil }
        self = value
    }
}

/// The index of each enumerable type's universe by trace value, per set of process names.
@usableFromInline enum TraceIndex {
    /// A universe: the type and what its list depends on (a type's sizes are always the same names).
    private struct Key: Hashable {
        let type: ObjectIdentifier
        let count: Int
        let prefix: String
        let numbered: Bool
        let sizes: [Int]
    }
    nonisolated(unsafe) private static var tables: [Key: Any] = [:]
    private static let lock = NSLock()

    @usableFromInline static func value<T: TraceValue & Enumerable>(_ type: T.Type, _ traceValue: ITFValue, _ processes: ProcessNames) -> T? {
        let key = Key(type: ObjectIdentifier(type), count: processes.count, prefix: processes.prefix, numbered: processes.storage.numbered,
                      sizes: processes.storage.sizeList.map(\.value))
        if let table = lock.withLock({ tables[key] }) as? [ITFValue: T] { return table[traceValue] }
        var table: [ITFValue: T] = [:]
        // The first of equal trace values wins, as the search in the universe's order found it.
        for value in T.all(processes) where table[value.traceValue(processes)] == nil { table[value.traceValue(processes)] = value }
        lock.withLock { tables[key] = table }
        return table[traceValue]
    }
}
