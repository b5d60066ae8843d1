import Foundation

/// A counterexample as it is written to and read from disk: one ITF JSON object.
///
/// Besides ADR-015's `#meta`, `vars` and `states`, every state records the step that led to it in
/// Quint's model-based-testing variables `mbt::actionTaken` and `mbt::nondetPicks`, and `#meta`
/// names the spec, variant, parameters and violated property so the file can be replayed.
public struct TraceDocument: Sendable {
    public struct Step: Sendable {
        /// "init" for the first state.
        public var action: String
        public var picks: ITFValue
        /// The action in words, as the terminal shows it.
        public var description: String
        public var values: [ITFValue]

        /// The value of a nondeterministic pick (`mbt::nondetPicks`), unwrapped from its `Some`.
        public func pick(_ name: String) -> ITFValue? {
            guard let value = picks[field: name] else { return nil }
            if case .variant(_, let inner) = value { return inner }
            return value
        }
    }

    /// The value of `variable` in the state after step `index` (0: the first state).
    public func value(_ variable: String, at index: Int) -> ITFValue? {
        variables.firstIndex(of: variable).map { steps[index].values[$0] }
    }

    public var spec: String
    public var variant: String?
    public var parameters: [(String, Int)]
    public var property: String?
    public var propertyKind: PropertyKind?
    public var variables: [String]
    public var steps: [Step]
    /// Set for a counterexample to induction: its first state is any state that satisfies these
    /// invariants (less the dropped conjuncts), not necessarily a reachable one.
    public var induction: Induction?
    /// For a lasso (ADR-015's `loop`): the index of the state where the cycle starts; the last
    /// state equals it. Equal to the last index when the behaviour stutters forever in its last state.
    public var loop: Int?
    /// For a lasso: fairness was judged on the bounded model (`--bounded-fairness`), so an action
    /// whose steps all leave the bounds counted as disabled. Replay judges it the same way.
    public var boundedFairness = false
    /// Set by a reader that tried to replay the file and could not: why (not written to files).
    public var unreplayable: String? = nil

    /// What a counterexample to induction assumes of its first state.
    public struct Induction: Sendable, Equatable {
        public var invariants: [String]
        /// Conjuncts left out of the invariants (`quorum prove --drop`).
        public var dropped: [String]
        public init(invariants: [String], dropped: [String]) {
            self.invariants = invariants
            self.dropped = dropped
        }
    }

    public init(spec: String, variant: String?, parameters: [(String, Int)], property: String?,
                propertyKind: PropertyKind?, variables: [String], steps: [Step], induction: Induction? = nil, loop: Int? = nil) {
        self.spec = spec
        self.variant = variant
        self.parameters = parameters
        self.property = property
        self.propertyKind = propertyKind
        self.variables = variables
        self.steps = steps
        self.induction = induction
        self.loop = loop
    }

    /// Whether the trace is a shortest one (the explorer's and bmc's are; a simulated run,
    /// even shrunk, need not be): its description says which.
    public var shortest = true

    public static let actionVariable = "mbt::actionTaken"
    public static let picksVariable = "mbt::nondetPicks"
    public static let formatDescription = "https://apalache-mc.org/docs/adr/015adr-trace.html"

    /// Builds the document of a trace of `system`.
    public init<System: TransitionSystem>(
        _ trace: Trace<System>, of system: System, spec: String, variant: String?,
        parameters: [(String, Int)], property: String?, kind: PropertyKind?, induction: Induction? = nil
    ) {
        var steps = [Step(action: "init", picks: .emptyRecord, description: "Initial state",
                          values: system.traceValues(of: trace.initial))]
        var before = trace.initial
        for step in trace.steps {
            let action = system.recorded(step.action, from: before)
            steps.append(Step(
                action: action.name,
                picks: .record(action.parameters.map { ($0.0, ITFValue.variant(tag: "Some", value: $0.1)) }),
                description: action.description,
                values: system.traceValues(of: step.state)))
            before = step.state
        }
        self.init(spec: spec, variant: variant, parameters: parameters, property: property,
                  propertyKind: kind, variables: system.traceVariables, steps: steps, induction: induction, loop: trace.loop)
    }

    // MARK: Writing

