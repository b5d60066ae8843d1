import Foundation
import ArgumentParser

/// A length of time on the command line: seconds (`2`, `0.5`), or with a unit (`500ms`, `30s`,
/// `2m`), as Jepsen's and most tools' options read.
struct RunTime: ExpressibleByArgument, Sendable {
    let seconds: Double

    init(seconds: Double) { self.seconds = seconds }

    init?(argument: String) {
        let units: [(suffix: String, scale: Double)] = [("ms", 0.001), ("s", 1), ("m", 60)]
        var text = argument.trimmingCharacters(in: .whitespaces), scale = 1.0
        for unit in units where text.hasSuffix(unit.suffix) {
            text.removeLast(unit.suffix.count)
            scale = unit.scale
            break
        }
        guard let value = Double(text), value.isFinite else { return nil }
        seconds = value * scale
    }

    var defaultValueDescription: String { "\(seconds)s" }
}
