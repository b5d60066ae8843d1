/// How a system's states are written as bytes and read back (``TransitionSystem/stateBytes``):
/// each must read back to an equal state.
public struct StateBytes<State>: Sendable {
    public let encode: @Sendable (State) -> [UInt8]
    public let decode: @Sendable (UnsafeRawBufferPointer) -> State

    public init(encode: @escaping @Sendable (State) -> [UInt8], decode: @escaping @Sendable (UnsafeRawBufferPointer) -> State) {
        self.encode = encode
        self.decode = decode
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
            let row = layout.slots(of: state)
            var out: [UInt8] = []
            var last = -1
            for k in row.indices where row[k] != blankRow[k] {
                LEB128.append(UInt64(k - last - 1), to: &out)
                LEB128.append(UInt64(bitPattern: Int64(row[k] << 1 ^ row[k] >> 63)), to: &out)
                last = k
            }
            return out
        }, decode: { bytes in
            var changes: [(slot: Int, value: Int)] = []
            var offset = 0, k = -1
            while offset < bytes.count {
                k += Int(LEB128.read(bytes, &offset)) + 1
                let zigzag = LEB128.read(bytes, &offset)
                changes.append((k, Int(zigzag >> 1) ^ -Int(zigzag & 1)))
            }
            return layout.state(blankRow, changes: changes, from: blank)
        })
    }
}

/// Unsigned integers in 7-bit groups, low first, the high bit marking "more".
enum LEB128 {
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func read(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            precondition(offset < bytes.count && shift < 64, "a state's bytes end inside a number")
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
}
