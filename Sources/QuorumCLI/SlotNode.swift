import Foundation
import QuorumCore

/// A node of a ledger replicated on a log of slots, each slot agreed by its own instance of a
/// spec of single-decree agreement (``SlotAgreement``: Paxos). Every node is an acceptor of every
/// slot and the first proposer of the slots it owns (slot s is node (s − 1) mod n's, as in
/// Mencius): it proposes its clients' pending commands in its next slot, a few batches at a time, and
/// an empty batch in a slot of its own that others have passed. A slot left undecided too long is
/// taken over by another node with a higher ballot of its own (the node after the owner first,
/// then the next, each after a further wait), and the spec decides what that ballot may propose. Each step of an instance is logged with its slot (`"instance"`), and
/// validation checks every slot's events against the spec.
struct SlotNode {
    let model: AnyModel
    let agreement: SlotAgreement
    let me: Int
    let ports: [UInt16]
    let router: UInt16?
    let duration: Double
    let interval: Int
    let seed: UInt64
    let log: String
    let recover: Bool
    let bug: RuntimeBug?
    let telemetry: NodeTelemetry

    /// Runs until `duration` is over; returns the one-line summary.
    func run() throws -> String {
        guard let template = model.node(me) else { throw UsageError("\(model.spec) has no node \(me + 1)") }
        let n = ports.count
        let socket = try LoopbackSocket(port: ports[me])
        let meValue = template.node
        let value = agreement.valueName(me)
        let maxBallot = model.parameters.first { $0.0 == agreement.ballots }?.1 ?? 0
        var ledger = SlotLedger(me: value)
        var machines: [Int: NodeMachine] = [:]
        /// Per slot: the ballots this node started (never started again, across restarts too),
        /// the ballot it leads now and since when, and the highest ballot it has seen.
        var started: [Int: Set<Int>] = [:]
        var leading: [Int: (ballot: Int, at: Double)] = [:]
        var highest: [Int: Int] = [:]
        var nextOwn = me + 1, highestSlot = 0
        var (steps, sent, received, takeovers) = (0, 0, 0, 0)

        // Files: the log of steps (synced before anything a step produced is sent), the batches
        // (synced before the step that depends on them), the decisions known (a lost one is
        // learnt again through the slot's own Paxos).
                let batchPath = NodeFiles.path(beside: log, ".batches.log"), decisionPath = NodeFiles.path(beside: log, ".decided.log")
        // Where each command took effect (a hint for the history checker; not synced).
        let appliedPath = AppliedCommand.path(forLog: log)
        for path in [log, batchPath, decisionPath, appliedPath] where !recover || !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else { throw UsageError("cannot write \(path)") }
        }
        guard let file = FileHandle(forWritingAtPath: log), let batchFile = FileHandle(forWritingAtPath: batchPath),
              let decisionFile = FileHandle(forWritingAtPath: decisionPath),
              let appliedFile = FileHandle(forWritingAtPath: appliedPath) else { throw UsageError("cannot write \(log)") }
        _ = try? appliedFile.seekToEnd()
        if recover {
            // A line cut short by a kill was never complete, so it never happened.
            let data = FileManager.default.contents(atPath: log) ?? Data()
            let complete = data.lastIndex(of: UInt8(ascii: "\n")).map { data.index(after: $0) } ?? data.startIndex
            try file.truncate(atOffset: UInt64(complete - data.startIndex))
            let events = (try? NodeEvent.read(jsonLines: data.prefix(upTo: complete), file: log)) ?? []
            var last: [Int: NodeEvent] = [:]
            for event in events {
                guard let slot = event.instance else { continue }
                highestSlot = max(highestSlot, slot)
                if event.action == agreement.start, let b = event.parameters.first(where: { $0.name == agreement.ballot })?.value.intValue {
                    started[slot, default: []].insert(b)
                    highest[slot] = max(highest[slot] ?? -1, b)
                }
                if !event.state.isEmpty { last[slot] = event }
            }
            // The node's next slot of its own is past every slot it has taken part in.
            while nextOwn <= highestSlot { nextOwn += n }
            // A runtime bug decides what the node recovers of each slot; nil: it starts afresh.
            for (slot, event) in last {
                var machine = template
                guard machine.restore(own: event.state, variables: model.variables) else { continue }
                if let bug {
                    guard let recovered = try bug.recover(machine.values, model.variables, meValue) else { continue }
                    guard machine.restore(recovered) else { continue }
                }
                machines[slot] = machine
            }
            if bug?.forgetsEverything == true { started = [:] }
            let batches = (FileManager.default.contents(atPath: batchPath) ?? Data()).split(separator: UInt8(ascii: "\n"))
                .compactMap { try? JSONDecoder().decode(SlotBatch.self, from: Data($0)) }
            let decisions = String(decoding: FileManager.default.contents(atPath: decisionPath) ?? Data(), as: UTF8.self)
                .split(separator: "\n").compactMap { line -> (Int, String)? in
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let slot = Int(parts[0]) else { return nil }
                    return (slot, String(parts[1]))
                }
            ledger.restore(batches: batches, decisions: decisions)
            highestSlot = max(highestSlot, decisions.map(\.0).max() ?? 0)
        }
        try file.seekToEnd()
        try batchFile.seekToEnd()
        try decisionFile.seekToEnd()
        telemetry.logger.info(recover ? "recovered" : "started", metadata: ["port": "\(ports[me])", "slots": "\(machines.count)"])

