/// Unsigned integers in 7-bit groups, low bits first, the high bit saying that more bytes follow:
/// small numbers (gaps between ids, slot numbers, action indices) take one byte. One coding for
/// the trace links, the rank links and spilled states, each over its own byte store.
enum LEB128 {
    @inline(__always)
    static func append(_ value: UInt64, _ put: (UInt8) -> Void) {
        var v = value
        while v >= 0x80 {
            put(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        put(UInt8(v))
    }

    /// The number at `offset`, which moves past it; `byte(i)` must be defined for `i < count`.
    @inline(__always)
    static func read(_ offset: inout Int, count: Int, _ byte: (Int) -> UInt8) -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            precondition(offset < count && shift < 64, "bytes end inside a number")
            let b = byte(offset)
            offset += 1
            value |= UInt64(b & 0x7f) << shift
            if b < 0x80 { return value }
            shift += 7
        }
    }

    static func read(_ offset: inout Int, in bytes: UnsafeRawBufferPointer) -> UInt64 {
        read(&offset, count: bytes.count) { bytes[$0] }
    }
}
