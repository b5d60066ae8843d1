/// A bag (multiset) of at most ``capacity(_:)`` copies in all: TLA+'s bag of messages
/// (`[m \in DOMAIN bag |-> count]`), as a network that may duplicate and reorder its messages holds
/// them. A message whose last copy leaves is no longer in the bag's domain.
///
/// Its distinct elements are kept in increasing order, each with its copy count, so that one bag has
/// one row of slots: place `p` is a count (0 for an empty place) and an element's slots, the places in
/// use first. An element type's order must be the lexicographic order of its slots, which is how
/// ``BagPlaces/add(_:)`` finds an element's place from its slots in any ``Logic``. A type whose
/// values are packed into a word with the most significant field first gets this by listing its
/// slots in the same order. Places instead of one count per possible element keep a state small
/// where the possible elements run to thousands, and give one action instance per distinct element
/// in the bag, as TLC enumerates `\E m \in DOMAIN messages`.
///
/// In traces a bag is an ITF map from element to count, in the elements' order.
public struct Bag<Element: SlotValue & Comparable>: SlotValue {
    @usableFromInline var elementList: [Element]
    @usableFromInline var countList: [Int]
    /// The distinct elements, increasing.
    @inlinable public var elements: [Element] { elementList }
    /// The copies of each of ``elements``, each at least 1.
    @inlinable public var counts: [Int] { countList }

    @inlinable public init() {
        elementList = []
        countList = []
    }

    /// The name of the model size that bounds a bag's copies: the number of its places.
    public static var capacityName: String { "bag" }
    @inlinable public static func capacity(_ processes: ProcessNames) -> Int { processes.size(capacityName) }

    /// Copies in the bag, over all elements.
    @inlinable public var total: Int { countList.reduce(0, +) }

    @inlinable func place(of e: Element) -> (index: Int, found: Bool) {
        var low = 0, high = elementList.count
        while low < high {
            let mid = (low + high) / 2
            if elementList[mid] < e { low = mid + 1 } else { high = mid }
        }
        return (low, low < elementList.count && elementList[low] == e)
    }

    /// Copies of `e` in the bag (0 when it is not in the bag's domain).
    @inlinable public func count(of e: Element) -> Int {
        let p = place(of: e)
        return p.found ? countList[p.index] : 0
    }

    /// `WithMessage(e, bag)`: one copy more.
    @inlinable public mutating func add(_ e: Element) {
        let p = place(of: e)
        if p.found {
            countList[p.index] += 1
        } else {
            elementList.insert(e, at: p.index)
            countList.insert(1, at: p.index)
        }
    }

    /// `WithoutMessage(e, bag)`: one copy fewer; an element with no copies left leaves the bag.
    @inlinable public mutating func remove(_ e: Element) {
        let p = place(of: e)
        guard p.found else { return }
        if countList[p.index] > 1 {
            countList[p.index] -= 1
        } else {
            elementList.remove(at: p.index)
            countList.remove(at: p.index)
        }
    }

    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue {
        .map(elementList.indices.map { (elementList[$0].traceValue(processes), .int(countList[$0])) })
    }

    /// A map from elements to counts of at least 1, each element once, at most the capacity in all.
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard case .map(let pairs) = traceValue else { return nil }
        self.init()
        var total = 0
        let capacity = Self.capacity(processes)
        for pair in pairs {
            guard let e = Element(traceValue: pair.key, processes), let n = pair.value.intValue, n >= 1,
                  n <= capacity - total, count(of: e) == 0 else { return nil }
            total += n
            for _ in 0..<n { add(e) }
        }
    }

    @inlinable public func words<H: FingerprintHasher>(into f: inout H) {
        f.combine(elementList.count)
        for k in elementList.indices {
            elementList[k].words(into: &f)
            f.combine(countList[k])
        }
    }

    @inlinable public static func slotRanges(_ processes: ProcessNames) -> [ClosedRange<Int>] {
        let capacity = capacity(processes), element = Element.slotRanges(processes)
        return (0..<capacity).flatMap { _ in [0...capacity] + element }
    }

    @inlinable public static func slotCount(_ processes: ProcessNames) -> Int {
        capacity(processes) * (1 + Element.slotCount(processes))
    }

    @inlinable public func slots(_ processes: ProcessNames, into out: inout [Int]) {
        let capacity = Self.capacity(processes)
        precondition(elementList.count <= capacity, "a bag of \(elementList.count) distinct elementList exceeds the capacity \(capacity)")
        for k in elementList.indices {
            out.append(countList[k])
            elementList[k].slots(processes, into: &out)
        }
        let padding = [0] + Element.slotRanges(processes).map(\.lowerBound)
        for _ in elementList.count..<capacity { out += padding }
    }

    @inlinable public init(slots: ArraySlice<Int>, _ processes: ProcessNames) {
        self.init()
        let width = 1 + Element.slotCount(processes)
        var start = slots.startIndex
        while start < slots.endIndex, slots[start] > 0 {
            elementList.append(Element(slots: slots[(start + 1)..<(start + width)], processes))
            countList.append(slots[start])
            start += width
        }
    }
}

