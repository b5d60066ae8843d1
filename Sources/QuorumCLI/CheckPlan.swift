import Foundation
import QuorumCore

/// What `quorum check --all` runs: a list of checks, each a spec (and maybe a variant) at some
/// bounds, with the properties to check and the expected outcome.
///
/// The plan is read from `quorum.toml` at the repository root (or `--plan FILE`), so that a team
/// can change what CI checks without editing Swift. The file is a small subset of TOML: `[[check]]`
/// tables whose keys are strings, integers, arrays of strings or inline tables of integers.
///
/// ```toml
/// [[check]]
/// spec = "Raft"
/// bounds = { maxLogLength = 0 }
/// expect = "ok"
///
/// [[check]]
/// spec = "Raft"
/// variant = "forgetVoteOnRestart"
/// expect = "ElectionSafety"   # the property the variant must be caught violating
/// ```
///
/// A `[plan]` table first, with `declared = true`, adds the checks the specs declare themselves
/// (``builtIn()``) for every spec and variant that no `[[check]]` names: so a new mutant is checked
/// once its case is declared, and the file holds only what the declarations do not say.
///
/// Every mistake is reported with the file name and line: unknown keys, specs, variants,
/// parameters and properties, values out of range, and syntax the subset does not accept.
struct CheckPlan {
    struct Check {
        let spec: SpecDescriptor
        let variant: Variant?
        /// Parameter values, resolved (defaults, CI bounds, the variant's bounds, the plan's).
        let values: [String: Int]
        /// Properties to check; nil: all that are checked by default.
        let properties: [String]?
        /// "ok", or the property that must be violated.
        let expect: String
        /// Temporal properties: judge fairness on the bounded model (`fairness = "bounded"`, as
        /// `--bounded-fairness`) rather than on the spec.
        var boundedFairness = false
        /// Explore one state per symmetry class (`symmetry = true`, as `--symmetry` and TLC's SYMMETRY).
        var symmetry = false
        /// The line of its `[[check]]`; 0 for a check the spec declares (``builtIn()``).
        let line: Int
    }

    let checks: [Check]
    let source: String
    /// The plan file as given (nil for the built-in plan), for annotations that point at a line.
    var path: String? = nil

    static let keys = ["spec", "variant", "bounds", "properties", "fairness", "symmetry", "expect"]
    static let planKeys = ["declared"]

    /// How many of ``checks`` the specs declare (added by `declared = true`).
    var declaredCount: Int { checks.filter { $0.line == 0 }.count }

    /// What the plan leaves unchecked: a spec with no check of its own, or a variant with no check
    /// that it is caught; each with the lines that would add it.
    func uncovered() -> [String] {
        var out: [String] = []
        if declaredCount > 0 { return [] }
        for spec in Catalog.specs {
            if !checks.contains(where: { $0.spec.name == spec.name && $0.variant == nil }) {
                out.append("\(source) checks no correct \(spec.name); add: [[check]] spec = \"\(spec.name)\" expect = \"ok\"")
            }
            for variant in spec.variants where !checks.contains(where: { $0.variant?.name == variant.name && $0.spec.name == spec.name }) {
                out.append("\(source) does not check that \(spec.name)'s variant \(variant.name) is caught; add: "
                    + "[[check]] spec = \"\(spec.name)\" variant = \"\(variant.name)\" expect = \"\(variant.breaks)\"")
            }
        }
        return out
    }

    /// The plan that the specs themselves describe: each spec at its CI bounds must pass, and each
    /// variant must be caught violating the property it breaks.
    static func builtIn() throws -> CheckPlan {
        var checks: [Check] = []
        for spec in Catalog.specs {
            checks.append(Check(spec: spec, variant: nil, values: try spec.resolve([:], base: spec.ciBounds),
                                properties: nil, expect: "ok", line: 0))
            for variant in spec.variants {
                checks.append(Check(spec: spec, variant: variant,
                                    values: try spec.resolve(variant.bounds, base: spec.ciBounds, variant: variant),
                                    properties: [variant.breaks], expect: variant.breaks, line: 0))
            }
        }
        return CheckPlan(checks: checks, source: "the specs' built-in plan")
    }

