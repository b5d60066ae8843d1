import Foundation

/// One level of the explorer's breadth-first queue: states with their ids, appended in id order
/// and read back in batches, in the same order.
///
/// Under `--memory` the queue holds at most `memoryBytes` in memory; later entries go to a spill
/// file, so that a level wider than the budget costs disk, not RAM. A state is written as the
/// system's ``TransitionSystem/stateBytes`` say: its memory when its type holds no references
/// (Raft's packed state), the slots where it differs from blank for a spec written over `Logic`,
/// else its JSON: each reads back to an equal state. States whose bytes are made for it
/// (``StateBytes/queuedEncoded``) are held as those bytes in memory too, so that the budget
/// counts what they hold: a MultiPaxos state's heap is kilobytes, its bytes about 130.
@usableFromInline
struct StateQueue<State: Codable> {
    @usableFromInline typealias Entry = (id: UInt32, state: State)
    @usableFromInline var memory: [Entry] = []
    /// Held as bytes: each state's bytes one after the other, and each entry's id and end.
    @usableFromInline var packed: [UInt8] = []
    @usableFromInline var packedEnds: [(id: UInt32, end: Int)] = []
    @usableFromInline let packs: Bool
    /// The most entries held as states, and the most bytes and entries held as bytes.
    @usableFromInline let memoryLimit: Int
    @usableFromInline let packedLimit: Int
    @usableFromInline let packedEntryLimit: Int
    @usableFromInline let directory: SpillDirectory?
    @usableFromInline let codec: StateBytes<State>
    /// Entries past those in memory, in order, once the queue spills.
    @usableFromInline var file: SpillFile? = nil
    @usableFromInline var spilled = 0
    /// Entries and bytes written to files over the queue's life, every level's.
    @usableFromInline var spilledInAll = 0
    @usableFromInline var bytesSpilledInAll = 0
    /// Where the next batch read from the file starts.
    @usableFromInline var readOffset = 0
    @usableFromInline var readCount = 0
    /// Bytes of the file from `bufferStart`, read a megabyte at a time rather than a record at a time.
    @usableFromInline var readBuffer: [UInt8] = []
    @usableFromInline var bufferStart = 0

    /// A queue that holds at most `memoryBytes` in memory (all of it without a limit).
    @inlinable init(memoryBytes: Int? = nil, directory: SpillDirectory? = nil, codec: StateBytes<State> = .standard) {
        self.directory = directory
        self.codec = codec
        packs = memoryBytes != nil && codec.queuedEncoded
        memoryLimit = memoryBytes.map { max(64, $0 / MemoryLayout<Entry>.stride) } ?? .max
        // Three quarters for the bytes, a quarter for the entries' ids and ends, each less a page
        // that an allocation may round up to.
        packedLimit = memoryBytes.map { max(4096, $0 / 4 * 3 - 4096) } ?? .max
        packedEntryLimit = memoryBytes.map { max(64, ($0 / 4 - 4096) / MemoryLayout<(id: UInt32, end: Int)>.stride) } ?? .max
    }

    @inlinable var inMemory: Int { packs ? packedEnds.count : memory.count }
    @inlinable var count: Int { inMemory + spilled }
    @inlinable var isEmpty: Bool { count == 0 }

    /// Bytes the queue holds in memory.
    @inlinable var bytes: Int {
        packs ? packed.capacity + packedEnds.capacity * MemoryLayout<(id: UInt32, end: Int)>.stride
            : memory.capacity * MemoryLayout<Entry>.stride
    }

    @inlinable mutating func append(_ entry: Entry) {
        if packs { return appendPacked(entry) }
        if spilled == 0 && memory.count < memoryLimit {
            if memoryLimit != .max && memory.count == memory.capacity { reserve(memory.count + 1) }
            memory.append(entry)
        } else {
            spill(entry.id, codec.encode(entry.state))
        }
    }

