import Foundation
import QuorumCore

/// What a cluster node saves after every step and every message it takes in (`<node>.state.json`):
/// its copy of the spec's state, how many events its log holds, and the last of them, so that a
/// node killed between saving a step and logging it completes its log when it recovers.
///
/// Two lines: the state as an ITF record, then the last log line as it is. The log line is
/// JSON already; embedding it as a JSON string would escape every quote of it on every save.
struct SavedNodeState: Equatable {
    var values: [ITFValue]
    var logged: Int
    /// The last line of the node's log, without its newline ("" before the first).
    var last: String

    var data: Data {
        let record = ITFValue.record([("values", .list(values)), ("logged", .int(logged))])
        return Data((record.json + "\n" + last + "\n").utf8)
    }

    init(values: [ITFValue], logged: Int, last: String) {
        (self.values, self.logged, self.last) = (values, logged, last)
    }

    /// Reads a saved state; nil if `data` is not one (a file cut short is never renamed into place).
    init?(data: Data) {
        let bytes = [UInt8](data)
        guard let cut = bytes.firstIndex(of: UInt8(ascii: "\n")), bytes.last == UInt8(ascii: "\n"),
              let record = try? ITFValue(json: Data(bytes[..<cut])), case .list(let values)? = record[field: "values"],
              let logged = record[field: "logged"]?.intValue else { return nil }
        let rest = bytes[(cut + 1)..<(bytes.count - 1)]
        guard !rest.contains(UInt8(ascii: "\n")) else { return nil }
        self.init(values: values, logged: logged, last: String(decoding: rest, as: UTF8.self))
    }

    static func read(_ path: String) -> SavedNodeState? {
        FileManager.default.contents(atPath: path).flatMap { SavedNodeState(data: $0) }
    }

    /// Where the node whose log is `log` saves its state.
    static func path(forLog log: String) -> String {
        NodeFiles.path(beside: log, ".state.json")
    }
}
