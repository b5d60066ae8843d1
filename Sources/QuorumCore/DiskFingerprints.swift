import Foundation

/// The visited fingerprints that no longer fit the memory `--memory` allows: one sorted file,
/// merged with the in-memory table's contents whenever that table is full (TLC's DiskFPSet keeps
/// its overflow the same way).
///
/// A lookup finds the fingerprint's page through an index of each page's first fingerprint, held
/// in memory (8 bytes per 128 fingerprints), and reads that one page with `pread`, so that the
/// explorer's workers look up in parallel and the file's pages stay out of the process's memory.
@usableFromInline
final class DiskFingerprints: @unchecked Sendable {
    @usableFromInline static let pageSize = 128
    let directory: SpillDirectory
    var file: SpillFile? = nil
    /// The first fingerprint of each page.
    @usableFromInline var index: [UInt64] = []
    @usableFromInline private(set) var count = 0

    @usableFromInline init(directory: SpillDirectory) { self.directory = directory }

    /// Whether `fingerprint` is in the file (as a ``FingerprintSet`` key: 0 stored as 1).
    @usableFromInline func contains(_ fingerprint: UInt64) -> Bool {
        guard let file, count > 0 else { return false }
        let key = FingerprintSet.key(fingerprint)
        // The last page whose first fingerprint is at most `key`.
        var low = 0, high = index.count
        while low < high {
            let mid = (low + high) / 2
            if index[mid] <= key { low = mid + 1 } else { high = mid }
        }
        let page = low - 1
        if page < 0 { return false }
        let first = page * Self.pageSize, n = min(Self.pageSize, count - first)
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.pageSize) { buffer in
            file.read(at: first * 8, count: n * 8, into: UnsafeMutableRawPointer(buffer.baseAddress!))
            var low = 0, high = n
            while low < high {
                let mid = (low + high) / 2
                let x = buffer[mid]
                if x == key { return true }
                if x < key { low = mid + 1 } else { high = mid }
            }
            return false
        }
    }

    /// Merges `keys`, sorted and none of them in the file, into a new file that replaces the old.
    @usableFromInline func merge(_ keys: [UInt64]) throws {
        let merged = try directory.file("fingerprints")
        var newIndex: [UInt64] = []
        newIndex.reserveCapacity((count + keys.count) / Self.pageSize + 1)
        var written = 0
        var chunk: [UInt64] = []
        chunk.reserveCapacity(1 << 16)
        func emit(_ key: UInt64) {
            if written % Self.pageSize == 0 { newIndex.append(key) }
            chunk.append(key)
            written += 1
            if chunk.count == 1 << 16 {
                chunk.withUnsafeBytes { merged.append($0) }
                chunk.removeAll(keepingCapacity: true)
            }
        }
        var k = 0
        if let file {
            var buffer = [UInt64](repeating: 0, count: 1 << 16)
            var offset = 0
            while offset < count {
                let n = min(buffer.count, count - offset)
                buffer.withUnsafeMutableBytes { file.read(at: offset * 8, count: n * 8, into: $0.baseAddress!) }
                for i in 0..<n {
                    let old = buffer[i]
                    while k < keys.count && keys[k] < old { emit(keys[k]); k += 1 }
                    emit(old)
                }
                offset += n
            }
        }
        while k < keys.count { emit(keys[k]); k += 1 }
        chunk.withUnsafeBytes { merged.append($0) }
        merged.flush()
        file = merged
        index = newIndex
        count = written
    }

    /// Bytes held in memory: the page index.
    @usableFromInline var bytes: Int { index.capacity * 8 }
}

extension FingerprintSet {
    /// The stored keys, sorted: what a full table hands to ``DiskFingerprints``.
    @usableFromInline func sortedKeys() -> [UInt64] {
        var keys: [UInt64] = []
        keys.reserveCapacity(count)
        for key in slots where key != 0 { keys.append(key) }
        keys.sort()
        return keys
    }

    /// The table emptied, its size kept.
    @usableFromInline mutating func removeAll() {
        slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        stored = 0
    }
}
