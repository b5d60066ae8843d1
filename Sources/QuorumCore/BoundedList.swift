/// A sequence of at most ``ProcessNames/capacity`` elements: TLA+'s `Seq(S)` cut at a bound, as
/// a log or a replica of one.
///
/// Its slots are its length, then one element's slots per place up to the capacity. Places past
/// the end hold every slot at the bottom of its range, so that each list has exactly one row of
/// slots: a symbolic state and the concrete state it stands for are equal slot by slot, and the
/// actions below (``Step/append(_:_:)``, ``Step/insert(_:at:_:)``, ``Step/remove(_:at:)``) keep
/// it so. In traces it is an ITF list.
public struct BoundedList<Element: SlotValue>: SlotValue, ExpressibleByArrayLiteral {
    public var elements: [Element]

    @inlinable public init(_ elements: [Element]) { self.elements = elements }
    @inlinable public init(arrayLiteral elements: Element...) { self.elements = elements }

    @inlinable public var count: Int { elements.count }

    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue {
        .list(elements.map { $0.traceValue(processes) })
    }

    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .list(let values) = traceValue, values.count <= processes.capacity else { return nil }
        var elements: [Element] = []
        for value in values {
            guard let x = Element(traceValue: value, processes) else { return nil }
            elements.append(x)
        }
        self.elements = elements
    }

    @inlinable public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(elements.count)
        for x in elements { x.words(into: &f) }
    }

    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] {
        let element = Element.slotRanges(processes)
        return [0...processes.capacity] + (0..<processes.capacity).flatMap { _ in element }
    }

    /// Counted rather than listed: a list's places are read often, and a cluster's logs have hundreds.
    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int {
        1 + processes.capacity * Element.slotCount(processes)
    }

    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) {
        precondition(elements.count <= processes.capacity, "a list of \(elements.count) elements exceeds the capacity \(processes.capacity)")
        out.append(elements.count)
        for x in elements { x.slots(processes, into: &out) }
        let padding = Element.slotRanges(processes).map(\.lowerBound)
        for _ in elements.count..<processes.capacity { out += padding }
    }

    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) {
        let width = Element.slotCount(processes), start = slots.startIndex + 1
        elements = (0..<slots[slots.startIndex]).map { i in
            Element(slots: slots[(start + i * width)..<(start + (i + 1) * width)], processes)
        }
    }
}

extension BoundedList: Codable where Element: Codable {}

extension Slots {
    /// `Len(s)`.
    @inlinable public func count<E: SlotValue>() -> Term<L> where V == BoundedList<E> { Term(value: terms.first!) }

    /// `s[i + 1]`, for a place `i` below the capacity (it is padding when `i >= Len(s)`).
    @inlinable public subscript<E: SlotValue>(_ i: Int) -> Slots<L, E> where V == BoundedList<E> {
        let width = E.slotCount(processes)
        let start = terms.startIndex + 1 + i * width
        return Slots<L, E>(terms: terms[start..<(start + width)], processes: processes)
    }

    /// The places of the list up to its capacity.
    @inlinable public func places<E: SlotValue>() -> Range<Int> where V == BoundedList<E> { 0..<processes.capacity }

    /// `\A i \in 1..Len(s) : body(s[i])`, with each place's index.
    @inlinable public func allSatisfy<E: SlotValue>(_ body: (Int, Slots<L, E>) -> Formula<L>) -> Formula<L> where V == BoundedList<E> {
        let n = count()
        return forAll(places()) { i in Term(i) < n ==> body(i, self[i]) }
    }
}

