import Foundation
import Logging
import Metrics
import Prometheus
import QuorumCore

/// What a running node says about itself besides its protocol log: a structured log (swift-log,
/// one JSON object per line in `<node>.runtime.log`: starts, recoveries, role and term changes,
/// timeouts) and metrics (swift-metrics, kept in a Prometheus registry that ``MetricsEndpoint``
/// serves): steps by action, messages, the node's values of the variables its spec shows (term,
/// commit index), leaderships, timeouts, and the clients' requests and their latency.
///
/// The metrics are made through swift-metrics with the registry's factory passed explicitly,
/// not through the process-wide bootstrap, so nothing else in the process is affected.
final class NodeTelemetry {
    let logger: Logger
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let node: String
    private var counters: [String: Metrics.Counter] = [:]
    private var gauges: [String: Metrics.Gauge] = [:]
    private let latency: Metrics.Timer
    /// The node's last role and integer values, to log what changed.
    private var lastValues: [String: ITFValue] = [:]

    init(node: String, log path: String?) {
        self.node = node
        factory = PrometheusMetricsFactory(registry: registry)
        let sink = path.flatMap { JSONLinesLogHandler.Sink(path: $0) }
        var logger = Logger(label: "quorum.node") { _ in JSONLinesLogHandler(sink: sink) }
        logger[metadataKey: "node"] = "\(node)"
        self.logger = logger
        latency = Metrics.Timer(label: "quorum_client_request_duration_seconds", dimensions: [("node", node)], factory: factory)
    }

    private func counter(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Counter {
        let key = name + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        if let made = counters[key] { return made }
        let made = Metrics.Counter(label: name, dimensions: [("node", node)] + dimensions, factory: factory)
        counters[key] = made
        return made
    }

    private func gauge(_ name: String, _ dimensions: [(String, String)] = []) -> Metrics.Gauge {
        let key = name + dimensions.map { "|\($0.0)=\($0.1)" }.joined()
        if let made = gauges[key] { return made }
        let made = Metrics.Gauge(label: name, dimensions: [("node", node)] + dimensions, factory: factory)
        gauges[key] = made
        return made
    }

    func stepped(_ action: String, sent: Int, timeout: Bool) {
        counter("quorum_node_steps_total", [("action", action)]).increment()
        if sent > 0 { counter("quorum_node_messages_sent_total").increment(by: sent) }
        if timeout {
            counter("quorum_node_timeouts_total").increment()
            logger.debug("timed out", metadata: ["action": "\(action)"])
        }
    }

    func received() { counter("quorum_node_messages_received_total").increment() }

    /// Records the node's values of `shown` (integers as gauges) and its role, logging changes.
    func observe(_ values: [ITFValue], variables: [String], shown: [String], role: (variable: String, leader: ITFValue)?, me: ITFValue) {
        func mine(_ name: String) -> ITFValue? {
            guard let v = variables.firstIndex(of: name), case .map(let pairs) = values[v] else { return nil }
            return pairs.first { $0.key == me }?.value
        }
        var changed: Logger.Metadata = [:]
        for name in shown {
            guard let value = mine(name) else { continue }
            if let n = value.intValue { gauge("quorum_node_value", [("variable", name)]).record(n) }
            if lastValues[name] != value {
                if lastValues[name] != nil || name == role?.variable { changed[name] = "\(value.text)" }
                lastValues[name] = value
            }
        }
        if let role, let value = mine(role.variable) {
            let leads = value == role.leader
            gauge("quorum_node_leader").record(leads ? 1 : 0)
            if changed[role.variable] != nil {
                if leads { counter("quorum_node_leaderships_total").increment() }
                logger.info("role changed", metadata: changed)
                return
            }
        }
        if let term = changed.first(where: { $0.key.lowercased().contains("term") }) {
            logger.info("term changed", metadata: [term.key: term.value])
        }
    }

    /// A client's command answered (ok, fail) or redirected, with the time since the node took it.
    func answered(_ outcome: String, after seconds: Double?) {
        counter("quorum_client_requests_total", [("outcome", outcome)]).increment()
        if let seconds { latency.recordNanoseconds(Int64(seconds * 1e9)) }
    }
}

/// A swift-log handler writing one JSON object per line: time (seconds since 1970), level,
/// message, and the metadata's keys. swift-log leaves the output format to its handlers, and its
/// own writes text for people.
struct JSONLinesLogHandler: LogHandler {
    /// The file, shared by copies of the handler.
    final class Sink: @unchecked Sendable {
        private let handle: FileHandle
        private let lock = NSLock()

        init?(path: String) {
            if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
            _ = try? handle.seekToEnd()
            self.handle = handle
        }

        func write(_ line: String) { lock.withLock { try? handle.write(contentsOf: Data((line + "\n").utf8)) } }
    }

    let sink: Sink?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    var metadataProvider: Logger.MetadataProvider? = nil

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let sink else { return }
        var fields: [String: JSONTree] = ["time": .number(Date().timeIntervalSince1970), "level": .string(event.level.rawValue),
                                          "message": .string("\(event.message)")]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[key] = .string("\(value)") }
        sink.write(JSONTree.object(fields).text)
    }
}
