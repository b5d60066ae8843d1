#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuorumCore

/// A UDP socket bound to 127.0.0.1, for the nodes of `quorum cluster`. Written on the C socket
/// API rather than SwiftNIO: a node is one thread that waits for a datagram or its timer, so an
/// event loop adds nothing, and NIO would add minutes to every build of Quorum. Loopback only, by
/// construction: there is no way to name another address.
final class LoopbackSocket {
    let fd: Int32
    let port: UInt16

    /// Binds a port (0: any free one).
    init(port: UInt16 = 0) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_DGRAM, 0)
        #endif
        self.fd = fd
        guard fd >= 0 else { throw UsageError("cannot open a UDP socket: \(String(cString: strerror(errno)))") }
        // A receive buffer of up to 4 MiB (the system caps it at net.core.rmem_max): with the
        // default 208 KiB, a burst of broadcasts carrying batches overflowed the interposer's
        // buffer, and the kernel dropped every copy of a message at once, which stalled a slot.
        var size: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.address(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw UsageError("cannot bind 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    deinit { close(fd) }

    static func address(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return address
    }

    /// Free ports for `count` nodes: bound and released, so a node binds each right after.
    static func freePorts(_ count: Int) throws -> [UInt16] {
        let sockets = try (0..<count).map { _ in try LoopbackSocket() }
        return sockets.map(\.port)
    }

    /// Sends a datagram to 127.0.0.1:`port`; a lost datagram is the network's business.
    func send(_ bytes: [UInt8], to port: UInt16) {
        var address = Self.address(port)
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    /// Where datagrams are received: one buffer for the socket's life (a socket is read by one
    /// thread), not 64 KiB allocated and zeroed for every datagram.
    private var buffer = [UInt8](repeating: 0, count: 65_536)

    /// The next datagram, waiting at most `milliseconds`; nil when none came.
    func receive(waiting milliseconds: Int) -> [UInt8]? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(milliseconds)) > 0 else { return nil }
        let fd = self.fd
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buffer.prefix(n)) : nil
    }
}