extension Step {
    /// The list at `path` after the step: `count` elements, place `i` holding `element(i)` while
    /// `i < count` and padding after it.
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, count: Term<L>,
                                                      _ element: (Int) -> [Term<L>]) {
        set(now[path], count: count, element)
    }

    /// `f' = [f EXCEPT ![p] = list]` for a list per process, the list given as above.
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, [BoundedList<E>]>, _ p: Int, count: Term<L>,
                                                      _ element: (Int) -> [Term<L>]) {
        set(now[path][p], count: count, element)
    }

    /// The list whose slots are `list`'s becomes `count` elements, place `i` holding `element(i)`.
    @inlinable mutating func set<E: SlotValue>(_ list: Slots<L, BoundedList<E>>, count: Term<L>, _ element: (Int) -> [Term<L>]) {
        let padding = E.slotRanges(now.processes).map { Term<L>($0.lowerBound) }
        var values = [count.value]
        for i in list.places() {
            let inside = Term(i) < count
            values += zip(element(i), padding).map { ite(inside, $0, $1).value }
        }
        assign(list.terms.indices, values)
    }

    /// `f' = [f EXCEPT ![p] = Append(f[p], x)]`, for a list below its capacity (the guard says so).
    @inlinable public mutating func append<E: SlotValue>(_ path: KeyPath<State, [BoundedList<E>]>, _ p: Int, _ element: [Term<L>]) {
        let list = now[path][p], n = list.count()
        set(list, count: n + 1) { i in zip(element, list[i].terms).map { ite(n == Term(i), $0, Term(value: $1)) } }
    }

    /// `f' = [f EXCEPT ![p] = SubSeq(f[p], 1, Len(f[p]) - 1)]`, for a list that is not empty.
    @inlinable public mutating func removeLast<E: SlotValue>(_ path: KeyPath<State, [BoundedList<E>]>, _ p: Int) {
        let list = now[path][p]
        set(list, count: list.count() - 1) { i in list[i].terms.map { Term(value: $0) } }
    }

    /// `s' = Append(s, x)`, for a list below its capacity (the action's guard says so).
    @inlinable public mutating func append<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, _ element: [Term<L>]) {
        let list = now[path], n = list.count()
        set(path, count: n + 1) { i in
            zip(element, list[i].terms).map { ite(n == Term(i), $0, Term(value: $1)) }
        }
    }

    /// `s` with `element` inserted before place `i` (`i <= Len(s) < capacity`, by the guard).
    @inlinable public mutating func insert<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, at i: Int, _ element: [Term<L>]) {
        let list = now[path]
        set(path, count: list.count() + 1) { j in
            j < i ? list[j].terms.map { Term(value: $0) } : j == i ? element : list[j - 1].terms.map { Term(value: $0) }
        }
    }

    /// `s` with place `i` removed (`i < Len(s)`, by the guard).
    @inlinable public mutating func remove<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, at i: Int) {
        let list = now[path], last = list.places().upperBound - 1
        set(path, count: list.count() - 1) { j in
            (j < i ? list[j] : j < last ? list[j + 1] : list[j]).terms.map { Term(value: $0) }
        }
    }

    /// `s` with places `i` and `j` exchanged (both below `Len(s)`, by the guard).
    @inlinable public mutating func swapAt<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, _ i: Int, _ j: Int) {
        let list = now[path]
        assign(list[i].terms.indices, Array(list[j].terms))
        assign(list[j].terms.indices, Array(list[i].terms))
    }

    /// Slot `k` of the element at place `i` of a list becomes `value`.
    @inlinable public mutating func set<E: SlotValue>(_ path: KeyPath<State, BoundedList<E>>, _ i: Int, slot k: Int, to value: Term<L>) {
        let terms = now[path][i].terms
        assign(terms.startIndex + k, value.value)
    }
}

/// `k · a` for a constant `k >= 0`, by doubling: linear arithmetic, which every solver decides.
@inlinable public func * <L: Logic>(k: Int, a: Term<L>) -> Term<L> {
    precondition(k >= 0, "a constant factor is not negative")
    var result = Term<L>(0), power = a, rest = k
    while rest > 0 {
        if rest & 1 == 1 { result = result + power }
        rest >>= 1
        if rest > 0 { power = power + power }
    }
    return result
}