extension Bag {
    /// The places in use come first, their elements increasing and each well formed; an empty
    /// place holds the padding (each slot at the bottom of its range).
    @inlinable public static func wellFormed<L: Logic>(_ bag: Slots<L, Bag>) -> Formula<L> {
        let places = BagPlaces(bag)
        return forAll(places.places) { p in
            let used = places.counts[p] > Term(0)
            let next = p + 1 < places.counts.count ? places.counts[p + 1] > Term(0) : Formula(false)
            return (used ==> Element.wellFormed(places.element(p)))
                && (!used ==> !next && forAll(zip(places.elements[p], places.padding)) { $0.0 == $0.1 })
                && (used && next ==> BagPlaces<L, Element>.precedes(places.elements[p], places.elements[p + 1]))
        }
    }
}

extension Bag: Codable where Element: Codable {}

/// A bag's places as terms, changed by the adds and removes of one step, which then assigns them
/// with `Step.set(_:_:)`: `Reply`'s "add the response, remove the request" reads as two calls.
public struct BagPlaces<L: Logic, Element: SlotValue & Comparable> {
    /// Place `p`'s copies (0: empty).
    public var counts: [Term<L>]
    /// Place `p`'s element, slot by slot.
    public var elements: [[Term<L>]]
    public let processes: ProcessNames
    @usableFromInline let padding: [Term<L>]

    @inlinable public init(_ bag: Slots<L, Bag<Element>>) {
        processes = bag.processes
        let width = 1 + Element.slotCount(processes)
        let terms = Array(bag.terms)
        counts = stride(from: 0, to: terms.count, by: width).map { Term(value: terms[$0]) }
        elements = stride(from: 0, to: terms.count, by: width).map { p in terms[(p + 1)..<(p + width)].map { Term(value: $0) } }
        padding = Element.slotRanges(processes).map { Term($0.lowerBound) }
    }

    @inlinable public var places: Range<Int> { counts.indices }

    /// Place `p`'s element as the element type's slots, for the accessors written over them.
    @inlinable public func element(_ p: Int) -> Slots<L, Element> {
        Slots(terms: ArraySlice(elements[p].map(\.value)), processes: processes)
    }

    /// `e` is in the bag's domain at place `p`.
    @inlinable public func holds(_ p: Int, _ e: [Term<L>]) -> Formula<L> {
        counts[p] > Term(0) && forAll(zip(elements[p], e)) { $0.0 == $0.1 }
    }

    /// Copies of `e`.
    @inlinable public func count(of e: [Term<L>]) -> Term<L> {
        places.reduce(Term(0)) { sum, p in sum + ite(holds(p, e), counts[p], Term(0)) }
    }

    /// `a` before `b` in the lexicographic order of their slots.
    @inlinable static func precedes(_ a: [Term<L>], _ b: [Term<L>]) -> Formula<L> {
        var result = Formula<L>(false)
        for k in a.indices.reversed() { result = a[k] < b[k] || (a[k] == b[k] && result) }
        return result
    }

    /// `WithMessage(e, bag)`: a copy more of `e` where it is, or `e` inserted at the place that keeps
    /// the elements increasing (the places after it move up one). The bounds must leave a place free.
    @inlinable public mutating func add(_ e: [Term<L>]) {
        let found = places.map { holds($0, e) }, anywhere = exists(found) { $0 }
        let before = places.reduce(Term<L>(0)) { k, p in k + ite(counts[p] > Term(0) && Self.precedes(elements[p], e), Term(1), Term(0)) }
        var newCounts = counts, newElements = elements
        for p in places {
            let below = p == 0 ? p : p - 1
            let inserted = ite(Term(p) < before, counts[p], ite(Term(p) == before, Term(1), counts[below]))
            newCounts[p] = ite(anywhere, ite(found[p], counts[p] + Term(1), counts[p]), inserted)
            newElements[p] = elements[p].indices.map { k in
                ite(anywhere || Term(p) < before, elements[p][k], ite(Term(p) == before, e[k], elements[below][k]))
            }
        }
        counts = newCounts
        elements = newElements
    }

    /// `WithoutMessage(e, bag)` for the element at place `p` (which the guard says is in use): a
    /// copy fewer, and the places after it move down one when that was its last copy.
    @inlinable public mutating func remove(at p: Int) {
        let last = counts[p] == Term(1)
        var newCounts = counts, newElements = elements
        for q in p..<counts.count {
            let above = q + 1 < counts.count ? counts[q + 1] : Term(0)
            newCounts[q] = ite(last, above, q == p ? counts[p] - 1 : counts[q])
            newElements[q] = elements[q].indices.map { k in
                ite(last, q + 1 < counts.count ? elements[q + 1][k] : padding[k], elements[q][k])
            }
        }
        counts = newCounts
        elements = newElements
    }

    /// One copy more of the element at place `p` (in use).
    @inlinable public mutating func duplicate(at p: Int) { counts[p] = counts[p] + Term(1) }

    /// The places' slots, in the bag's row order.
    @inlinable var terms: [L.Integer] { places.flatMap { [counts[$0].value] + elements[$0].map(\.value) } }
}

extension Step {
    /// `bag' = places`, after the step's adds and removes.
    @inlinable public mutating func set<E: SlotValue & Comparable>(_ path: KeyPath<State, Bag<E>>, _ places: BagPlaces<L, E>) {
        assign(now.layout.span(path), places.terms)
    }
}

extension StateTerms {
    /// The places of the bag at `path`, to read or to change in a step.
    @inlinable public func places<E: SlotValue & Comparable>(_ path: KeyPath<State, Bag<E>>) -> BagPlaces<L, E> {
        BagPlaces(self[path])
    }
}
