import QuorumCore

/// A station's control state in bcastByz.tla's `pc`.
public enum Control: Int, Sendable, CaseIterable {
    /// "V0": did not receive the returning officer's announcement.
    case v0
    /// "V1": received it.
    case v1
    /// "SE": sent its ECHO, has not accepted.
    case sentEcho
    /// "AC": accepted the result.
    case accepted

    /// The spec's name for the value.
    public var name: String { ["V0", "V1", "SE", "AC"][rawValue] }
}

/// The variables of bcastByz.tla, stations numbered 0..<N (1...N in traces). Sets of stations are
/// bit sets: `rcvd[i]` holds the senders of the ECHO messages station i received (the only message
/// is ECHO, so a sender stands for its message).
public struct BroadcastState: Hashable, Codable, Sendable, Fingerprintable {
    /// Corr: the correct stations.
    public var correct: Int
    /// Faulty: the others. Chosen in the initial state and unchanged afterwards, as in the spec.
    public var faulty: Int
    public var pc: PerProcess<Int>
    public var rcvd: PerProcess<Int>
    /// sent: the stations that sent ECHO (only correct ones; faulty echoes are always available).
    public var sent: Int
    /// ECHO messages counted per station, duplicates included: used only by the
    /// `doubleCountedEcho` mutant, zero in the spec.
    public var tally: PerProcess<Int>

    public init(stations: Int, correct: Int, pc: [Control]) {
        precondition(stations >= 1 && stations <= 7, "1 to 7 stations")
        self.correct = correct
        faulty = (1 << stations - 1) & ~correct
        self.pc = PerProcess(repeating: 0, count: stations)
        for (i, c) in pc.enumerated() { self.pc[i] = c.rawValue }
        rcvd = PerProcess(repeating: 0, count: stations)
        sent = 0
        tally = PerProcess(repeating: 0, count: stations)
    }

    /// The described state's variables, packed.
    public init(_ v: BroadcastVariables) {
        func bits(_ xs: [Int]) -> Int { xs.reduce(0) { $0 | 1 << $1 } }
        self.init(stations: v.pc.count, correct: bits(v.correct.map(\.index)), pc: v.pc)
        faulty = bits(v.faulty.map(\.index))
        sent = bits(v.sent.map(\.sender))
        for i in v.pc.indices {
            rcvd[i] = bits(v.rcvd[i].map(\.sender))
            tally[i] = v.tally[i].value
        }
    }

    public func control(_ i: Int) -> Control { Control(rawValue: pc[i])! }

    public func fingerprint<H: FingerprintHasher>(into f: inout H) {
        f.combine(UInt64(correct) | UInt64(sent) << 8 | UInt64(faulty) << 16)
        f.combine(pc.word)
        f.combine(rcvd.word)
        f.combine(tally.word)
    }
}