    /// The same, of the state at `state`, which the caller need not copy out first. The array's
    /// `append` of the entry still copies it through two temporaries (three `memcpy` calls a
    /// Raft state, by callgrind): a buffer written through a pointer would copy it once.
    @inlinable @inline(__always) mutating func append(id: UInt32, state: UnsafePointer<State>) {
        if !packs && spilled == 0 && memory.count < memoryLimit {
            if memoryLimit != .max && memory.count == memory.capacity { reserve(memory.count + 1) }
            memory.append((id, state.pointee))
        } else {
            append((id, state.pointee))
        }
    }

    @inlinable mutating func append(contentsOf entries: [Entry]) {
        if !packs && spilled == 0 && memory.count + entries.count <= memoryLimit {
            if memoryLimit != .max && memory.count + entries.count > memory.capacity { reserve(memory.count + entries.count) }
            memory.append(contentsOf: entries)
        } else {
            for entry in entries { append(entry) }
        }
    }

    @usableFromInline mutating func appendPacked(_ entry: Entry) {
        append(id: entry.id, encoded: codec.encode(entry.state))
    }

    /// Appends an entry already written as the codec's bytes (by the explorer's workers, in
    /// parallel), where the queue holds its states as bytes (`packs`); it keeps them while they
    /// fit, growing by doubling but never past the limits.
    @usableFromInline mutating func append(id: UInt32, encoded record: [UInt8]) {
        precondition(packs, "only a queue that holds bytes takes them")
        let end = packed.count + record.count
        guard spilled == 0, end <= packedLimit, packedEnds.count < packedEntryLimit else {
            return spill(id, record)
        }
        if end > packed.capacity { packed.reserveCapacity(min(packedLimit, max(end, 1 << 12, packed.capacity * 2))) }
        if packedEnds.count == packedEnds.capacity {
            packedEnds.reserveCapacity(min(packedEntryLimit, max(256, packedEnds.capacity * 2)))
        }
        packed.append(contentsOf: record)
        packedEnds.append((id, end))
    }

    /// Entries `range` (a range after those already read), from memory, the file or both: the
    /// explorer's batches are the same with and without a budget, so that a run stopped at a
    /// violation stops with the same figures. Entries held as bytes stay bytes until read.
    @inlinable mutating func batch(_ range: Range<Int>) -> QueueBatch<State> {
        if !packs && range.upperBound <= memory.count { return QueueBatch(states: memory[range], codec: codec) }
        var out = QueueBatch<State>(states: packs ? [] : memory[min(range.lowerBound, memory.count)..<min(range.upperBound, memory.count)], codec: codec)
        if packs && range.lowerBound < min(range.upperBound, packedEnds.count) {
            let upper = min(range.upperBound, packedEnds.count)
            let first = range.lowerBound == 0 ? 0 : packedEnds[range.lowerBound - 1].end
            out.bytes = Array(packed[first..<packedEnds[upper - 1].end])
            out.records.reserveCapacity(range.count)
            for i in range.lowerBound..<upper {
                out.records.append((packedEnds[i].id, (i == 0 ? 0 : packedEnds[i - 1].end) - first, packedEnds[i].end - first))
            }
        }
        let fromFile = range.upperBound - max(range.lowerBound, inMemory)
        if fromFile > 0 {
            precondition(max(range.lowerBound, inMemory) - inMemory == readCount, "a spilled queue is read once, in order")
            readSpilled(fromFile, into: &out)
        }
        return out
    }

    /// Room for `n` entries, growing by doubling but never past the limit, so that the memory a
    /// queue holds stays within its share.
    @usableFromInline mutating func reserve(_ n: Int) {
        memory.reserveCapacity(min(memoryLimit, max(n, 1024, memory.capacity * 2)))
    }

    /// Empties the queue for the next level, keeping its memory.
    @inlinable mutating func removeAll() {
        memory.removeAll(keepingCapacity: true)
        packed.removeAll(keepingCapacity: true)
        packedEnds.removeAll(keepingCapacity: true)
        file = nil
        spilled = 0
        readOffset = 0
        readCount = 0
        readBuffer = []
        bufferStart = 0
    }

