import ArgumentParser
import QuorumCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the specs, their parameters, properties and variants.")

    @Flag(help: "Print JSON instead of text.") var json = false

    func run() throws {
        if json {
            let specs: [JSONValue] = Catalog.specs.map { spec in
                .object([
                    ("name", .string(spec.name)),
                    ("summary", .string(spec.summary)),
                    ("parameters", .array(spec.parameters.map { p in
                        .object([("name", .string(p.name)), ("default", .int(p.defaultValue)),
                                 ("min", .int(p.range.lowerBound)), ("max", .int(p.range.upperBound)),
                                 ("summary", .string(p.summary))])
                    })),
                    ("properties", .array(spec.properties.map { p in
                        .object([("name", .string(p.name)), ("kind", .string(p.kind.rawValue)), ("summary", .string(p.summary))])
                    })),
                    ("engines", .array(Self.engines(spec).map(JSONValue.string))),
                    ("variants", .array(spec.variants.map { v in
                        .object([("name", .string(v.name)), ("breaks", .string(v.breaks)), ("summary", .string(v.summary))])
                    })),
                ])
            }
            Terminal.out(JSONValue.object([("specs", .array(specs))]).text)
            return
        }
        for spec in Catalog.specs {
            var out = "\(spec.name): \(spec.summary)\n  engines: " + Self.engines(spec).joined(separator: ", ") + "\n  parameters:\n"
            for p in spec.parameters {
                out += "    \(p.name) = \(p.defaultValue)  (\(p.range.lowerBound)...\(p.range.upperBound)) \(p.summary)\n"
            }
            out += "  properties:\n"
            for p in spec.properties { out += "    \(p.name)  [\(p.kind.rawValue)] \(p.summary)\n" }
            out += "  variants (buggy on purpose):\n"
            for v in spec.variants { out += "    \(v.name)  breaks \(v.breaks): \(v.summary)\n" }
            Terminal.out(out)
        }
    }

    /// The engines that run on a spec: every spec has the explorer, the simulator, replay and the
    /// viewer; symmetry and the Z3 engines only where the spec provides them.
    static func engines(_ spec: SpecDescriptor) -> [String] {
        var engines = ["check", "simulate", "replay", "show"]
        if let values = try? spec.resolve([:]), spec.model(values).hasSymmetry { engines.append("check --symmetry") }
        if spec.hasSymbolicEncoding { engines += ["prove", "bmc", "conform"] }
        return engines
    }
}
