import Foundation

/// A value in the Informal Trace Format (Apalache ADR-015), the trace format of Apalache and Quint.
public indirect enum ITFValue: Hashable, Sendable {
    case bool(Bool)
    case int(Int)
    case string(String)
    case list([ITFValue])
    /// Fields are kept sorted by name, so equal records compare equal whatever order they came in.
    case record([Field])
    case tuple([ITFValue])
    /// Elements are kept sorted (by their JSON text), as ITF sets have no order.
    case set([ITFValue])
    case map([Pair])
    case variant(tag: String, value: ITFValue)
    case unserializable(String)

    public struct Field: Hashable, Sendable {
        public let name: String
        public let value: ITFValue
    }

    public struct Pair: Hashable, Sendable {
        public let key: ITFValue
        public let value: ITFValue
    }

    public static func record(_ fields: [(String, ITFValue)]) -> ITFValue {
        .record(fields.map { Field(name: $0.0, value: $0.1) }.sorted { $0.name < $1.name })
    }

    public static func set(of elements: [ITFValue]) -> ITFValue {
        .set(elements.map { ($0.json, $0) }.sorted { $0.0 < $1.0 }.map(\.1))
    }

    public static func map(_ pairs: [(ITFValue, ITFValue)]) -> ITFValue {
        .map(pairs.map { Pair(key: $0.0, value: $0.1) }.sorted { $0.key.json < $1.key.json })
    }

    public static let emptyRecord = ITFValue.record([Field]())

    /// A variant with no payload, as Quint writes `None`.
    public static func tag(_ name: String) -> ITFValue { .variant(tag: name, value: .tuple([])) }

    public subscript(field name: String) -> ITFValue? {
        if case .record(let fields) = self { return fields.first { $0.name == name }?.value }
        return nil
    }

    public var intValue: Int? { if case .int(let x) = self { x } else { nil } }
    public var stringValue: String? { if case .string(let x) = self { x } else { nil } }
}

// MARK: - JSON text

extension ITFValue {
    /// Compact JSON, integers as `{"#bigint": "n"}` as readers of ITF expect.
    public var json: String {
        var out = ""
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += "{\"#bigint\":\"\(i)\"}"
        case .string(let s): appendJSONString(s, to: &out)
        case .list(let xs): writeArray(xs, to: &out)
        case .record(let fields):
            out += "{"
            for (k, f) in fields.enumerated() {
                if k > 0 { out += "," }
                appendJSONString(f.name, to: &out)
                out += ":"
                f.value.write(to: &out)
            }
            out += "}"
        case .tuple(let xs):
            out += "{\"#tup\":"
            writeArray(xs, to: &out)
            out += "}"
        case .set(let xs):
            out += "{\"#set\":"
            writeArray(xs, to: &out)
            out += "}"
        case .map(let pairs):
            out += "{\"#map\":["
            for (k, p) in pairs.enumerated() {
                if k > 0 { out += "," }
                out += "["
                p.key.write(to: &out)
                out += ","
                p.value.write(to: &out)
                out += "]"
            }
            out += "]}"
        case .variant(let tag, let value):
            out += "{\"tag\":" + jsonString(tag) + ",\"value\":"
            value.write(to: &out)
            out += "}"
        case .unserializable(let s):
            out += "{\"#unserializable\":" + jsonString(s) + "}"
        }
    }

    private func writeArray(_ xs: [ITFValue], to out: inout String) {
        out += "["
        for (k, x) in xs.enumerated() {
            if k > 0 { out += "," }
            x.write(to: &out)
        }
        out += "]"
    }

    /// A short human-readable rendering, for terminal output and Markdown tables.
    public var text: String {
        switch self {
        case .bool(let b): return b ? "TRUE" : "FALSE"
        case .int(let i): return String(i)
        case .string(let s): return s
        case .list(let xs): return "<<" + xs.map(\.text).joined(separator: ", ") + ">>"
        case .record(let fields): return "[" + fields.map { "\($0.name) ↦ \($0.value.text)" }.joined(separator: ", ") + "]"
        case .tuple(let xs): return "<<" + xs.map(\.text).joined(separator: ", ") + ">>"
        case .set(let xs): return "{" + xs.map(\.text).joined(separator: ", ") + "}"
        case .map(let pairs): return "(" + pairs.map { "\($0.key.text) :> \($0.value.text)" }.joined(separator: " @@ ") + ")"
        case .variant(let tag, let value):
            if case .tuple(let xs) = value, xs.isEmpty { return tag }
            return "\(tag)(\(value.text))"
        case .unserializable(let s): return s
        }
    }
}

/// `s` as a JSON string literal.
public func jsonString(_ s: String) -> String {
    var out = ""
    appendJSONString(s, to: &out)
    return out
}

