import Foundation

/// One level of the explorer's breadth-first queue: states with their ids, appended in id order
/// and read back in batches, in the same order.
///
/// Up to `memoryLimit` entries stay in memory; beyond that (only under `--memory`) entries go to
/// a spill file, so that a level wider than the budget costs disk, not RAM. A state is written
/// as the system's ``TransitionSystem/stateBytes`` say: its memory when its type holds no
/// references (Raft's packed state), the slots where it differs from blank for a spec written
/// over `Logic`, else its JSON: each reads back to an equal state.
@usableFromInline
struct StateQueue<State: Codable> {
    @usableFromInline var memory: [(id: UInt32, state: State)] = []
    @usableFromInline let memoryLimit: Int
    @usableFromInline let directory: SpillDirectory?
    @usableFromInline let codec: StateBytes<State>
    /// Entries past `memory`, in order, once the queue spills.
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

    @inlinable init(memoryLimit: Int = .max, directory: SpillDirectory? = nil, codec: StateBytes<State> = .standard) {
        self.memoryLimit = memoryLimit
        self.directory = directory
        self.codec = codec
    }

    @inlinable var count: Int { memory.count + spilled }
    @inlinable var isEmpty: Bool { count == 0 }

    /// Bytes the queue holds in memory.
    @inlinable var bytes: Int { memory.capacity * MemoryLayout<(id: UInt32, state: State)>.stride }

    @inlinable mutating func append(_ entry: (id: UInt32, state: State)) {
        if spilled == 0 && memory.count < memoryLimit {
            if memoryLimit != .max && memory.count == memory.capacity { reserve(memory.count + 1) }
            memory.append(entry)
        } else {
            spill(entry)
        }
    }

    @inlinable mutating func append(contentsOf entries: [(id: UInt32, state: State)]) {
        if spilled == 0 && memory.count + entries.count <= memoryLimit {
            if memoryLimit != .max && memory.count + entries.count > memory.capacity { reserve(memory.count + entries.count) }
            memory.append(contentsOf: entries)
        } else {
            for entry in entries { append(entry) }
        }
    }

    /// Entries `range` (a range after those already read), from memory, the file or both: the
    /// explorer's batches are the same with and without a budget, so that a run stopped at a
    /// violation stops with the same figures.
    @inlinable mutating func batch(_ range: Range<Int>) -> ArraySlice<(id: UInt32, state: State)> {
        if range.upperBound <= memory.count { return memory[range] }
        let fromMemory = range.lowerBound < memory.count ? Array(memory[range.lowerBound...]) : []
        precondition(max(range.lowerBound, memory.count) - memory.count == readCount, "a spilled queue is read once, in order")
        return ArraySlice(fromMemory + readSpilled(range.upperBound - max(range.lowerBound, memory.count)))
    }

    /// Room for `n` entries, growing by doubling but never past the limit, so that the memory a
    /// queue holds stays within its share.
    @usableFromInline mutating func reserve(_ n: Int) {
        memory.reserveCapacity(min(memoryLimit, max(n, 1024, memory.capacity * 2)))
    }

    /// Empties the queue for the next level, keeping its memory.
    @inlinable mutating func removeAll() {
        memory.removeAll(keepingCapacity: true)
        file = nil
        spilled = 0
        readOffset = 0
        readCount = 0
        readBuffer = []
        bufferStart = 0
    }

    @usableFromInline mutating func spill(_ entry: (id: UInt32, state: State)) {
        if file == nil {
            guard let directory, let made = try? directory.file("queue") else {
                preconditionFailure("a queue over its memory limit needs a spill directory")
            }
            file = made
        }
        let record = codec.encode(entry.state)
        var header = (entry.id, UInt32(record.count))
        withUnsafeBytes(of: &header) { file!.append(UnsafeRawBufferPointer(rebasing: $0[0..<8])) }
        file!.append(record)
        spilled += 1
        spilledInAll += 1
        bytesSpilledInAll += 8 + record.count
    }

    @usableFromInline mutating func readSpilled(_ n: Int) -> [(id: UInt32, state: State)] {
        guard let file else { preconditionFailure("no spilled entries to read") }
        file.flush()
        var out: [(id: UInt32, state: State)] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            buffer(file, covering: readOffset, 8)
            let (id, length) = readBuffer.withUnsafeBytes { bytes in
                (bytes.loadUnaligned(fromByteOffset: readOffset - bufferStart, as: UInt32.self),
                 Int(bytes.loadUnaligned(fromByteOffset: readOffset - bufferStart + 4, as: UInt32.self)))
            }
            buffer(file, covering: readOffset + 8, length)
            let start = readOffset + 8 - bufferStart
            out.append((id, readBuffer.withUnsafeBytes { codec.decode(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }))
            readOffset += 8 + length
        }
        readCount += n
        return out
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