        var random = SeededGenerator(seed: seed &+ UInt64(me + 1) &* 0x9E37_79B9_7F4A_7C15)
        let start = Date()
        func elapsed() -> Double { Date().timeIntervalSince(start) * 1000 }
        /// How long a slot may stay undecided before this node starts a ballot in it (ms).
        func patience() -> Double { Double(60 + random.below(80)) }
        var stalled: (slot: Int, since: Double, wait: Double, asked: Double)? = nil

        func send(_ slot: Int, _ messages: [ITFValue], counted: Bool = true, to only: Int? = nil) {
            for message in messages {
                let named: [ITFValue]
                if case .record(let fields) = message { named = fields.map(\.value) } else { named = [] }
                let bytes = SlotDatagram.make(slot: slot, message, batches: ledger.batches(in: slot, naming: named))
                for (k, port) in ports.enumerated() where k != me && (only == nil || only == k) {
                    if let router { socket.send([UInt8(k), UInt8(me)] + bytes, to: router) } else { socket.send(bytes, to: port) }
                }
                if counted { sent += 1 }
            }
        }
        func saveBatches() throws {
            let unsaved = ledger.unsaved()
            guard !unsaved.isEmpty else { return }
            try batchFile.write(contentsOf: Data(unsaved.map { String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self) + "\n" }.joined().utf8))
            try batchFile.synchronize()
        }
        /// Answers the clients whose commands the decided slots applied.
        func serve() {
            for (port, reply, waited) in ledger.apply() {
                if let bytes = try? JSONEncoder().encode(reply) { socket.send(Array(bytes), to: port) }
                telemetry.answered(reply.type, after: waited)
            }
            let applied = ledger.takeApplied()
            if !applied.isEmpty { try? appliedFile.write(contentsOf: Data(applied.map(\.line).joined().utf8)) }
        }
        /// When this node last learnt a slot's outcome.
        var lastDecision = Date()
        /// Whether the node's batch has waited long for a slot while it learnt no outcome at all.
        func cutOff() -> Bool {
            guard let oldest = ledger.proposed.values.map(\.since).min() else { return false }
            return Date().timeIntervalSince(oldest) > 0.15 && Date().timeIntervalSince(lastDecision) > 0.15
        }
        func noteDecision(_ slot: Int) throws {
            guard ledger.decided[slot] == nil, let decided = machines[slot]?.decision?.stringValue else { return }
            lastDecision = Date()
            ledger.decide(slot, decided)
            try decisionFile.write(contentsOf: Data("\(slot) \(decided)\n".utf8))
            leading[slot] = nil
            serve()
        }
        /// Takes one step of the slot's instance that `ranking` allows; logs it and sends what it produced.
        @discardableResult
        func step(_ slot: Int, _ ranking: @escaping NodeMachine.Ranking) throws -> NodeMachine.Taken? {
            var machine = machines[slot] ?? template
            guard let taken = machine.step(choosing: { random.below($0) }, ranking: ranking) else { return nil }
            machines[slot] = machine
            steps += 1
            telemetry.stepped(taken.name, sent: taken.sent.count, timeout: false)
            try saveBatches()
            if let event = taken.event {
                let line = event.of(instance: slot).at(Date().timeIntervalSince1970).jsonLine + "\n"
                try file.write(contentsOf: Data(line.utf8))
                try file.synchronize()
            }
            send(slot, taken.sent)
            if !taken.sent.isEmpty { sentHere[slot, default: []] += taken.sent }
            try noteDecision(slot)
            return taken
        }
        /// The acceptor's steps the slot now enables, then the proposer's, if it leads a ballot there.
        func respond(_ slot: Int) throws {
            let proposer: Set<String> = [agreement.start, agreement.propose]
            while try step(slot, { name, _ in proposer.contains(name) ? nil : 0 }) != nil {}
            if let lead = leading[slot] {
                try step(slot) { name, parameters in
                    guard name == agreement.propose, parameters.first(where: { $0.0 == agreement.ballot })?.1.intValue == lead.ballot else { return nil }
                    return parameters.first { $0.0 == agreement.value }?.1.stringValue == value ? 0 : 1
                }
            }
        }
        /// Starts this node's next ballot in `slot`: the least of its own above every one seen there.
        func startBallot(_ slot: Int) throws {
            var b = me
            while b <= (highest[slot] ?? -1) || started[slot]?.contains(b) == true { b += n }
            guard b <= maxBallot else { return }
            started[slot, default: []].insert(b)
            highest[slot] = b
            leading[slot] = (b, elapsed())
            highestSlot = max(highestSlot, slot)
            try step(slot) { name, parameters in
                name == agreement.start && parameters.first(where: { $0.0 == agreement.ballot })?.1.intValue == b ? 0 : nil
            }
            try respond(slot)
        }

        /// Where this node stands among those that may take over `slot`: 0 for the node after its
        /// owner (and for the owner itself), then in turn, so that a slot left by its owner is
        /// taken over by one node at a time rather than fought over by all.
        func rank(_ slot: Int) -> Int {
            let owner = (slot - 1) % n
            return owner == me ? 0 : (me - owner - 1 + n) % n
        }
        /// By slot: the messages this node sent there, and when it last sent its ballot's again.
        var sentHere: [Int: [ITFValue]] = [:]
        var resent: [Int: Double] = [:]
        /// By node: when this node last had to take over one of its slots.
        var suspected: [Int: Double] = [:]
        /// Starts a ballot in another node's slot (or its own, long stuck) with an empty batch,
        /// unless the spec makes it propose what was voted for there.
        func takeOver(_ slot: Int) throws {
            if ledger.batches["\(slot):\(value)"] == nil { _ = ledger.propose(in: slot, commands: false) }
            takeovers += 1
            let owner = (slot - 1) % n
            if owner != me { suspected[owner] = elapsed() }
            try startBallot(slot)
        }

        let end = duration * 1000
        var nextTick = 0.0
        while elapsed() < end {
            let wait = Int(max(0, min(nextTick, end) - elapsed()))
            if let bytes = socket.receive(waiting: wait) {
                if let command = Datagram.command(bytes) {
                    if cutOff() {
                        // Nothing decided here for a while though a batch waits: the node is
                        // cut off (or the others are down); the client is sent elsewhere.
                        if let data = try? JSONEncoder().encode(ClientReply(client: command.client, seq: command.seq, type: "redirect")) {
                            socket.send(Array(data), to: command.port)
                        }
                        telemetry.answered("redirect", after: nil)
                        continue
                    }
                    ledger.take(command)
                    // A command applied already is answered again from its session.
                    continue
                }
                if let (slot, from) = SlotDatagram.asked(bytes), from != me, from < n {
                    // A node behind on a slot this one knows decided: the votes for the decided
                    // value sent to it again, as the network may deliver any message again (not a
                    // step: the message set does not change), with the value's batch.
                    if let decided = ledger.decided[slot], let machine = machines[slot], case .set(let known)? = machine.messages {
                        let votes = known.filter { m in
                            guard case .record(let fields) = m else { return false }
                            return fields.contains { $0.name == agreement.ballotField } && fields.contains { $0.value == .string(decided) }
                        }
                        send(slot, votes, counted: false, to: from)
                    }
                    continue
                }
                guard let (slot, message, batches) = SlotDatagram.split(bytes), slot <= 1_000_000 else { continue }
                for batch in batches where batch.slot == slot { ledger.learn(batch) }
                var machine = machines[slot] ?? template
                guard let parsed = try? ITFValue(json: Data(message)) else { continue }
                if let b = parsed[field: agreement.ballotField]?.intValue {
                    highest[slot] = max(highest[slot] ?? -1, b)
                    // A message of the owner's own first ballot in its slot: the owner is proposing again.
                    if b == (slot - 1) % n { suspected[b] = nil }
                }
                highestSlot = max(highestSlot, slot)
                guard machine.deliver(parsed) else {
                    // A proposer's request heard before, sent again: its sender has not heard the answer.
                    // This node's messages of that ballot in the slot go again (the network may
                    // deliver any message again; not a step). A lost datagram costs a round
                    // trip, not a ballot.
                    if ledger.decided[slot] == nil, let b = parsed[field: agreement.ballotField],
                       let kind = parsed[field: agreement.requestField]?.stringValue, agreement.requests.contains(kind) {
                        let answers = (sentHere[slot] ?? []).filter { m in
                            m[field: agreement.ballotField] == b && !agreement.requests.contains(m[field: agreement.requestField]?.stringValue ?? "")
                        }
                        if !answers.isEmpty { send(slot, answers, counted: false) }
                    }
                    continue
                }
                machines[slot] = machine
                received += 1
                telemetry.received()
                try respond(slot)
                try noteDecision(slot)
                serve()
                continue
            }
            guard elapsed() >= nextTick else { continue }
            let now = elapsed()
            nextTick = now + Double(1 + random.below(2 * interval))
            if cutOff() {
                for (port, reply) in ledger.redirectPending() {
                    if let data = try? JSONEncoder().encode(reply) { socket.send(Array(data), to: port) }
                }
            }
            // The node's own slots that others have passed are skipped (an empty batch); its
            // pending commands go in its next slot, one batch at a time.
            while nextOwn < highestSlot || (ledger.proposed.count < SlotLedger.window && !ledger.pending.isEmpty) {
                let slot = nextOwn
                nextOwn += n
                if ledger.decided[slot] != nil || started[slot] != nil { continue }
                _ = ledger.propose(in: slot, commands: ledger.proposed.count < SlotLedger.window && !ledger.pending.isEmpty)
                try startBallot(slot)
            }
            // A ballot of this node's still undecided after 60 ms: its messages go again, for
            // those that have not heard them (or whose answers were lost).
            for (slot, lead) in leading where ledger.decided[slot] == nil && now - (resent[slot] ?? lead.at) > 60 {
                resent[slot] = now
                let mine = (sentHere[slot] ?? []).filter { m in
                    m[field: agreement.ballotField]?.intValue == lead.ballot && agreement.requests.contains(m[field: agreement.requestField]?.stringValue ?? "")
                }
                send(slot, mine, counted: false)
            }
            // A ballot of this node's that has not decided its slot in time: its next one.
            for (slot, lead) in leading where ledger.decided[slot] == nil && now - lead.at > 250 + 80 * Double(rank(slot)) {
                try startBallot(slot)
            }
            // The first undecided slot, stuck while later ones are in use: taken over, with a
            // ballot of this node's (an empty batch, unless the spec says what it must propose).
            let first = ledger.applied + 1
            // (Decided but not applied: its batch has not come.)
            if ledger.decided[first] != nil || highestSlot > first {
                if stalled?.slot != first { stalled = (first, now, patience(), now) }
                // Asked of the others first, every 50 ms: a node cut off or restarted learns
                // what was decided without a ballot.
                if let s = stalled, now - s.asked > 50 {
                    stalled?.asked = now
                    for (k, port) in ports.enumerated() where k != me {
                        if let router { socket.send([UInt8(k), UInt8(me)] + SlotDatagram.asking(first, from: me), to: router) }
                        else { socket.send(SlotDatagram.asking(first, from: me), to: port) }
                    }
                }
                if let s = stalled, ledger.decided[first] == nil, leading[first] == nil, now - s.since > s.wait + 80 * Double(rank(first)) {
                    try takeOver(first)
                    stalled = nil
                }
            }
            // The slots of a node this one has had to take over lately are taken over at once,
            // up to the highest slot in use, until that node is heard proposing again: otherwise
            // every n-th slot would wait out the patience while it is down (Mencius's revocation).
            if !suspected.isEmpty {
                var slot = first
                while slot <= min(highestSlot, first + 20 * n) {
                    let owner = (slot - 1) % n
                    if let since = suspected[owner], now - since < 2000, rank(slot) == 0, ledger.decided[slot] == nil, leading[slot] == nil {
                        try takeOver(slot)
                    }
                    slot += 1
                }
            }
        }
        try file.close()
        let decided = ledger.decided.count
        telemetry.logger.info("stopped", metadata: ["steps": "\(steps)", "slots": "\(decided)", "applied": "\(ledger.applied)"])
        return "\(steps) steps, \(sent) messages sent, \(received) received, \(decided) slots decided (\(ledger.applied) applied), \(takeovers) taken over"
    }
}