    public var json: String {
        var meta: [(String, ITFValue)] = [
            ("format", .string("ITF")),
            ("format-description", .string(Self.formatDescription)),
            ("source", .string("quorum")),
            ("spec", .string(spec)),
            ("parameters", .record(parameters.map { ($0.0, ITFValue.int($0.1)) })),
        ]
        if let variant { meta.append(("variant", .string(variant))) }
        if boundedFairness { meta.append(("fairness", .string("bounded"))) }
        // ADR-015 puts the loop beside "states"; some readers look for it in #meta, so it is in both.
        if let loop { meta.append(("loop", .int(loop))) }
        if let property {
            meta.append(("violation", .record([("property", .string(property)),
                                               ("kind", .string(propertyKind?.rawValue ?? "invariant"))])))
            if let induction {
                meta.append(("induction", .record([("assumes", .list(induction.invariants.map(ITFValue.string))),
                                                   ("without", .list(induction.dropped.map(ITFValue.string)))])))
                meta.append(("description", .string("A counterexample to induction of \(assumption) in \(spec)\(variant.map { " (\($0))" } ?? ""): the first state satisfies it, the last violates \(property)")))
            } else if let loop {
                meta.append(("description", .string("A behaviour of \(spec)\(variant.map { " (\($0))" } ?? "") that violates \(property): "
                    + (loop == steps.count - 1 ? "it stays in its last state forever" : "states \(loop) to \(steps.count - 1) repeat forever (the last equals state \(loop))"))))
            } else {
                meta.append(("description", .string((shortest ? "A shortest trace of " : "A trace of ")
                    + "\(spec)\(variant.map { " (\($0))" } ?? "") that violates \(property)"
                    + (shortest ? "" : ", found by simulation (not necessarily a shortest one)"))))
            }
        }
        var out = "{\n  \"#meta\": " + ITFValue.record(meta).json + ",\n"
        let vars = variables + [Self.actionVariable, Self.picksVariable]
        out += "  \"vars\": [" + vars.map(jsonString).joined(separator: ", ") + "],\n"
        out += "  \"states\": [\n"
        for (index, step) in steps.enumerated() {
            var fields: [String] = ["\"#meta\":{\"index\":\(index),\"action\":" + jsonString(step.description) + "}"]
            for (name, value) in zip(variables, step.values) { fields.append(jsonString(name) + ":" + value.json) }
            fields.append(jsonString(Self.actionVariable) + ":" + jsonString(step.action))
            fields.append(jsonString(Self.picksVariable) + ":" + step.picks.json)
            out += "    {" + fields.joined(separator: ",") + "}" + (index + 1 < steps.count ? "," : "") + "\n"
        }
        out += "  ]"
        if let loop { out += ",\n  \"loop\": \(loop)" }
        return out + "\n}\n"
    }

    /// How the behaviour goes on after its last state, in words.
    public var loopText: String? {
        guard let loop else { return nil }
        return loop == steps.count - 1
            ? "it stays in state \(loop) forever, where no fair action is enabled"
            : "steps \(loop + 1)–\(steps.count - 1) repeat forever (state \(steps.count - 1) is state \(loop) again)"
    }

    /// "Inv" or "Inv without msgs2b": what a counterexample to induction assumes.
    public var assumption: String {
        guard let induction else { return "" }
        let names = induction.invariants.joined(separator: " ∧ ")
        return induction.dropped.isEmpty ? names : names + " without " + induction.dropped.joined(separator: ", ")
    }

    /// A numbered table of steps: the action in words and each variable it changed (old → new).
    public var markdown: String {
        var out = "# \(spec)\(variant.map { " (variant \($0))" } ?? ""): "
        if induction != nil && steps.count == 1 {
            out += "\(assumption) does not imply \(property ?? "the property")"
        } else if induction != nil {
            out += "\(assumption) is not inductive"
        } else {
            out += property.map { "\($0) violated" } ?? "trace"
        }
        out += "\n\nParameters: " + parameters.map { "\($0.0) = \($0.1)" }.joined(separator: ", ")
        out += ". \(steps.count - 1) step\(steps.count == 2 ? "" : "s"). Replay with `quorum replay <this file's .itf.json>`.\n\n"
        if induction != nil && steps.count == 1 {
            out += "The state satisfies \(assumption) (it need not be reachable) but violates \(property ?? "the property").\n\n## An arbitrary state satisfying \(assumption)\n\n"
        } else if induction != nil {
            out += "A counterexample to induction: the first state satisfies \(assumption) (it need not be reachable), "
            out += "and one step leads to a state that violates \(property ?? "it").\n\n## An arbitrary state satisfying \(assumption)\n\n"
        } else {
            out += "## Initial state\n\n"
        }
        for (name, value) in zip(variables, steps[0].values) { out += "- `\(name)` = \(markdownCell(value.text))\n" }
        out += "\n## Steps\n\n| # | action | changes |\n| --- | --- | --- |\n"
        for (index, (before, after)) in zip(steps, steps.dropFirst()).enumerated() {
            let changes = Self.changes(variables, before.values, after.values)
                .map { markdownCell($0) }.joined(separator: "<br>")
            let cycle = loop.map { index + 1 > $0 ? " ↻" : "" } ?? ""
            out += "| \(index + 1)\(cycle) | \(markdownCell(after.description)) | \(changes.isEmpty ? "(no change)" : changes) |\n"
        }
        if let loopText {
            out += "\n**The behaviour is infinite**: after step \(steps.count - 1), \(loopText).\n"
            if boundedFairness {
                out += "Fairness was judged on the bounded model: an action whose steps all leave the bounds counts as disabled.\n"
            }
            if let property { out += "On this fair behaviour **\(property)** (temporal) never comes true.\n" }
        } else if let property {
            out += "\n**\(property)** (\(propertyKind?.rawValue ?? "invariant")) fails "
            out += propertyKind == .actionProperty ? "on the last step.\n" : "in the last state.\n"
        }
        return out
    }

