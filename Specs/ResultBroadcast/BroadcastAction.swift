import QuorumCore

/// An action of bcastByz.tla: `Step(self)` with the witness `newMessages` of its Receive and the
/// Upon rule that fires, or the stuttering step `UNCHANGED vars`.
public enum BroadcastAction: Hashable, Codable, Sendable, TraceableAction {
    public enum Rule: Int, Hashable, Codable, Sendable, CaseIterable {
        case uponV1, uponNonFaulty, uponAcceptNotSentBefore, uponAcceptSentBefore

        public var name: String {
            ["UponV1", "UponNonFaulty", "UponAcceptNotSentBefore", "UponAcceptSentBefore"][rawValue]
        }
    }

    /// Correct station `station` receives ECHO from the stations in `received` (a bit set) and fires
    /// `rule`. `duplicated` (within `received`) are the echoes delivered twice, which only the
    /// `doubleCountedEcho` mutant tells apart; zero in the spec.
    case step(station: Int, received: Int, duplicated: Int = 0, rule: Rule)
    case stutter

    /// The station that takes the step.
    public var process: Int? {
        if case .step(let station, _, _, _) = self { return station }
        return nil
    }

    public var kind: Int {
        switch self {
        case .step(_, _, _, let rule): rule.rawValue
        case .stutter: 4
        }
    }

    public var name: String {
        switch self {
        case .step(_, _, _, let rule): rule.name
        case .stutter: "Stutter"
        }
    }

    public var parameters: [(String, ITFValue)] {
        switch self {
        case .step(let station, let received, let duplicated, _):
            [("self", .int(station + 1)), ("newMessages", ResultBroadcast.echoes(from: received))]
                + (duplicated == 0 ? [] : [("deliveredTwice", ResultBroadcast.echoes(from: duplicated))])
        case .stutter:
            []
        }
    }

    public var description: String {
        switch self {
        case .step(let station, let received, let duplicated, let rule):
            let from = ResultBroadcast.members(received).map { "\($0 + 1)" + (duplicated & (1 << $0) != 0 ? " twice" : "") }
                .joined(separator: ", ")
            let what = switch rule {
            case .uponV1: "echoes the announcement it received"
            case .uponNonFaulty: "echoes after enough echoes"
            case .uponAcceptNotSentBefore: "accepts (and echoes)"
            case .uponAcceptSentBefore: "accepts"
            }
            let receives = received == 0 ? "receives no ECHO" : "receives ECHO from {\(from)}"
            return "station \(station + 1) \(receives) and \(what) (\(rule.name))"
        case .stutter:
            return "nothing happens (UNCHANGED vars)"
        }
    }
}
