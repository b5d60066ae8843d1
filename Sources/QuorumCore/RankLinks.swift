/// How each state a rank owns was reached, in about four bytes a state: the distributed
/// explorer's trace links.
///
/// A rank stores its states in increasing id, and, since ids follow (parent id, action index),
/// their parents in non-decreasing id. So, as ``TraceLinks`` does, each entry keeps differences
/// from the previous one, as variable-length integers: the id, the parent's id, the rank holding
/// the parent (0 for an initial state) and the action index (for an initial state, its index
/// among the initial states). A checkpoint every 256 entries makes a lookup a binary search and at
/// most 255 decodes; links are read only to rebuild a counterexample.
@usableFromInline
struct RankLinks {
    private struct Checkpoint {
        /// The id and parent of the entry before the checkpoint (what deltas start from), and the
        /// id of the first entry after it.
        var previousId: UInt32
        var parent: UInt32
        var firstId: UInt32
        var offset: Int
    }

    private static let checkpointInterval = 256
    private var stream = ByteStream()
    private var checkpoints: [Checkpoint] = []
    private var lastId: UInt32 = 0
    private var lastParent: UInt32 = 0
    private var entries = 0

    /// The first word of an initial state's link.
    @usableFromInline static var root: UInt64 { .max }

    @usableFromInline init() {}

    @usableFromInline mutating func appendRoot(id: UInt32, initialIndex: Int) {
        append(id, rankCode: 0, parent: lastParent, action: UInt32(initialIndex))
    }

    @usableFromInline mutating func append(id: UInt32, parentRank: Int, parent: UInt32, action: UInt32) {
        append(id, rankCode: parentRank + 1, parent: parent, action: action)
    }

    private mutating func append(_ id: UInt32, rankCode: Int, parent: UInt32, action: UInt32) {
        precondition(entries == 0 || id > lastId, "ids are appended in increasing order")
        precondition(parent >= lastParent, "parents are appended in non-decreasing order")
        if entries % Self.checkpointInterval == 0 {
            checkpoints.append(Checkpoint(previousId: lastId, parent: lastParent, firstId: id, offset: stream.count))
        }
        stream.appendVarint(UInt64(id - lastId))
        stream.appendVarint(UInt64(parent - lastParent))
        stream.appendVarint(UInt64(rankCode))
        stream.appendVarint(UInt64(action))
        lastId = id
        lastParent = parent
        entries += 1
    }

    /// The link of state `id`, as words: `[root, initialIndex]`, or `[parentRank, parent, action]`.
    @usableFromInline func words(of id: UInt32) -> [UInt64] {
        // The last checkpoint at or before `id`.
        var low = 0, high = checkpoints.count
        while low < high {
            let mid = (low + high) / 2
            if checkpoints[mid].firstId <= id { low = mid + 1 } else { high = mid }
        }
        precondition(low > 0, "a link asked of the rank that holds it")
        let checkpoint = checkpoints[low - 1]
        var current = checkpoint.previousId, parent = checkpoint.parent, offset = checkpoint.offset
        while offset < stream.count {
            current += UInt32(stream.readVarint(at: &offset))
            parent += UInt32(stream.readVarint(at: &offset))
            let rankCode = stream.readVarint(at: &offset)
            let action = stream.readVarint(at: &offset)
            if current == id { return rankCode == 0 ? [Self.root, action] : [rankCode - 1, UInt64(parent), action] }
            precondition(current < id, "a link asked of the rank that holds it")
        }
        preconditionFailure("a link asked of the rank that holds it")
    }

    @usableFromInline var bytes: Int { stream.bytes + checkpoints.capacity * MemoryLayout<Checkpoint>.stride }
}