    /// The same trace for a terminal: one line per step, its changes indented below.
    public var text: String {
        var out = ""
        // A counterexample to induction starts in a state that need not be reachable: never "init".
        let first = induction == nil ? "init" : "an arbitrary state satisfying \(assumption):"
        if induction != nil { out += "  0  \(first)\n" }
        for (name, value) in zip(variables, steps[0].values) {
            out += induction == nil ? "  0  init  \(name) = \(value.text)\n" : "       \(name) = \(value.text)\n"
        }
        for (index, (before, after)) in zip(steps, steps.dropFirst()).enumerated() {
            let marker = loop.map { index + 1 > $0 ? "↻" : " " } ?? " "
            out += String(format: "%3d", index + 1) + marker + " " + after.description + "\n"
            for change in Self.changes(variables, before.values, after.values) { out += "       " + change + "\n" }
        }
        if let loopText { out += "  ↻ then " + loopText + "\n" }
        return out
    }

    /// The variables (or fields, keys, set elements) that differ between two states.
    public static func changes(_ variables: [String], _ before: [ITFValue], _ after: [ITFValue]) -> [String] {
        var out: [String] = []
        for (name, (old, new)) in zip(variables, zip(before, after)) { diff(name, old, new, into: &out) }
        return out
    }

    private static func diff(_ path: String, _ old: ITFValue, _ new: ITFValue, into out: inout [String]) {
        guard old != new else { return }
        switch (old, new) {
        case (.map(let a), .map(let b)) where a.map(\.key) == b.map(\.key):
            for (x, y) in zip(a, b) { diff("\(path)[\(x.key.text)]", x.value, y.value, into: &out) }
        case (.map(let a), .map(let b)):
            // Keys come and go (a bag of messages): name each added, removed or changed key.
            for y in b {
                if let x = a.first(where: { $0.key == y.key }) {
                    diff("\(path)[\(y.key.text)]", x.value, y.value, into: &out)
                } else {
                    out.append("\(path): + \(y.key.text) :> \(y.value.text)")
                }
            }
            for x in a where !b.contains(where: { $0.key == x.key }) { out.append("\(path): − \(x.key.text)") }
        case (.record(let a), .record(let b)) where a.map(\.name) == b.map(\.name):
            for (x, y) in zip(a, b) { diff("\(path).\(x.name)", x.value, y.value, into: &out) }
        case (.set(let a), .set(let b)):
            for x in b where !a.contains(x) { out.append("\(path): + \(x.text)") }
            for x in a where !b.contains(x) { out.append("\(path): − \(x.text)") }
        default:
            out.append("\(path): \(old.text) → \(new.text)")
        }
    }

    private func markdownCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: Reading

