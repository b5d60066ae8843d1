#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Prometheus
import QuorumCore

/// Serves a node's metrics in Prometheus's text format at `http://127.0.0.1:PORT/metrics`, from
/// a thread of its own. Written on the C socket API, as ``LoopbackSocket`` is: it answers one
/// GET at a time, on loopback only, and an HTTP server on SwiftNIO (Hummingbird) would add
/// minutes to every build of Quorum for a page that a scraper reads twice a second at most.
final class MetricsEndpoint: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let registry: PrometheusCollectorRegistry

    /// Listens on 127.0.0.1:`port` (0: any free one).
    init(port: UInt16, registry: PrometheusCollectorRegistry) throws {
        let fd = Self.tcpSocket()
        self.fd = fd
        self.registry = registry
        guard fd >= 0 else { throw UsageError("cannot open a TCP socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = LoopbackSocket.address(port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            close(fd)
            throw UsageError("cannot listen on 127.0.0.1:\(port): \(String(cString: strerror(errno)))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    private static func tcpSocket() -> Int32 {
        #if canImport(Glibc)
        socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    /// Answers requests until the process ends: `GET /metrics` with the registry's text, anything
    /// else with 404.
    func start() {
        let thread = Thread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { continue }
                answer(client)
                close(client)
            }
        }
        thread.start()
    }

    private func answer(_ client: Int32) {
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        var poller = pollfd(fd: client, events: Int16(POLLIN), revents: 0)
        // The request line and headers, within a second and 8 KB; the body, if any, is ignored.
        while request.count < 8192, !request.ends(with: Array("\r\n\r\n".utf8)), poll(&poller, 1, 1000) > 0 {
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            request += chunk.prefix(n)
        }
        let line = String(decoding: request.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let found = parts.count >= 2 && parts[0] == "GET" && (parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?"))
        let body = found ? registry.emitToBuffer() : Array("not found: the metrics are at /metrics\n".utf8)
        let head = found ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n" : "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
        let response = Array((head + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8) + body
        var sent = 0
        while sent < response.count {
            let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }

    /// `GET /metrics` from 127.0.0.1:`port`: the body, or nil when no node answers within `timeout` seconds.
    static func scrape(port: UInt16, timeout: Double = 1) -> String? {
        let fd = tcpSocket()
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: .init((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = LoopbackSocket.address(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            response += chunk.prefix(n)
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.1 200"), let split = text.range(of: "\r\n\r\n") else { return nil }
        return String(text[split.upperBound...])
    }

    /// Free TCP ports on 127.0.0.1 for `count` endpoints: bound and released.
    static func freePorts(_ count: Int) throws -> [UInt16] {
        let registry = PrometheusCollectorRegistry()
        let endpoints = try (0..<count).map { _ in try MetricsEndpoint(port: 0, registry: registry) }
        defer { for e in endpoints { close(e.fd) } }
        return endpoints.map(\.port)
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}

/// Reads every node's metrics page again and again over a window at the end of a run, on a thread
/// of its own, keeping each node's latest page: `quorum cluster`'s record of what the nodes
/// counted, which vanishes with them. A node killed and restarted in the window starts its
/// series afresh (swift-metrics makes a series at its first use), so a page with fewer series
/// than the one kept does not replace it: the kept page is the latest of the fullest.
final class MetricsScraper: @unchecked Sendable {
    private let ports: [UInt16]
    private let from: Date, until: Date
    private let lock = NSLock()
    private var pages: [Int: String] = [:]
    private let done = DispatchSemaphore(value: 0)

    init(ports: [UInt16], from: Date, until: Date) {
        self.ports = ports
        self.from = from
        self.until = until
    }

    func start() {
        Thread { [self] in
            defer { done.signal() }
            Thread.sleep(until: from)
            repeat {
                for (k, port) in ports.enumerated() {
                    guard let page = MetricsEndpoint.scrape(port: port, timeout: 0.3) else { continue }
                    lock.withLock {
                        if let kept = pages[k], Self.series(page) < Self.series(kept) { return }
                        pages[k] = page
                    }
                }
                Thread.sleep(forTimeInterval: 0.1)
            } while Date() < until
        }.start()
    }

    /// A page's lines: its series, and a `# TYPE` line for each metric.
    static func series(_ page: String) -> Int { page.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } }

    /// The latest of the fullest pages read from each node, by node; waits for the window to end.
    func finish() -> [Int: String] {
        done.wait()
        return lock.withLock { pages }
    }
}
