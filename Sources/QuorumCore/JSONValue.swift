import Foundation

/// Plain JSON for reports (ITF values are for traces); keys keep the order they are given in.
public indirect enum JSONValue {
    case string(String), int(Int), double(Double), bool(Bool), null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public var text: String {
        switch self {
        case .string(let s): return quoted(s)
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? String(format: "%.6g", d) : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let xs): return "[" + xs.map(\.text).joined(separator: ", ") + "]"
        case .object(let fields): return "{" + fields.map { quoted($0.0) + ": " + $0.1.text }.joined(separator: ", ") + "}"
        }
    }

    private func quoted(_ s: String) -> String { jsonString(s) }
}
