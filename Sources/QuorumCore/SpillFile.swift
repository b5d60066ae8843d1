import Foundation

/// A file the explorer spills to when its tables would exceed `--memory`: written sequentially
/// through a buffer, read at any offset with `pread` (safe from several threads at once), and
/// removed when the explorer is done with it.
///
/// Written on the POSIX calls rather than `FileHandle`: the readers are the explorer's worker
/// threads, which need positional reads without a shared file offset.
@usableFromInline
final class SpillFile: @unchecked Sendable {
    @usableFromInline let path: String
    let descriptor: Int32
    /// Held so that the directory is removed only after its last file.
    let directory: SpillDirectory
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 20
    /// Bytes written so far, buffered ones included.
    @usableFromInline private(set) var size = 0

    /// A new, empty file in `directory`.
    @usableFromInline init(in directory: SpillDirectory, name: String) throws {
        self.directory = directory
        path = directory.path + "/" + name
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw SpillError.cannotOpen(path, String(cString: strerror(errno))) }
        buffer.reserveCapacity(Self.bufferSize)
    }

    deinit {
        close(descriptor)
        unlink(path)
    }

    @usableFromInline func append(_ bytes: UnsafeRawBufferPointer) {
        if buffer.count + bytes.count > Self.bufferSize { flush() }
        if bytes.count > Self.bufferSize {
            write(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        size += bytes.count
    }

    @usableFromInline func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    /// Writes out what is buffered, so that reads see every byte appended.
    @usableFromInline func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { write($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: UnsafeRawBufferPointer) {
        var done = 0
        while done < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                // A full disk is not a verdict: stop the run with a message rather than explore on.
                fatalError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// Reads `count` bytes at `offset` into `into`, which must hold them. The bytes must have
    /// been flushed.
    @usableFromInline func read(at offset: Int, count: Int, into: UnsafeMutableRawPointer) {
        var done = 0
        while done < count {
            let n = pread(descriptor, into + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            precondition(n > 0, "cannot read \(path) at \(offset + done): \(n < 0 ? String(cString: strerror(errno)) : "end of file")")
            done += n
        }
    }
}

public enum SpillError: Error, CustomStringConvertible {
    case cannotOpen(String, String)
    public var description: String {
        switch self {
        case .cannotOpen(let path, let why): "cannot create the spill file \(path): \(why)"
        }
    }
}

/// The directory a run spills to: made fresh under the parent directory, removed with its files.
@usableFromInline
final class SpillDirectory: @unchecked Sendable {
    @usableFromInline let path: String
    private var counter = 0

    @usableFromInline init(under parent: String?) throws {
        let base = parent ?? NSTemporaryDirectory()
        path = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/quorum-spill-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(path, 0o700) == 0 else { throw SpillError.cannotOpen(path, String(cString: strerror(errno))) }
    }

    deinit { rmdir(path) }

    /// A new file in the directory.
    @usableFromInline func file(_ name: String) throws -> SpillFile {
        counter += 1
        return try SpillFile(in: self, name: "\(counter)-\(name)")
    }
}
