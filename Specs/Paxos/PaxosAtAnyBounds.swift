import QuorumCore

/// ``Paxos`` at any bounds: the same functions over states whose messages are a sorted list
/// (``PaxosMessageList``) rather than bits. What `quorum cluster paxos` runs and `quorum validate
/// paxos` checks against: a cluster's slots reach fifty ballots and five values, beyond the
/// layout of the explorer's ``PaxosState``.
///
/// Every member forwards to ``Paxos``'s generic functions; only the type of state differs. No
/// symmetry: clusters do not explore.
public struct PaxosAtAnyBounds: TransitionSystem {
    public typealias State = PaxosStateOf<PaxosMessageList>
    public let paxos: Paxos

    public init(_ paxos: Paxos) { self.paxos = paxos }

    public var initialStates: [State] { [State(acceptors: paxos.acceptors)] }
    public func enabledActions(in s: State, into actions: inout [PaxosAction]) { paxos.enabledActions(inAny: s, into: &actions) }
    public func apply(_ action: PaxosAction, to s: State) -> State { paxos.apply(action, toAny: s) }
    public func isWithinBounds(_ state: State) -> Bool { true }
    public var invariants: [Invariant<State>] { PaxosProperties.listedInvariants(for: paxos) }
    public var actionNames: [String] { paxos.actionNames }
    public func metrics(of s: State) -> [(String, Int)] { paxos.metrics(ofAny: s) }

    public var traceVariables: [String] { paxos.traceVariables }
    public func traceValues(of s: State) -> [ITFValue] { paxos.traceValues(ofAny: s) }
    public func state(_ s: State, with value: ITFValue, forVariable k: Int) -> State? { paxos.state(any: s, with: value, forVariable: k) }
    public func state(fromTraceValues values: [ITFValue]) -> State? {
        PaxosDescription(paxos).state(fromTraceValues: values).map(State.init)
    }

    public func processValue(_ i: Int) -> ITFValue { paxos.processValue(i) }
    public var processCount: Int? { paxos.processCount }
    public func node(of action: PaxosAction) -> Int? { paxos.node(of: action) }
    public var messageVariable: String? { paxos.messageVariable }
    public func decision(in s: State) -> ITFValue? { paxos.decision(inAny: s) }
}
