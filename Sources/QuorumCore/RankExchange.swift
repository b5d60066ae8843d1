import Foundation

/// The collective operations a distributed exploration needs from its ranks: every rank calls the
/// same operations in the same order, and each call returns when every rank has made it (MPI's
/// collectives). ``OpenMPI`` provides them across processes and machines; ``ThreadRanks`` in one
/// process, which is how `swift test` checks the distributed explorer without `mpirun`.
///
/// Calls come from one thread at a time (not necessarily the same one).
public protocol RankExchange: AnyObject, Sendable {
    /// This rank, in `0..<size`.
    var rank: Int { get }
    var size: Int { get }
    /// Sends `parts[r]` to rank `r`; returns what each rank sent to this one, indexed by sender.
    func allToAll(_ parts: [[UInt8]]) -> [[UInt8]]
    /// Every rank's `bytes`, indexed by rank.
    func allGather(_ bytes: [UInt8]) -> [[UInt8]]
    /// The element-wise `operation` of every rank's `values` (all of the same length).
    func allReduce(_ values: [UInt64], _ operation: ReduceOperation) -> [UInt64]
    /// `bytes` as rank `root` gave them (other ranks' arguments are ignored).
    func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8]
}

public enum ReduceOperation: Sendable {
    case sum, min, max
}

/// `size` ranks as threads of one process, exchanging through shared memory: the distributed
/// explorer's semantics without MPI, for tests and for trying `--distributed` logic on one machine.
///
/// ```swift
/// let results = ThreadRanks.run(size: 3) { exchange in
///     var options = ExplorationOptions()
///     options.exchange = exchange
///     return Explorer(Paxos(), options: options).run()
/// }
/// ```
public final class ThreadRanks: @unchecked Sendable {
    public let size: Int
    private let condition = NSCondition()
    /// What each rank deposited for the current operation.
    private var slots: [[[UInt8]]]
    private var arrived = 0
    private var generation = 0

    private init(size: Int) {
        self.size = size
        slots = Array(repeating: [], count: size)
    }

    /// Runs `body` once per rank, each on its own thread, and returns the results by rank.
    public static func run<R: Sendable>(size: Int, _ body: @escaping @Sendable (any RankExchange) -> R) -> [R] {
        precondition(size >= 1, "at least one rank")
        let shared = ThreadRanks(size: size)
        let results = Results<R>(count: size)
        let group = DispatchGroup()
        for rank in 0..<size {
            let thread = Thread {
                results.set(rank, body(Rank(shared: shared, rank: rank)))
                group.leave()
            }
            thread.stackSize = 8 << 20
            group.enter()
            thread.start()
        }
        group.wait()
        return results.values()
    }

    /// Deposits `parts` for rank `rank`, waits for every rank, and returns every rank's deposit;
    /// a second barrier keeps the slots until every rank has read them.
    fileprivate func exchange(_ rank: Int, _ parts: [[UInt8]]) -> [[[UInt8]]] {
        condition.lock()
        defer { condition.unlock() }
        slots[rank] = parts
        let all = barrier()
        _ = barrier()
        return all
    }

    /// Waits until every rank has arrived; returns the slots as they were then.
    private func barrier() -> [[[UInt8]]] {
        let mine = generation
        arrived += 1
        if arrived == size {
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return slots
    }

    private final class Results<R>: @unchecked Sendable {
        private var items: [R?]
        private let lock = NSLock()
        init(count: Int) { items = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: R) { lock.withLock { items[index] = value } }
        func values() -> [R] { lock.withLock { items.map { $0! } } }
    }

    private final class Rank: RankExchange, @unchecked Sendable {
        let shared: ThreadRanks
        let rank: Int
        var size: Int { shared.size }
        init(shared: ThreadRanks, rank: Int) {
            self.shared = shared
            self.rank = rank
        }

        func allToAll(_ parts: [[UInt8]]) -> [[UInt8]] {
            precondition(parts.count == size, "one part per rank")
            return shared.exchange(rank, parts).map { $0[rank] }
        }

        func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
            shared.exchange(rank, [bytes]).map { $0[0] }
        }

        func allReduce(_ values: [UInt64], _ operation: ReduceOperation) -> [UInt64] {
            let all = shared.exchange(rank, [RankBytes.words(values)]).map { RankBytes.values($0[0]) }
            return (0..<values.count).map { i in
                let column = all.map { $0[i] }
                switch operation {
                case .sum: return column.reduce(0, &+)
                case .min: return column.min()!
                case .max: return column.max()!
                }
            }
        }

        func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] {
            shared.exchange(rank, [bytes])[root][0]
        }
    }
}

/// Words as bytes and back, in the machine's byte order (ranks run the same binary).
@usableFromInline
enum RankBytes {
    @usableFromInline static func words(_ values: [UInt64]) -> [UInt8] {
        values.withUnsafeBytes { Array($0) }
    }

    @usableFromInline static func values(_ bytes: [UInt8]) -> [UInt64] {
        precondition(bytes.count % 8 == 0, "a whole number of words")
        return (0..<bytes.count / 8).map { i in bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self) } }
    }
}