    /// The built-in plan written out as a plan file.
    static func builtInText() throws -> String {
        var out = """
            # What `quorum check --all` runs; CI runs it. Each [[check]] names a spec, and optionally:
            #   variant    = "NAME"                 a buggy variant (mutant) of the spec
            #   bounds     = { NAME = VALUE, ... }  parameters over the spec's CI bounds (and the variant's)
            #   properties = ["NAME", ...]          what to check (default: every property checked by default)
            #   fairness   = "bounded"              temporal properties: fairness judged on the bounded
            #                                       model, as --bounded-fairness (default: "spec")
            #   symmetry   = true                   one state per symmetry class, as --symmetry
            #   properties may name Deadlock: states with no enabled action are then reported
            #   expect     = "ok"                   every property holds within the bounds, or
            #   expect     = "PROPERTY"             the variant must be caught violating PROPERTY
            # `quorum check --print-plan` prints the plan the specs describe themselves.

            """
        for check in try builtIn().checks {
            let defaults = Dictionary(uniqueKeysWithValues: check.spec.parameters.map { ($0.name, $0.defaultValue) })
            let bounds = check.spec.parameters.map(\.name).filter { check.values[$0] != defaults[$0] }
            out += "\n[[check]]\nspec = \"\(check.spec.name)\"\n"
            if let variant = check.variant { out += "variant = \"\(variant.name)\"\n" }
            if !bounds.isEmpty { out += "bounds = { " + bounds.map { "\($0) = \(check.values[$0]!)" }.joined(separator: ", ") + " }\n" }
            if check.boundedFairness { out += "fairness = \"bounded\"\n" }
            out += "expect = \"\(check.expect)\"\n"
        }
        return out
    }

