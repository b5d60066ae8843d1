/// How a system's states are written as bytes and read back (``TransitionSystem/stateBytes``):
/// each must read back to an equal state.
public struct StateBytes<State>: Sendable {
    public let encode: @Sendable (State) -> [UInt8]
    public let decode: @Sendable (UnsafeRawBufferPointer) -> State
    /// Whether a queue under `--memory` keeps its states as these bytes in memory too: where a
    /// state holds references, its heap is invisible to the budget, and its bytes are what the
    /// budget can count. True where the bytes are cheap to make and read (a state's differences
    /// from blank); a state without references is counted as it is, and JSON costs too much.
    public let queuedEncoded: Bool

    public init(encode: @escaping @Sendable (State) -> [UInt8], decode: @escaping @Sendable (UnsafeRawBufferPointer) -> State,
                queuedEncoded: Bool = false) {
        self.encode = encode
        self.decode = decode
        self.queuedEncoded = queuedEncoded
    }
}

extension StateBytes where State: Codable {
    /// A state's memory when its type holds no references, else its JSON.
    public static var standard: StateBytes {
        StateBytes(encode: { StateCodec.encode($0) }, decode: { StateCodec.decode(State.self, $0) })
    }
}

extension GuardedSystem {
    /// The slots where a state differs from `blank`, each as its distance from the one before and
    /// its value (LEB128, the value zigzagged), read back by applying them to `blank` as a step's
    /// assignments are applied: a MultiPaxos state is a few dozen of its 10,540 slots (one per
    /// possible message), where its JSON is kilobytes and decoding it was a third of a spilling
    /// run's time. A state that holds no references is written as its memory.
    public var stateBytes: StateBytes<State> {
        if _isPOD(State.self) { return .standard }
        let layout = layout, blank = blank
        let blankRow = layout.slots(of: blank)
        return StateBytes(encode: { state in
            var out: [UInt8] = []
            var last = -1
            layout.forEachSlot(of: state, differingFrom: blank) { k, value in
                precondition(k > last, "a state's differing slots in ascending order")
                LEB128.append(UInt64(k - last - 1)) { out.append($0) }
                LEB128.append(UInt64(bitPattern: Int64(value << 1 ^ value >> 63))) { out.append($0) }
                last = k
            }
            return out
        }, decode: { bytes in
            var changes: [(slot: Int, value: Int)] = []
            var offset = 0, k = -1
            while offset < bytes.count {
                k += Int(LEB128.read(&offset, in: bytes)) + 1
                let zigzag = LEB128.read(&offset, in: bytes)
                changes.append((k, Int(zigzag >> 1) ^ -Int(zigzag & 1)))
            }
            return layout.state(blankRow, changes: changes, from: blank)
        }, queuedEncoded: true)
    }
}