    /// Parses an ITF file written by Quorum; any deviation from the format is an error naming the place.
    public init(json data: Data) throws {
        let tree: JSONTree
        do {
            tree = try JSONTree(json: data)
        } catch {
            throw TraceFormatError("not valid JSON")
        }
        guard let root = tree.object else { throw TraceFormatError("the top level is not a JSON object") }
        guard let meta = root["#meta"]?.object else { throw TraceFormatError("no \"#meta\" object") }
        guard let spec = meta["spec"]?.string else { throw TraceFormatError("#meta has no \"spec\"; was this trace written by quorum?") }
        self.spec = spec
        variant = meta["variant"]?.string
        guard let params = meta["parameters"]?.object else { throw TraceFormatError("#meta has no \"parameters\" object") }
        parameters = try params.keys.sorted().map { key in
            guard case .int(let value) = try ITFValue(params[key]!, at: "#meta.parameters.\(key)") else {
                throw TraceFormatError("#meta.parameters.\(key) is not an integer")
            }
            return (key, value)
        }
        boundedFairness = meta["fairness"]?.string == "bounded"
        if let violation = meta["violation"]?.object {
            property = violation["property"]?.string
            propertyKind = violation["kind"]?.string.flatMap(PropertyKind.init(rawValue:))
            if property == nil || propertyKind == nil { throw TraceFormatError("#meta.violation needs \"property\" and a known \"kind\"") }
        } else {
            property = nil
            propertyKind = nil
        }
        if let induction = meta["induction"]?.object {
            guard let assumes = induction["assumes"]?.array?.compactMap(\.string), !assumes.isEmpty,
                  let without = induction["without"]?.array?.compactMap(\.string) else {
                throw TraceFormatError("#meta.induction needs \"assumes\" (invariant names) and \"without\" (conjunct names)")
            }
            self.induction = Induction(invariants: assumes, dropped: without)
        } else {
            self.induction = nil
        }
        guard let vars = root["vars"]?.array?.compactMap(\.string), vars.count == root["vars"]?.array?.count else {
            throw TraceFormatError("no \"vars\" list of strings")
        }
        if let value = root["loop"] ?? meta["loop"] {
            guard case .int(let loop) = try ITFValue(value, at: "loop") else { throw TraceFormatError("\"loop\" is not an integer") }
            self.loop = loop
        } else {
            loop = nil
        }
        let variables = vars.filter { $0 != Self.actionVariable && $0 != Self.picksVariable }
        self.variables = variables
        guard let states = root["states"]?.array, !states.isEmpty else { throw TraceFormatError("no \"states\", or an empty list") }
        steps = try states.enumerated().map { index, element in
            guard let state = element.object else { throw TraceFormatError("state \(index) is not an object") }
            let values = try variables.map { name in
                guard let value = state[name] else { throw TraceFormatError("state \(index) has no variable \"\(name)\"") }
                return try ITFValue(value, at: "states[\(index)].\(name)")
            }
            guard let action = state[Self.actionVariable]?.string else {
                throw TraceFormatError("state \(index) has no \"\(Self.actionVariable)\"")
            }
            let picks = try state[Self.picksVariable].map { try ITFValue($0, at: "states[\(index)].picks") } ?? .emptyRecord
            let description = state["#meta"]?.object?["action"]?.string ?? action
            return Step(action: action, picks: picks, description: description, values: values)
        }
        if let loop, !(0..<steps.count).contains(loop) {
            throw TraceFormatError("\"loop\" is \(loop), not the index of a state (0...\(steps.count - 1))")
        }
    }
}

extension ITFValue {
    /// The value with `transform` applied to every string in it (record field names, map keys and
    /// set elements included).
    public func mappingStrings(_ transform: (String) -> String) -> ITFValue {
        switch self {
        case .bool, .int: self
        case .string(let s): .string(transform(s))
        case .list(let xs): .list(xs.map { $0.mappingStrings(transform) })
        case .tuple(let xs): .tuple(xs.map { $0.mappingStrings(transform) })
        case .set(let xs): .set(of: xs.map { $0.mappingStrings(transform) })
        case .record(let fields): .record(fields.map { (transform($0.name), $0.value.mappingStrings(transform)) })
        case .map(let pairs): .map(pairs.map { ($0.key.mappingStrings(transform), $0.value.mappingStrings(transform)) })
        case .variant(let tag, let value): .variant(tag: transform(tag), value: value.mappingStrings(transform))
        case .unserializable(let s): .unserializable(transform(s))
        }
    }
}

extension TraceDocument {
    /// The document with `transform` applied to every string that came from the file: names,
    /// descriptions and values. `show` uses it so that a file's text cannot drive the terminal.
    public func mappingStrings(_ transform: (String) -> String) -> TraceDocument {
        var d = self
        d.spec = transform(spec)
        d.variant = variant.map(transform)
        d.property = property.map(transform)
        d.parameters = parameters.map { (transform($0.0), $0.1) }
        d.variables = variables.map(transform)
        d.induction = induction.map { Induction(invariants: $0.invariants.map(transform), dropped: $0.dropped.map(transform)) }
        d.steps = steps.map { step in
            Step(action: transform(step.action), picks: step.picks.mappingStrings(transform),
                 description: transform(step.description), values: step.values.map { $0.mappingStrings(transform) })
        }
        return d
    }

    /// Control characters (C0, DEL, C1) and bidirectional overrides written as visible escapes
    /// (`\u{1B}`), so that text from a file shows as what it is.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isHidden) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isHidden(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isHidden(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (0x202A...0x202E).contains(s.value)
            || (0x2066...0x2069).contains(s.value) || s.value == 0x200E || s.value == 0x200F
    }
}