/// Appends `s` as a JSON string literal. Runs of bytes that need no escape are appended whole:
/// a cluster node writes its state after every step, and appending scalar by scalar was half of
/// a node's time. Bytes of multi-byte UTF-8 sequences are all 0x80 or more, so a run never ends
/// inside a scalar.
public func appendJSONString(_ s: String, to out: inout String) {
    var s = s
    out += "\""
    s.withUTF8 { bytes in
        var run = 0
        func flush(_ end: Int) {
            if run < end { out += String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<end]), as: UTF8.self) }
        }
        for i in 0..<bytes.count {
            let b = bytes[i]
            guard b == 0x22 || b == 0x5C || b < 0x20 else { continue }
            flush(i)
            switch b {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            default: out += String(format: "\\u%04x", b)
            }
            run = i + 1
        }
        flush(bytes.count)
    }
    out += "\""
}

// MARK: - Reading

/// A trace file that cannot be read as ITF; the message says where.
public struct TraceFormatError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// JSON as decoded, before it is read as ITF (or as a history's values). `JSONDecoder` keeps
/// booleans and numbers apart.
public enum JSONTree: Decodable, Hashable, Sendable {
    case bool(Bool), number(Double), string(String), null
    case array([JSONTree])
    case object([String: JSONTree])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONTree].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONTree].self)) }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var array: [JSONTree]? { if case .array(let a) = self { a } else { nil } }
    public var object: [String: JSONTree]? { if case .object(let o) = self { o } else { nil } }
    /// An integral number.
    public var int: Int? { if case .number(let n) = self, let i = Int(exactly: n) { i } else { nil } }

    /// One JSON document.
    public init(json data: Data) throws {
        self = try JSONReader.read(data)
    }

    /// Compact JSON text, object keys sorted: equal values print alike.
    public var text: String {
        switch self {
        case .bool(let b): b ? "true" : "false"
        case .number(let n): Int(exactly: n).map(String.init) ?? String(n)
        case .string(let s): jsonString(s)
        case .null: "null"
        case .array(let xs): "[" + xs.map(\.text).joined(separator: ",") + "]"
        case .object(let o): "{" + o.keys.sorted().map { jsonString($0) + ":" + o[$0]!.text }.joined(separator: ",") + "}"
        }
    }
}

extension ITFValue {
    /// One ITF value in JSON (a message off the network, a parameter on the command line).
    public init(json data: Data) throws {
        guard let tree = try? JSONTree(json: data) else { throw TraceFormatError("not valid JSON") }
        try self.init(tree, at: "value")
    }

    /// Reads a decoded JSON value as an ITF value; `path` names the place in errors.
    init(_ tree: JSONTree, at path: String) throws {
        switch tree {
        case .bool(let b): self = .bool(b)
        case .number(let n):
            guard let i = Int(exactly: n) else { throw TraceFormatError("\(path): \(n) is not an integer") }
            self = .int(i)
        case .string(let s): self = .string(s)
        case .null: throw TraceFormatError("\(path): null is not an ITF value")
        case .array(let xs):
            self = .list(try xs.enumerated().map { try ITFValue($1, at: "\(path)[\($0)]") })
        case .object(let object):
            func only(_ key: String) throws -> JSONTree {
                guard object.count == 1, let value = object[key] else { throw TraceFormatError("\(path): malformed \(key)") }
                return value
            }
            if object["#bigint"] != nil {
                guard let s = try only("#bigint").string, let i = Int(s) else { throw TraceFormatError("\(path): malformed #bigint") }
                self = .int(i)
            } else if object["#tup"] != nil {
                guard let xs = try only("#tup").array else { throw TraceFormatError("\(path): malformed #tup") }
                self = .tuple(try xs.enumerated().map { try ITFValue($1, at: "\(path)[\($0)]") })
            } else if object["#set"] != nil {
                guard let xs = try only("#set").array else { throw TraceFormatError("\(path): malformed #set") }
                self = .set(of: try xs.enumerated().map { try ITFValue($1, at: "\(path){\($0)}") })
            } else if object["#map"] != nil {
                guard let pairs = try only("#map").array else { throw TraceFormatError("\(path): malformed #map") }
                self = .map(try pairs.enumerated().map { k, pair in
                    guard let kv = pair.array, kv.count == 2 else { throw TraceFormatError("\(path): malformed #map entry \(k)") }
                    return (try ITFValue(kv[0], at: "\(path).key\(k)"), try ITFValue(kv[1], at: "\(path).value\(k)"))
                })
            } else if object["#unserializable"] != nil {
                guard let s = try only("#unserializable").string else { throw TraceFormatError("\(path): malformed #unserializable") }
                self = .unserializable(s)
            } else if object.count == 2, let tag = object["tag"]?.string, let value = object["value"] {
                self = .variant(tag: tag, value: try ITFValue(value, at: "\(path).value"))
            } else {
                self = .record(try object.filter { !$0.key.hasPrefix("#") }.map { key, value in
                    (key, try ITFValue(value, at: "\(path).\(key)"))
                })
            }
        }
    }
}
