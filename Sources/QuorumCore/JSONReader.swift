/// Reads JSON text (RFC 8259) into a ``JSONTree``, byte by byte.
///
/// Written by hand because `JSONDecoder` reads a `JSONTree` through `Decodable`, trying each
/// case in turn at every value: reading a 5-node cluster's logs (10,674 events, each with the
/// node's log of up to 250 entries) took more time than validating them. This reader takes what
/// `JSONDecoder` takes and refuses what it refuses (a test compares the two on valid, invalid and
/// hostile inputs): a trailing comma before `]` or `}` is taken, as `JSONDecoder` takes it; no
/// comments, leading zeros, raw control characters, lone surrogates or invalid UTF-8; numbers
/// that do not fit a `Double` are refused; the first of duplicate keys wins; nesting deeper than
/// 512 is refused rather than overflowing the stack.
struct JSONReader {
    struct Failure: Error, CustomStringConvertible {
        let offset: Int
        let reason: String
        var description: String { "not valid JSON at byte \(offset): \(reason)" }
    }

    static let maxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var at = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func read(_ data: some Collection<UInt8>) throws -> JSONTree {
        let array = Array(data)
        return try array.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(buffer)
            reader.skipSpace()
            let value = try reader.value(depth: 0)
            reader.skipSpace()
            guard reader.at == buffer.count else { throw reader.failure("text after the value") }
            return value
        }
    }

    private func failure(_ reason: String) -> Failure { Failure(offset: at, reason: reason) }

    private mutating func skipSpace() {
        while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
    }

    private mutating func expect(_ literal: StaticString, _ value: JSONTree) throws -> JSONTree {
        let count = literal.utf8CodeUnitCount
        guard at + count <= bytes.count else { throw failure("unexpected end") }
        for k in 0..<count where bytes[at + k] != literal.utf8Start[k] { throw failure("unexpected character") }
        at += count
        return value
    }

    private mutating func value(depth: Int) throws -> JSONTree {
        guard depth < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth)") }
        guard at < bytes.count else { throw failure("unexpected end") }
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var object: [String: JSONTree] = [:]
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(object)
            }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                at += 1
                skipSpace()
                let member = try value(depth: depth + 1)
                if object[key] == nil { object[key] = member }
                skipSpace()
                guard at < bytes.count else { throw failure("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                    skipSpace()
                    if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                        at += 1
                        return .object(object)
                    }
                    continue
                }
                guard bytes[at] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
                at += 1
                return .object(object)
            }
        case UInt8(ascii: "["):
            at += 1
            var array: [JSONTree] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(array)
            }
            while true {
                skipSpace()
                array.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw failure("unexpected end") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                    skipSpace()
                    if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                        at += 1
                        return .array(array)
                    }
                    continue
                }
                guard bytes[at] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
                at += 1
                return .array(array)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return .number(try number())
        }
    }

    private mutating func number() throws -> Double {
        let start = at
        func digits() -> Int {
            let from = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            return at - from
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
        guard at < bytes.count, (0x30...0x39).contains(bytes[at]) else { throw failure("expected a value") }
        if bytes[at] == 0x30 {
            at += 1
            if at < bytes.count, (0x30...0x39).contains(bytes[at]) { throw failure("a number with a leading zero") }
        } else {
            _ = digits()
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
            at += 1
            guard digits() > 0 else { throw failure("expected digits after '.'") }
        }
        if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            at += 1
            if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
            guard digits() > 0 else { throw failure("expected digits in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw Failure(offset: start, reason: "\(text) does not fit a Double") }
        return value
    }

    private mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count else { throw failure("unexpected end in \\u") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[at]
            let digit: UInt8
            switch b {
            case 0x30...0x39: digit = b - 0x30
            case 0x41...0x46: digit = b - 0x41 + 10
            case 0x61...0x66: digit = b - 0x61 + 10
            default: throw failure("expected a hex digit")
            }
            value = value << 4 | UInt32(digit)
            at += 1
        }
        return value
    }

    /// A string from its opening quote; runs without escapes are copied whole.
    private mutating func string() throws -> String {
        at += 1
        var out: [UInt8] = []
        var run = at
        while true {
            guard at < bytes.count else { throw failure("unterminated string") }
            let b = bytes[at]
            if b == UInt8(ascii: "\"") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<at]))
                at += 1
                break
            }
            if b < 0x20 { throw failure("a control character in a string") }
            guard b == UInt8(ascii: "\\") else {
                at += 1
                continue
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<at]))
            at += 1
            guard at < bytes.count else { throw failure("unterminated escape") }
            let e = bytes[at]
            at += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard at + 2 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                        throw failure("a lone surrogate")
                    }
                    at += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw failure("a lone surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw failure("a lone surrogate")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw failure("not a Unicode scalar") }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw failure("an unknown escape")
            }
            run = at
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw failure("invalid UTF-8 in a string") }
        return text
    }
}
