import QuorumCore

/// The bits of ``VariableSet`` for Paxos: its variables in the order of its traces, and from
/// bit 32 the four kinds of message, parts of `msgs` (a step that sends a 2b message changes
/// `msgs` and its 2b part). Each Paxos invariant reads only some kinds: a Phase1a step, which
/// adds a 1a message, leaves all of them alone.
enum PaxosVariable {
    static let maxBal: VariableSet = 1 << 0
    static let maxVBal: VariableSet = 1 << 1
    static let maxVal: VariableSet = 1 << 2
    static let msgs: VariableSet = 1 << 3
    static let sent1a: VariableSet = 1 << 32
    static let sent1b: VariableSet = 1 << 33
    static let sent2a: VariableSet = 1 << 34
    static let sent2b: VariableSet = 1 << 35

    /// Exact: a bit is set if and only if that variable or part differs.
    @inline(__always) static func changed(from a: PaxosState, to b: PaxosState) -> VariableSet {
        withUnsafePointer(to: a) { a in withUnsafePointer(to: b) { b in changed(from: a, to: b) } }
    }

    /// The same, of the states at two addresses, read in place (the explorer's successors).
    @inline(__always) static func changed(from a: UnsafePointer<PaxosState>, to b: UnsafePointer<PaxosState>) -> VariableSet {
        var changed: VariableSet = 0
        if a.pointee.maxBal != b.pointee.maxBal { changed |= maxBal }
        if a.pointee.maxVBal != b.pointee.maxVBal { changed |= maxVBal }
        if a.pointee.maxVal != b.pointee.maxVal { changed |= maxVal }
        let kinds = PaxosMessageSet.kindsDiffering(a.pointer(to: \.msgs)!, b.pointer(to: \.msgs)!)
        if kinds != 0 { changed |= msgs | VariableSet(kinds) << 32 }
        return changed
    }
}

/// Paxos's variables as a property may read them, in ``Footprint``: each accessor answers the
/// variable (or the kind of message) it reads. A formula evaluated over this view is every
/// variable it can read on any state of the model: its ``Invariant/footprint``. The quantifier
/// domains are the model's constants, so the footprint is the model's own.
struct PaxosFootprintView: PaxosView {
    typealias L = Footprint
    let acceptors: Range<Int>
    let values: Range<Int>
    let ballots: ClosedRange<Int>
    let quorums: [[Int]]

    init(_ paxos: Paxos, quorums: [[Int]]) {
        acceptors = 0..<paxos.acceptors
        values = 0..<paxos.values
        ballots = paxos.ballots
        self.quorums = quorums
    }

    func maxBal(_ a: Int) -> Term<Footprint> { Term(value: PaxosVariable.maxBal) }
    func maxVBal(_ a: Int) -> Term<Footprint> { Term(value: PaxosVariable.maxVBal) }
    func maxVal(_ a: Int) -> Term<Footprint> { Term(value: PaxosVariable.maxVal) }
    func sent1a(bal: Int) -> Formula<Footprint> { Formula(value: PaxosVariable.sent1a) }
    func sent1b(acc: Int, bal: Int, mbal: Int, mval: Int) -> Formula<Footprint> { Formula(value: PaxosVariable.sent1b) }
    func sent2a(bal: Int, val: Int) -> Formula<Footprint> { Formula(value: PaxosVariable.sent2a) }
    func sent2b(acc: Int, bal: Int, val: Int) -> Formula<Footprint> { Formula(value: PaxosVariable.sent2b) }
}