    static func load(_ path: String) throws -> CheckPlan {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("cannot read the check plan \(path)") }
        var plan = try parse(String(decoding: data, as: UTF8.self), file: (path as NSString).lastPathComponent)
        plan.path = path
        return plan
    }

    static func parse(_ text: String, file: String) throws -> CheckPlan {
        var tables: [(line: Int, fields: [String: (line: Int, value: PlanValue)])] = []
        /// The `[plan]` table's keys, while it is the table being read.
        var planFields: [String: (line: Int, value: PlanValue)] = [:], inPlan = false, sawPlan = false
        // TOML allows CRLF line endings; editors on Windows add them, and some a UTF-8 byte-order mark.
        var text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        text = text.replacingOccurrences(of: "\r\n", with: "\n")
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = index + 1
            func fail(_ message: String) -> UsageError { UsageError("\(file):\(line): \(message)") }
            let content = stripComment(raw).trimmingCharacters(in: .whitespaces)
            if content.isEmpty { continue }
            if content == "[[check]]" {
                tables.append((line, [:]))
                inPlan = false
                continue
            }
            if content == "[plan]" {
                guard !sawPlan else { throw fail("[plan] is given twice") }
                guard tables.isEmpty else { throw fail("[plan] must come before the first [[check]]") }
                (inPlan, sawPlan) = (true, true)
                continue
            }
            if content.hasPrefix("[") { throw fail("expected [[check]] or [plan], got \(content)") }
            guard let equals = content.firstIndex(of: "=") else { throw fail("expected key = value, got \(content)") }
            let key = content[..<equals].trimmingCharacters(in: .whitespaces)
            if inPlan {
                guard planKeys.contains(key) else { throw fail("unknown key '\(key)' in [plan]; known: \(planKeys.joined(separator: ", "))") }
                guard planFields[key] == nil else { throw fail("'\(key)' is given twice in [plan]") }
            } else {
                guard !tables.isEmpty else { throw fail("'\(key)' comes before the first [[check]]") }
                guard keys.contains(key) else { throw fail("unknown key '\(key)'; known: \(keys.joined(separator: ", "))") }
                guard tables[tables.count - 1].fields[key] == nil else { throw fail("'\(key)' is given twice in this [[check]]") }
            }
            var parser = PlanValueParser(text: Substring(content[content.index(after: equals)...]))
            let value: PlanValue
            do {
                value = try parser.parseWhole()
            } catch let error as PlanValueParser.Failure {
                throw fail("\(key): \(error.message)")
            }
            if inPlan { planFields[key] = (line, value) } else { tables[tables.count - 1].fields[key] = (line, value) }
        }
        var declared = false
        if let entry = planFields["declared"] {
            guard case .boolean(let on) = entry.value else {
                throw UsageError("\(file):\(entry.line): declared is true (add the checks the specs declare) or false")
            }
            declared = on
        }
        guard !tables.isEmpty || declared else { throw UsageError("\(file): no [[check]] tables; the plan would check nothing") }
        let checks = try tables.map { table in try check(table.fields, line: table.line, file: file) }
        return CheckPlan(checks: declared ? try withDeclared(checks) : checks, source: file)
    }

    /// The specs' declared checks in catalogue order, each spec and variant that `checks` names
    /// replaced by the checks that name it, in their order.
    private static func withDeclared(_ checks: [Check]) throws -> [Check] {
        var out: [Check] = []
        for declared in try builtIn().checks {
            let named = checks.filter { $0.spec.name == declared.spec.name && $0.variant?.name == declared.variant?.name }
            out += named.isEmpty ? [declared] : named
        }
        return out
    }

    private static func check(_ fields: [String: (line: Int, value: PlanValue)], line: Int, file: String) throws -> Check {
        func fail(_ key: String?, _ message: String) -> UsageError {
            UsageError("\(file):\(key.flatMap { fields[$0]?.line } ?? line): \(message)")
        }
        guard case .string(let specName)? = fields["spec"]?.value else {
            throw fail(fields["spec"] == nil ? nil : "spec", "each [[check]] needs spec = \"NAME\"")
        }
        let spec: SpecDescriptor
        do { spec = try Catalog.spec(named: specName) } catch { throw fail("spec", "\(error)") }
        var variant: Variant? = nil
        if let entry = fields["variant"] {
            guard case .string(let name) = entry.value else { throw fail("variant", "variant takes a string") }
            do { variant = try spec.variant(named: name) } catch { throw fail("variant", "\(error)") }
        }
        var bounds: [String: Int] = [:]
        if let entry = fields["bounds"] {
            guard case .table(let pairs) = entry.value else { throw fail("bounds", "bounds takes an inline table such as { maxBallot = 2 }") }
            bounds = pairs
        }
        let values: [String: Int]
        do {
            values = try spec.resolve(bounds, base: spec.ciBounds.merging(variant?.bounds ?? [:]) { $1 }, variant: variant)
        } catch {
            throw fail("bounds", "\(error)")
        }
        let known = spec.properties.map(\.name) + ["Deadlock"]
        var properties: [String]? = nil
        if let entry = fields["properties"] {
            guard case .strings(let names) = entry.value, !names.isEmpty else {
                throw fail("properties", "properties takes a non-empty array of property names")
            }
            for name in names where !known.contains(name) {
                throw fail("properties", "unknown property '\(name)' of \(spec.name); known: \(known.joined(separator: ", "))")
            }
            properties = names
        }
        var boundedFairness = false
        if let entry = fields["fairness"] {
            guard case .string(let mode) = entry.value, ["spec", "bounded"].contains(mode) else {
                throw fail("fairness", "fairness is \"spec\" (judged on the spec, the default) or \"bounded\" (on the bounded model, as --bounded-fairness)")
            }
            boundedFairness = mode == "bounded"
        }
        var symmetry = false
        if let entry = fields["symmetry"] {
            guard case .boolean(let on) = entry.value else { throw fail("symmetry", "symmetry is true or false") }
            symmetry = on
        }
        guard case .string(let expect)? = fields["expect"]?.value else {
            throw fail(fields["expect"] == nil ? nil : "expect", "each [[check]] needs expect = \"ok\" or the name of the property that must be violated")
        }
        if expect != "ok" {
            guard known.contains(expect) else {
                throw fail("expect", "expect is \"ok\" or a property of \(spec.name) (\(known.joined(separator: ", "))), not '\(expect)'")
            }
            if let properties, !properties.contains(expect) {
                throw fail("expect", "\(expect) is expected to be violated but is not among the properties checked")
            }
            if properties == nil { properties = [expect] }
        }
        return Check(spec: spec, variant: variant, values: values, properties: properties, expect: expect,
                     boundedFairness: boundedFairness, symmetry: symmetry, line: line)
    }

    /// The line without a `#` comment (a `#` inside a string is kept).
    private static func stripComment(_ line: String) -> String {
        var inString = false
        for (offset, c) in line.enumerated() {
            if c == "\"" { inString.toggle() }
            if c == "#" && !inString { return String(line.prefix(offset)) }
        }
        return line
    }
}

