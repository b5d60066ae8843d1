import Foundation
import QuorumCore

/// Reports for CI systems: JUnit XML (one test case per spec × variant × property) and GitHub
/// Actions annotations.
enum CIReports {
    /// One JUnit test case: what was checked and, when its expectation failed, why; or why it
    /// was not checked at all (`skipped`).
    struct Case {
        let suite: String
        let name: String
        let seconds: Double
        let failure: (message: String, details: String)?
        var skipped: String? = nil
        /// The counterexample file.
        let file: String?
        /// The plan file and line that declared the check.
        var location: (file: String, line: Int)? = nil
    }

    /// "Raft[variant] (servers=3, …)": a suite per check, named with its bounds.
    static func suiteName(_ spec: String, _ variant: String?, _ parameters: [(String, Int)], _ suffix: String = "") -> String {
        spec + (variant.map { "[\($0)]" } ?? "") + " (" + parameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")" + suffix
    }

    /// The cases of one check. A variant's case passes when the property it must break was found
    /// violated. A correct spec's property passes only if it was checked to the end and held; one
    /// the check never got to (the explorer stopped at another property's violation, or temporal
    /// properties were left for after the invariants) is skipped, with the reason.
    static func cases(_ report: CheckReport, expected: String?, properties: [PropertyInfo], continued: Bool,
                      location: (file: String, line: Int)? = nil) -> [Case] {
        let suite = suiteName(report.spec, report.variant, report.parameters)
        let seconds = report.seconds
        if let expected, expected != "ok" {
            let finding = report.findings.first { $0.property == expected }
            return [Case(suite: suite, name: "\(expected) is violated", seconds: seconds,
                         failure: finding == nil ? ("\(expected) was not violated (result: \(report.result.rawValue))", "") : nil,
                         file: report.files[expected]?.first, location: location)]
        }
        let firstViolation = report.findings.first?.property
        return properties.map { property in
            let name = property.name
            var failure: (String, String)? = nil
            var skipped: String? = nil
            if let finding = report.findings.first(where: { $0.property == name }) {
                failure = ("\(name) violated after \(finding.length) steps", finding.document.text)
            } else if report.result == .incomplete {
                failure = ("incomplete: \(report.incompleteReason ?? "a limit was reached")", "")
            } else if report.result == .violation && property.kind == .temporal && report.temporalGraph == nil {
                skipped = "not checked: temporal properties are checked once the invariants hold, and \(firstViolation ?? "a property") was violated"
            } else if report.result == .violation && !continued && property.kind != .temporal {
                skipped = "not checked to the end: the explorer stopped at the first violation (\(firstViolation ?? "another property")); --continue checks every property"
            }
            return Case(suite: suite, name: name, seconds: seconds, failure: failure, skipped: skipped,
                        file: report.files[name]?.first, location: location)
        }
    }

    /// The cases of one `quorum simulate`: a property per case, failed by the run that broke it.
    static func cases(_ report: SimulationReport) -> [Case] {
        let suite = suiteName(report.spec, report.variant, report.parameters, " simulated")
        return report.properties.map { property in
            var failure: (String, String)? = nil
            if let f = report.failure, f.property == property {
                failure = ("\(property) violated in run \(f.run) after \(f.originalLength) steps, shrunk to \(f.document.steps.count - 1)",
                           f.document.text)
            }
            return Case(suite: suite, name: property, seconds: report.seconds, failure: failure,
                        file: failure == nil ? nil : report.files.first)
        }
    }

    static func junit(_ cases: [Case]) -> String {
        var suites: [String: [Case]] = [:]
        var order: [String] = []
        for c in cases {
            if suites[c.suite] == nil { order.append(c.suite) }
            suites[c.suite, default: []].append(c)
        }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"quorum\" tests=\"\(cases.count)\" "
            + "failures=\"\(cases.filter { $0.failure != nil }.count)\" skipped=\"\(cases.filter { $0.skipped != nil }.count)\">\n"
        for name in order {
            let members = suites[name]!
            out += "  <testsuite name=\"\(xml(name))\" tests=\"\(members.count)\" failures=\"\(members.filter { $0.failure != nil }.count)\" "
                + "errors=\"0\" skipped=\"\(members.filter { $0.skipped != nil }.count)\" time=\"\(String(format: "%.3f", members.first?.seconds ?? 0))\">\n"
            for c in members {
                out += "    <testcase classname=\"\(xml(c.suite))\" name=\"\(xml(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
                if let failure = c.failure {
                    let details = (c.file.map { "trace: \($0)\n" } ?? "") + failure.details
                    out += ">\n      <failure message=\"\(xml(failure.message))\" type=\"violation\">\(xml(details))</failure>\n    </testcase>\n"
                } else if let reason = c.skipped {
                    out += ">\n      <skipped message=\"\(xml(reason))\"/>\n    </testcase>\n"
                } else {
                    out += "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// `::error` lines that GitHub Actions turns into annotations: at the plan file and line that
    /// declared the check when there is one, the counterexample named in the message.
    static func annotations(_ cases: [Case]) -> [String] {
        cases.compactMap { c in
            guard let failure = c.failure else { return nil }
            var properties: [String] = []
            if let location = c.location { properties += ["file=" + escapeProperty(location.file), "line=\(location.line)"] }
            properties.append("title=" + escapeProperty("\(c.suite) \(c.name)"))
            let message = failure.message + (c.file.map { " (trace: \($0))" } ?? "")
            return "::error " + properties.joined(separator: ",") + "::" + escapeData(message)
        }
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case let c where c.value < 0x20 && c != "\n" && c != "\t": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// GitHub's workflow-command escaping of a message: `%`, CR and LF only.
    static func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A property value (`file=`, `title=`) also escapes `:` and `,`, which separate properties.
    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
