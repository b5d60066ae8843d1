/// How each stored state was reached, in about two bytes per state: the explorer's trace links.
///
/// States are numbered in the order they are stored: the initial states first, then the
/// successors of each parent in parent order. So a state's parent is never smaller than the
/// previous state's parent, and the parents are kept as differences from that one, beside the
/// action indices, both as variable-length integers (one byte below 128). A checkpoint every
/// 1,024 states makes any link readable by decoding at most 1,023 entries before it; links are
/// read only to rebuild a counterexample.
@usableFromInline
struct TraceLinks {
    @usableFromInline init() {}

    /// Where decoding starts for the states `k * checkpointInterval ..<`.
    private struct Checkpoint {
        var parent: UInt32
        var parentOffset: Int
        var actionOffset: Int
    }

    private static let checkpointInterval = 1024
    /// The index among the initial states of each stored initial state; these are states `0..<roots.count`.
    private var roots: [UInt32] = []
    private var parentDeltas = ByteStream()
    private var actions = ByteStream()
    private var checkpoints: [Checkpoint] = []
    private var lastParent: UInt32 = 0
    /// Stored states that have a parent.
    private var linked = 0

    @usableFromInline var count: Int { roots.count + linked }

    @usableFromInline mutating func appendRoot(initialIndex: Int) {
        precondition(linked == 0, "initial states are stored before any successor")
        roots.append(UInt32(initialIndex))
    }

    @usableFromInline mutating func append(parent: UInt32, action: UInt32) {
        precondition(parent >= lastParent, "successors are stored in parent order")
        if linked % Self.checkpointInterval == 0 {
            checkpoints.append(Checkpoint(parent: lastParent, parentOffset: parentDeltas.count, actionOffset: actions.count))
        }
        parentDeltas.appendVarint(UInt64(parent - lastParent))
        actions.appendVarint(UInt64(action))
        lastParent = parent
        linked += 1
    }

    @usableFromInline enum Link {
        /// An initial state, with its index among the system's initial states.
        case root(initialIndex: Int)
        case step(parent: UInt32, action: Int)
    }

    @usableFromInline subscript(id: UInt32) -> Link {
        let id = Int(id)
        if id < roots.count { return .root(initialIndex: Int(roots[id])) }
        let n = id - roots.count
        let checkpoint = checkpoints[n / Self.checkpointInterval]
        var parent = checkpoint.parent
        var parentOffset = checkpoint.parentOffset, actionOffset = checkpoint.actionOffset
        var action: UInt64 = 0
        for _ in 0...(n % Self.checkpointInterval) {
            parent += UInt32(parentDeltas.readVarint(at: &parentOffset))
            action = actions.readVarint(at: &actionOffset)
        }
        return .step(parent: parent, action: Int(action))
    }

    @usableFromInline var bytes: Int {
        roots.capacity * MemoryLayout<UInt32>.stride + parentDeltas.bytes + actions.bytes
            + checkpoints.capacity * MemoryLayout<Checkpoint>.stride
    }
}

/// An append-only byte sequence in fixed-size chunks, so that it never holds more than one
/// chunk of spare capacity and never copies what it already holds.
struct ByteStream {
    private static let chunkShift = 14
    private static let chunkSize = 1 << chunkShift
    /// The full chunks, then the one being written: apart, so that an append writes to an array
    /// of its own instead of one nested in another (two uniqueness checks and a bounds check a
    /// byte, twice for each state the explorer stores).
    private var chunks: [[UInt8]] = []
    private var last: [UInt8] = []
    private(set) var count = 0

    @inline(__always) mutating func append(_ byte: UInt8) {
        if last.count == Self.chunkSize || last.capacity == 0 { startChunk() }
        last.append(byte)
        count += 1
    }

    /// The full chunk kept, and room made for the next.
    private mutating func startChunk() {
        if last.count == Self.chunkSize {
            chunks.append(last)
            last = []
        }
        if last.capacity == 0 { last.reserveCapacity(Self.chunkSize) }
    }

    /// Inlined, as `append` is: with a call a byte, a stored state's link took about 150
    /// instructions on Paxos (whose links are mostly a byte each), 100 without.
    @inline(__always) mutating func appendVarint(_ value: UInt64) {
        LEB128.append(value) { append($0) }
    }

    private func byte(_ i: Int) -> UInt8 {
        let chunk = i >> Self.chunkShift
        return chunk < chunks.count ? chunks[chunk][i & (Self.chunkSize - 1)] : last[i & (Self.chunkSize - 1)]
    }

    func readVarint(at offset: inout Int) -> UInt64 {
        LEB128.read(&offset, count: count) { byte($0) }
    }

    var bytes: Int { (chunks.count + (last.capacity > 0 ? 1 : 0)) * Self.chunkSize + chunks.capacity * MemoryLayout<[UInt8]>.stride }
}
