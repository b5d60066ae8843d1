import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Open MPI's collectives as a ``RankExchange``: `mpirun -np K quorum check ... --distributed`.
///
/// Open MPI is loaded when a run asks for it (`dlopen` of `libmpi.so.40`), not linked: Quorum
/// then builds, and builds as a dependency, on machines without MPI (a system-library target would
/// make every build need its headers, and `-I` flags are the unsafe flags SwiftPM refuses in a
/// dependency). The price is Open MPI's binary interface written here: handles such as
/// `MPI_COMM_WORLD` are the addresses of exported globals (`ompi_mpi_comm_world`), as `mpi.h`
/// defines them in Open MPI 3, 4 and 5. MPICH, whose handles are integers, is not supported.
/// `QUORUM_LIBMPI` names another library file.
public final class OpenMPI: RankExchange, @unchecked Sendable {
    public let rank: Int
    public let size: Int

    private typealias Handle = UnsafeMutableRawPointer
    private typealias InitThread = @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutablePointer<Int32>) -> Int32
    private typealias Finalize = @convention(c) () -> Int32
    private typealias CommQuery = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    private typealias Alltoall = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer, Int32, Handle, Handle) -> Int32
    private typealias Alltoallv = @convention(c) (UnsafeRawPointer, UnsafePointer<Int32>, UnsafePointer<Int32>, Handle,
                                                  UnsafeMutableRawPointer, UnsafePointer<Int32>, UnsafePointer<Int32>, Handle, Handle) -> Int32
    private typealias Allgather = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer, Int32, Handle, Handle) -> Int32
    private typealias Allgatherv = @convention(c) (UnsafeRawPointer, Int32, Handle, UnsafeMutableRawPointer,
                                                   UnsafePointer<Int32>, UnsafePointer<Int32>, Handle, Handle) -> Int32
    private typealias Allreduce = @convention(c) (UnsafeRawPointer, UnsafeMutableRawPointer, Int32, Handle, Handle, Handle) -> Int32
    private typealias Bcast = @convention(c) (UnsafeMutableRawPointer, Int32, Handle, Int32, Handle) -> Int32

    private let finalize: Finalize
    private let alltoall: Alltoall
    private let alltoallv: Alltoallv
    private let allgather: Allgather
    private let allgatherv: Allgatherv
    private let allreduce: Allreduce
    private let bcast: Bcast
    private let world, byte, int32, uint64, sum, min, max: Handle
    private var finished = false

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads Open MPI and initialises it (`MPI_Init_thread`, calls from one thread at a time).
    /// Call once per process, and ``finish()`` before the process exits.
    public init() throws {
        let candidates = ProcessInfo.processInfo.environment["QUORUM_LIBMPI"].map { [$0] }
            ?? ["libmpi.so.40", "libmpi.so", "libmpi.40.dylib", "libmpi.dylib"]
        var library: UnsafeMutableRawPointer? = nil
        var errors: [String] = []
        for name in candidates {
            // RTLD_GLOBAL: Open MPI's own plugins, which it loads in turn, resolve symbols in libmpi.
            library = dlopen(name, RTLD_NOW | RTLD_GLOBAL)
            if library != nil { break }
            errors.append(dlerror().map { String(cString: $0) } ?? name)
        }
        guard let library else {
            throw Unavailable(description: "--distributed needs Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev); "
                              + "could not load it: " + errors.joined(separator: "; "))
        }
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let address = dlsym(library, name) else {
                throw Unavailable(description: "the MPI library has no \(name): --distributed supports Open MPI only")
            }
            return address
        }
        func function<F>(_ name: String, as type: F.Type) throws -> F { unsafeBitCast(try symbol(name), to: type) }
        let initThread = try function("MPI_Init_thread", as: InitThread.self)
        finalize = try function("MPI_Finalize", as: Finalize.self)
        let commRank = try function("MPI_Comm_rank", as: CommQuery.self)
        let commSize = try function("MPI_Comm_size", as: CommQuery.self)
        alltoall = try function("MPI_Alltoall", as: Alltoall.self)
        alltoallv = try function("MPI_Alltoallv", as: Alltoallv.self)
        allgather = try function("MPI_Allgather", as: Allgather.self)
        allgatherv = try function("MPI_Allgatherv", as: Allgatherv.self)
        allreduce = try function("MPI_Allreduce", as: Allreduce.self)
        bcast = try function("MPI_Bcast", as: Bcast.self)
        world = try symbol("ompi_mpi_comm_world")
        byte = try symbol("ompi_mpi_byte")
        int32 = try symbol("ompi_mpi_int")
        uint64 = try symbol("ompi_mpi_uint64_t")
        sum = try symbol("ompi_mpi_op_sum")
        min = try symbol("ompi_mpi_op_min")
        max = try symbol("ompi_mpi_op_max")

        var provided: Int32 = 0
        // MPI_THREAD_SERIALIZED: the explorer's calls come from one thread at a time.
        try Self.check(initThread(nil, nil, 2, &provided), "MPI_Init_thread")
        guard provided >= 2 else { throw Unavailable(description: "Open MPI does not allow calls from more than one thread (MPI_THREAD_SERIALIZED)") }
        var value: Int32 = 0
        try Self.check(commRank(world, &value), "MPI_Comm_rank")
        rank = Int(value)
        try Self.check(commSize(world, &value), "MPI_Comm_size")
        size = Int(value)
    }

    /// `MPI_Finalize`: every rank calls it before it exits, or `mpirun` reports the job as failed.
    public func finish() {
        guard !finished else { return }
        finished = true
        _ = finalize()
    }

    private static func check(_ code: Int32, _ call: String) throws {
        if code != 0 { throw Unavailable(description: "\(call) failed with MPI error \(code)") }
    }

    /// MPI's default error handler aborts the job on a failed call; a non-zero code that comes back
    /// anyway is a broken job too.
    private func expect(_ code: Int32, _ call: String) {
        precondition(code == 0, "\(call) failed with MPI error \(code)")
    }

    private static func count(_ n: Int) -> Int32 {
        precondition(n < Int(Int32.max), "an exchange of 2 GiB or more in one batch; MPI counts are 32-bit")
        return Int32(n)
    }

    public func allToAll(_ parts: [[UInt8]]) -> [[UInt8]] {
        precondition(parts.count == size, "one part per rank")
        let sendCounts = parts.map { Self.count($0.count) }
        var receiveCounts = [Int32](repeating: 0, count: size)
        sendCounts.withUnsafeBytes { send in
            receiveCounts.withUnsafeMutableBytes { receive in
                expect(alltoall(send.baseAddress!, 1, int32, receive.baseAddress!, 1, int32, world), "MPI_Alltoall")
            }
        }
        let sendOffsets = Self.offsets(sendCounts), receiveOffsets = Self.offsets(receiveCounts)
        let sent = [UInt8(0)] + parts.joined()  // one byte ahead, so that the buffer is never empty
        var received = [UInt8](repeating: 0, count: 1 + Int(receiveCounts.reduce(0, +)))
        sent.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { receive in
                expect(alltoallv(send.baseAddress! + 1, sendCounts, sendOffsets, byte,
                                 receive.baseAddress! + 1, receiveCounts, receiveOffsets, byte, world), "MPI_Alltoallv")
            }
        }
        return (0..<size).map { r in Array(received[1 + Int(receiveOffsets[r])..<1 + Int(receiveOffsets[r] + receiveCounts[r])]) }
    }

    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] {
        var mine = Self.count(bytes.count)
        var counts = [Int32](repeating: 0, count: size)
        counts.withUnsafeMutableBytes { receive in
            expect(allgather(&mine, 1, int32, receive.baseAddress!, 1, int32, world), "MPI_Allgather")
        }
        let offsets = Self.offsets(counts)
        let sent = [UInt8(0)] + bytes
        var received = [UInt8](repeating: 0, count: 1 + Int(counts.reduce(0, +)))
        sent.withUnsafeBytes { send in
            received.withUnsafeMutableBytes { receive in
                expect(allgatherv(send.baseAddress! + 1, mine, byte, receive.baseAddress! + 1, counts, offsets, byte, world), "MPI_Allgatherv")
            }
        }
        return (0..<size).map { r in Array(received[1 + Int(offsets[r])..<1 + Int(offsets[r] + counts[r])]) }
    }

    public func allReduce(_ values: [UInt64], _ operation: ReduceOperation) -> [UInt64] {
        guard !values.isEmpty else { return [] }
        var result = [UInt64](repeating: 0, count: values.count)
        let op = switch operation { case .sum: sum; case .min: min; case .max: max }
        values.withUnsafeBytes { send in
            result.withUnsafeMutableBytes { receive in
                expect(allreduce(send.baseAddress!, receive.baseAddress!, Self.count(values.count), uint64, op, world), "MPI_Allreduce")
            }
        }
        return result
    }

    public func broadcast(_ bytes: [UInt8], from root: Int) -> [UInt8] {
        var length = UInt64(bytes.count)
        expect(bcast(&length, 1, uint64, Int32(root), world), "MPI_Bcast")
        var buffer = rank == root ? [UInt8(0)] + bytes : [UInt8](repeating: 0, count: 1 + Int(length))
        buffer.withUnsafeMutableBytes { raw in
            expect(bcast(raw.baseAddress! + 1, Self.count(Int(length)), byte, Int32(root), world), "MPI_Bcast")
        }
        return Array(buffer.dropFirst())
    }

    private static func offsets(_ counts: [Int32]) -> [Int32] {
        var offsets: [Int32] = [], total = 0
        for count in counts {
            offsets.append(Self.count(total))
            total += Int(count)
        }
        return offsets
    }
}
