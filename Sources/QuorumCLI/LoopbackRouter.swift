import Foundation
import QuorumCore

/// The network of a faulty cluster: an interposer on loopback through which every datagram between
/// nodes passes, so that the nodes cannot tell its faults from a real network's. Seeded: it drops,
/// duplicates and delays datagrams (delays reorder them), and cuts the links across a partition
/// while one is in place, or to a node that is down. A datagram reaches it prefixed by its
/// destination's and its source's node numbers. For a spec whose network drops and copies messages
/// by steps of its own (raft.tla's `DropMessage` and `DuplicateMessage`), it logs each such fault as
/// an event of the node `network`, so that validation need not guess where they happened.
final class LoopbackRouter: @unchecked Sendable {
    let socket: LoopbackSocket
    private let ports: [UInt16]
    private let lock = NSLock()
    private var random: SeededGenerator
    private var stopped = false
    /// The side of each node while a partition is in place; nil: none.
    private var sides: [Int]?
    private var down = Set<Int>()
    /// The network's log: set when the spec has steps for the faults.
    let logsFaults: Bool
    private(set) var events: [NodeEvent] = []
    private var delayed: [(due: Date, bytes: [UInt8], port: UInt16)] = []
    private(set) var counts = (forwarded: 0, dropped: 0, duplicated: 0, cut: 0)
    private var thread: Thread?

    init(ports: [UInt16], seed: UInt64, logsFaults: Bool) throws {
        socket = try LoopbackSocket()
        self.ports = ports
        self.logsFaults = logsFaults
        random = SeededGenerator(seed: seed ^ 0x5EED_0F_FA17)
    }

    /// Starts forwarding on a thread of its own.
    func start() {
        let thread = Thread { [self] in run() }
        self.thread = thread
        thread.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        while thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.005) }
    }

    /// Cuts the links between the two sides (nil: heals the network).
    func partition(_ sides: [Int]?) { lock.withLock { self.sides = sides } }

    /// Marks a node down (what is sent to it is lost) or up again.
    func setDown(_ node: Int, _ isDown: Bool) {
        lock.withLock { if isDown { down.insert(node) } else { down.remove(node) } }
    }

    private func log(_ action: String, _ payload: [UInt8]) {
        guard logsFaults, let message = try? ITFValue(json: Data(Datagram.split(payload).message)) else { return }
        events.append(NodeEvent(node: NodeEvent.network, action: action, parameters: [("m", message)], time: Date().timeIntervalSince1970))
    }

    private func run() {
        while !lock.withLock({ stopped }) {
            let now = Date()
            let due = lock.withLock { () -> [(bytes: [UInt8], port: UInt16)] in
                let ready = delayed.filter { $0.due <= now }
                delayed.removeAll { $0.due <= now }
                return ready.map { ($0.bytes, $0.port) }
            }
            for d in due { socket.send(d.bytes, to: d.port) }
            guard let datagram = socket.receive(waiting: 2), datagram.count > 2 else { continue }
            let to = Int(datagram[0]), from = Int(datagram[1])
            guard ports.indices.contains(to), ports.indices.contains(from) else { continue }
            let payload = Array(datagram.dropFirst(2))
            lock.withLock {
                if let sides, sides[to] != sides[from] {
                    counts.cut += 1
                    log("DropMessage", payload)
                    return
                }
                if down.contains(to) {
                    counts.cut += 1
                    log("DropMessage", payload)
                    return
                }
                switch random.below(100) {
                case 0..<5:
                    counts.dropped += 1
                    log("DropMessage", payload)
                case 5..<10:
                    counts.duplicated += 1
                    log("DuplicateMessage", payload)
                    counts.forwarded += 1
                    for _ in 0..<2 { delayed.append((now.addingTimeInterval(Double(random.below(30)) / 1000), payload, ports[to])) }
                default:
                    counts.forwarded += 1
                    delayed.append((now.addingTimeInterval(Double(random.below(30)) / 1000), payload, ports[to]))
                }
            }
        }
    }
}