    @usableFromInline mutating func spill(_ id: UInt32, _ record: [UInt8]) {
        if file == nil {
            guard let directory, let made = try? directory.file("queue") else {
                preconditionFailure("a queue over its memory limit needs a spill directory")
            }
            file = made
        }
        var header = (id, UInt32(record.count))
        withUnsafeBytes(of: &header) { file!.append(UnsafeRawBufferPointer(rebasing: $0[0..<8])) }
        file!.append(record)
        spilled += 1
        spilledInAll += 1
        bytesSpilledInAll += 8 + record.count
    }

    /// Appends the next `n` spilled entries' bytes to `batch`.
    @usableFromInline mutating func readSpilled(_ n: Int, into batch: inout QueueBatch<State>) {
        guard let file else { preconditionFailure("no spilled entries to read") }
        file.flush()
        batch.records.reserveCapacity(batch.records.count + n)
        for _ in 0..<n {
            buffer(file, covering: readOffset, 8)
            let (id, length) = readBuffer.withUnsafeBytes { bytes in
                (bytes.loadUnaligned(fromByteOffset: readOffset - bufferStart, as: UInt32.self),
                 Int(bytes.loadUnaligned(fromByteOffset: readOffset - bufferStart + 4, as: UInt32.self)))
            }
            buffer(file, covering: readOffset + 8, length)
            let start = readOffset + 8 - bufferStart
            batch.records.append((id, batch.bytes.count, batch.bytes.count + length))
            batch.bytes += readBuffer[start..<(start + length)]
            readOffset += 8 + length
        }
        readCount += n
    }
}

/// A batch of a queue's entries: those held as states, then those held as bytes, decoded where
/// they are read, so that the explorer's workers decode their own parts of a batch in parallel.
@usableFromInline
struct QueueBatch<State> {
    @usableFromInline let states: ArraySlice<(id: UInt32, state: State)>
    @usableFromInline var bytes: [UInt8] = []
    @usableFromInline var records: [(id: UInt32, start: Int, end: Int)] = []
    @usableFromInline let codec: StateBytes<State>

    @inlinable init(states: ArraySlice<(id: UInt32, state: State)>, codec: StateBytes<State>) {
        self.states = states
        self.codec = codec
    }

    @inlinable var count: Int { states.count + records.count }

    /// Entry `i` of the batch, from 0.
    @inlinable subscript(i: Int) -> (id: UInt32, state: State) {
        if i < states.count { return states[states.startIndex + i] }
        let r = records[i - states.count]
        return (r.id, bytes.withUnsafeBytes { codec.decode(UnsafeRawBufferPointer(rebasing: $0[r.start..<r.end])) })
    }
}

extension StateQueue {
    /// Makes `readBuffer` hold the file's bytes `offset ..< offset + count`.
    @usableFromInline mutating func buffer(_ file: SpillFile, covering offset: Int, _ count: Int) {
        if offset >= bufferStart && offset + count <= bufferStart + readBuffer.count { return }
        let n = min(file.size - offset, max(count, 1 << 20))
        if readBuffer.count != n { readBuffer = [UInt8](repeating: 0, count: n) }
        readBuffer.withUnsafeMutableBytes { file.read(at: offset, count: n, into: $0.baseAddress!) }
        bufferStart = offset
    }
}

/// A state as bytes and back: its memory when its type holds no references (a packed state),
/// else its JSON.
@usableFromInline
enum StateCodec {
    @usableFromInline static func encode<State: Codable>(_ state: State) -> [UInt8] {
        if _isPOD(State.self) {
            return withUnsafeBytes(of: state) { Array($0) }
        }
        do {
            return Array(try JSONEncoder().encode(state))
        } catch {
            preconditionFailure("a state that cannot be encoded cannot spill: \(error)")
        }
    }

    @usableFromInline static func decode<State: Codable>(_ type: State.Type, _ bytes: UnsafeRawBufferPointer) -> State {
        if _isPOD(State.self) {
            precondition(bytes.count == MemoryLayout<State>.size, "a spilled state of the wrong size")
            return bytes.loadUnaligned(as: State.self)
        }
        do {
            return try JSONDecoder().decode(State.self, from: Data(bytes))
        } catch {
            preconditionFailure("a spilled state that does not decode: \(error)")
        }
    }
}