/// The values a plan's keys take.
enum PlanValue: Equatable {
    case string(String)
    case integer(Int)
    case strings([String])
    case table([String: Int])
    case boolean(Bool)
}

/// A parser for the values of the plan's subset of TOML.
struct PlanValueParser {
    struct Failure: Error { let message: String }

    var text: Substring

    mutating func parseWhole() throws -> PlanValue {
        skipSpaces()
        let value = try parseValue()
        skipSpaces()
        guard text.isEmpty else { throw Failure(message: "unexpected '\(text)' after the value") }
        return value
    }

    private mutating func skipSpaces() { text = text.drop { $0 == " " || $0 == "\t" } }

    private mutating func parseValue() throws -> PlanValue {
        guard let first = text.first else { throw Failure(message: "a value is missing") }
        switch first {
        case "\"": return .string(try parseString())
        case "[":
            text.removeFirst()
            var items: [String] = []
            skipSpaces()
            while text.first != "]" {
                guard text.first == "\"" else { throw Failure(message: "arrays hold strings in quotes") }
                items.append(try parseString())
                skipSpaces()
                if text.first == "," { text.removeFirst(); skipSpaces() } else if text.first != "]" {
                    throw Failure(message: "expected , or ] in the array")
                }
            }
            text.removeFirst()
            return .strings(items)
        case "{":
            text.removeFirst()
            var pairs: [String: Int] = [:]
            skipSpaces()
            while text.first != "}" {
                let key = String(text.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard !key.isEmpty else { throw Failure(message: "expected a parameter name in the inline table") }
                text.removeFirst(key.count)
                skipSpaces()
                guard text.first == "=" else { throw Failure(message: "expected = after \(key)") }
                text.removeFirst()
                skipSpaces()
                guard case .integer(let value) = try parseValue() else { throw Failure(message: "\(key) takes an integer") }
                guard pairs[key] == nil else { throw Failure(message: "\(key) is given twice") }
                pairs[key] = value
                skipSpaces()
                if text.first == "," { text.removeFirst(); skipSpaces() } else if text.first != "}" {
                    throw Failure(message: "expected , or } in the inline table")
                }
            }
            text.removeFirst()
            return .table(pairs)
        case "t", "f":
            for (word, value) in [("true", true), ("false", false)] where text.hasPrefix(word) {
                text.removeFirst(word.count)
                return .boolean(value)
            }
            throw Failure(message: "expected true or false, got \(text)")
        default:
            let digits = String(text.prefix { $0 == "-" || $0 == "+" || $0.isNumber || $0 == "_" })
            guard let value = Int(digits.replacingOccurrences(of: "_", with: "")) else {
                throw Failure(message: "expected a string, an integer, a Boolean, an array of strings or an inline table, got \(text)")
            }
            text.removeFirst(digits.count)
            return .integer(value)
        }
    }

    private mutating func parseString() throws -> String {
        text.removeFirst()
        guard let end = text.firstIndex(of: "\"") else { throw Failure(message: "a string is not closed") }
        let value = String(text[..<end])
        guard !value.contains("\\") else { throw Failure(message: "escapes in strings are not supported") }
        text = text[text.index(after: end)...]
        return value
    }
}
