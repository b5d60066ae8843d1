import Foundation
import QuorumCore

/// Reports for CI systems: JUnit XML (one test case per spec × variant × property) and GitHub
/// Actions annotations.
enum CIReports {
    /// One JUnit test case: what was checked and, when its expectation failed, why.
    struct Case {
        let suite: String
        let name: String
        let seconds: Double
        let failure: (message: String, details: String)?
        let file: String?
    }

    /// The cases of one check: every property of a correct spec must hold; a variant must break
    /// the property it is known to break.
    static func cases(_ report: CheckReport, expected: String?, properties: [String]) -> [Case] {
        let suite = report.spec + (report.variant.map { "[\($0)]" } ?? "")
        let seconds = report.seconds
        if let expected, expected != "ok" {
            let finding = report.findings.first { $0.property == expected }
            return [Case(suite: suite, name: "\(expected) is violated", seconds: seconds,
                         failure: finding == nil ? ("\(expected) was not violated (result: \(report.result.rawValue))", "") : nil,
                         file: nil)]
        }
        return properties.map { property in
            let finding = report.findings.first { $0.property == property }
            var failure: (String, String)? = nil
            if let finding {
                failure = ("\(property) violated after \(finding.length) steps", finding.document.text)
            } else if report.result == .incomplete {
                failure = ("incomplete: \(report.incompleteReason ?? "a limit was reached")", "")
            }
            return Case(suite: suite, name: property, seconds: seconds, failure: failure,
                        file: report.files[property]?.first)
        }
    }

    /// The cases of one `quorum simulate`: a property per case, failed by the run that broke it.
    static func cases(_ report: SimulationReport) -> [Case] {
        let suite = report.spec + (report.variant.map { "[\($0)]" } ?? "") + " (simulated)"
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
            + "failures=\"\(cases.filter { $0.failure != nil }.count)\">\n"
        for name in order {
            let members = suites[name]!
            out += "  <testsuite name=\"\(xml(name))\" tests=\"\(members.count)\" failures=\"\(members.filter { $0.failure != nil }.count)\" "
                + "errors=\"0\" time=\"\(String(format: "%.3f", members.first?.seconds ?? 0))\">\n"
            for c in members {
                out += "    <testcase classname=\"\(xml(c.suite))\" name=\"\(xml(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
                if let failure = c.failure {
                    let details = (c.file.map { "trace: \($0)\n" } ?? "") + failure.details
                    out += ">\n      <failure message=\"\(xml(failure.message))\" type=\"violation\">\(xml(details))</failure>\n    </testcase>\n"
                } else {
                    out += "/>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    /// `::error` lines that GitHub Actions turns into annotations.
    static func annotations(_ cases: [Case]) -> [String] {
        cases.compactMap { c in
            guard let failure = c.failure else { return nil }
            let file = c.file.map { "file=\($0)," } ?? ""
            return "::error \(file)title=\(escape("\(c.suite) \(c.name)"))::\(escape(failure.message))"
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

    /// GitHub's workflow-command escaping.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: ",", with: "%2C")
            .replacingOccurrences(of: ":", with: "%3A")
    }
}
