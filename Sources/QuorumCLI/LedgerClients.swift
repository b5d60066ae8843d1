import Foundation
import QuorumCore

/// The workload of `quorum cluster --clients N`: N client threads in the cluster's process, each
/// with one command outstanding at a time (transfers between random accounts, some too large to
/// be honoured, and as many reads of every balance). Each client is bound to a home node (client c to
/// node c mod n), as Jepsen binds its clients, and sends every command there first (a client of a
/// log of slots, where every node serves, starts where it was last answered: ``sticky``); after a
/// redirect it tries the node that answered it last (unless that one has since gone silent on
/// it), then the next node, and after 200 ms of silence the next node. Binding matters for stale reads: a client that followed the leader
/// would leave a leader cut off by a partition before anything committed elsewhere, and never
/// read from it afterwards. Every call and completion is recorded, in
/// real-time order, as the history `quorum linearizable --model ledger` reads, with the ledger's
/// `order` of each answer. A client sends its command again until it is answered or the run
/// ends; one left without an answer is indeterminate (`info`), and its client carries on under a
/// new process id, as Jepsen's do.
final class LedgerClients: @unchecked Sendable {
    private let ports: [UInt16]
    private let count: Int
    private let seed: UInt64
    private let lock = NSLock()
    private var lines: [String] = [LedgerMachine.initLine]
    private var threads: [Thread] = []
    private var stopAt = Date.distantFuture
    private let started: Date
    /// Latencies (seconds) of the commands answered ok or fail.
    private(set) var latencies: [Double] = []
    private(set) var outcomes: [String: Int] = [:]

    /// Whether a client starts each command at the node that answered it last rather than at its
    /// home: for a log of slots, where every node serves, so that a client leaves a node that is
    /// paused or cut off once rather than for every command. (Raft's clients stay bound, for the
    /// stale reads a deposed leader gives.)
    private let sticky: Bool

    init(ports: [UInt16], clients: Int, seed: UInt64, started: Date, sticky: Bool = false) {
        self.sticky = sticky
        self.ports = ports
        count = clients
        self.seed = seed
        self.started = started
    }

    /// Starts the clients; they issue commands until `stop`, and are done a second later at most.
    func start(stop: Date) {
        stopAt = stop
        for c in 0..<count {
            let thread = Thread { [self] in run(client: c) }
            threads.append(thread)
            thread.start()
        }
    }

    func wait() {
        while threads.contains(where: { !$0.isFinished }) { Thread.sleep(forTimeInterval: 0.01) }
    }

    /// The `info` lines (commands left without an answer): their place in `lines`, and the command.
    private var unanswered: [(line: Int, command: ClientSeq)] = []

    /// The history: an `init` line, then every call and completion. A command left without an
    /// answer that `places` say a node applied gets that place as its `info`'s `order`.
    func history(placing places: [ClientSeq: Int] = [:]) -> String {
        lock.withLock {
            var out = lines
            for (line, command) in unanswered {
                guard let order = places[command], out[line].hasSuffix("}") else { continue }
                out[line] = String(out[line].dropLast()) + ", \"order\": \(order)}"
            }
            return out.joined(separator: "\n") + "\n"
        }
    }

    private func record(_ process: Int, _ type: String, _ f: String, _ value: String, order: Int? = nil, unanswered command: ClientSeq? = nil) {
        let time = Date().timeIntervalSince(started)
        let placed = order.map { ", \"order\": \($0)" } ?? ""
        lock.withLock {
            if let command { unanswered.append((lines.count, command)) }
            lines.append("{\"process\": \(process), \"type\": \"\(type)\", \"f\": \"\(f)\", \"value\": \(value), \"time\": \(String(format: "%.6f", time))\(placed)}")
        }
    }

    private func run(client c: Int) {
        guard let socket = try? LoopbackSocket() else { return }
        var random = SeededGenerator(seed: seed &+ 0xC11E_47 &+ UInt64(c) &* 0x9E37_79B9_7F4A_7C15)
        let home = c % ports.count
        // The node that answered last, while it has not gone silent on this client.
        var process = c, seq = 0, answered: Int? = nil
        let accounts = LedgerMachine.accounts
        while Date() < stopAt {
            seq += 1
            var command = ClientCommand(client: process, seq: seq, f: "read", port: socket.port)
            if random.below(2) != 0 {
                let from = random.below(accounts.count), to = (from + 1 + random.below(accounts.count - 1)) % accounts.count
                command.f = "transfer"
                command.from = accounts[from]
                command.to = accounts[to]
                command.amount = 1 + random.below(60)
            }
            let call = Date()
            record(process, "invoke", command.f, command.historyValue)
            // A command is sent again, under the same seq, until it is answered or the run
            // ends: the ledger's sessions make a command that arrives twice take effect once,
            // and a command left indeterminate may have taken effect anywhere after its call,
            // which the history checker must then try everywhere.
            let deadline = max(call.addingTimeInterval(1), stopAt.addingTimeInterval(0.3))
            var answer: ClientReply? = nil
            var target = sticky ? (answered ?? home) : home, redirected = false
            sending: while Date() < deadline {
                socket.send(Datagram.client(command), to: ports[target])
                let wait = Date().addingTimeInterval(0.2)
                while Date() < min(wait, deadline) {
                    let left = Int(max(1, min(wait, deadline).timeIntervalSinceNow * 1000))
                    guard let bytes = socket.receive(waiting: left),
                          let reply = try? JSONDecoder().decode(ClientReply.self, from: Data(bytes)),
                          reply.client == command.client, reply.seq == command.seq else { continue }
                    if reply.type == "redirect" {
                        // Not the leader (or not yet one): the node that answered last, or the
                        // next node after a moment.
                        if !redirected, let answered, answered != target {
                            target = answered
                        } else {
                            target = (target + 1) % ports.count
                            Thread.sleep(forTimeInterval: 0.02)
                        }
                        redirected = true
                        continue sending
                    }
                    answer = reply
                    answered = target
                    break sending
                }
                if answered == target { answered = nil }
                target = (target + 1) % ports.count
            }
            guard let answer else {
                record(process, "info", command.f, command.historyValue, unanswered: ClientSeq(client: command.client, seq: seq))
                lock.withLock { outcomes["info", default: 0] += 1 }
                process += count
                seq = 0
                continue
            }
            var value = command.historyValue
            if let balances = answer.balances {
                value = "{" + balances.keys.sorted().map { "\(jsonString($0)): \(balances[$0]!)" }.joined(separator: ", ") + "}"
            }
            record(process, answer.type, command.f, value, order: answer.order)
            let latency = Date().timeIntervalSince(call)
            lock.withLock {
                latencies.append(latency)
                outcomes["\(command.f) \(answer.type)", default: 0] += 1
            }
        }
    }
}
