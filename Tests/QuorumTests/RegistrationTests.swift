import Foundation
import Testing
import QuorumCore
@testable import QuorumCLI

/// What registers a spec with the command line and CI, checked for every spec in the catalogue:
/// a spec added as docs/TUTORIAL.md says ("Every edit a new spec needs") passes these, and one
/// with an edit missing fails with the item to do. Nothing here names a particular spec.
@Suite struct RegistrationTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The files the checklist's items name, in order.
    static let checked = ["Specs/<Name>/", "Package.swift", "Sources/QuorumCLI/Catalog.swift", "quorum.toml", "counterexamples/"]

    @Test func theTutorialsChecklistNamesEveryPlaceCheckedHere() throws {
        let tutorial = try Self.text("docs/TUTORIAL.md")
        let section = try #require(tutorial.components(separatedBy: "### Every edit a new spec needs").dropFirst().first)
        let items = section.components(separatedBy: "\n").filter { $0.range(of: #"^[0-9]+\. `"#, options: .regularExpression) != nil }
        let named = items.map { $0.components(separatedBy: "`")[1] }
        #expect(named == Self.checked)
    }

    /// A spec's own target needs no Z3: the symbolic engines derive its encoding (QuorumZ3), or a
    /// hand-written one lives in a `<Name>Z3` target beside it, so that `import <Name>` links
    /// without libz3.
    @Test(arguments: Catalog.builtIn.map(\.name))
    func noSpecTargetDependsOnZ3(_ name: String) throws {
        let package = try Self.text("Package.swift")
        let target = try #require(package.components(separatedBy: ".target(name: \"\(name)\"").dropFirst().first?.components(separatedBy: "\n").first)
        #expect(target.contains("path: \"Specs/\(name)\""))
        #expect(!target.contains("Z3"), "\(name)'s target depends on Z3: \(target)")
    }

    @Test(arguments: Catalog.specs.map(\.name))
    func everySpecIsRegisteredEverywhereTheChecklistSays(_ name: String) throws {
        let spec = try Catalog.spec(named: name)
        // 1. Its folder, with a README.
        #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent("Specs/\(name)/README.md").path),
                "item 1: Specs/\(name)/README.md")
        // 2. A target, and a dependency of the command line.
        let package = try Self.text("Package.swift")
        #expect(package.contains(".target(name: \"\(name)\""), "item 2: a .target named \(name) in Package.swift")
        let cli = try #require(package.components(separatedBy: "name: \"QuorumCLI\",\n            dependencies:").dropFirst().first?.components(separatedBy: "]").first)
        #expect(cli.contains("\"\(name)\""), "item 2: \(name) among the QuorumCLI target's dependencies")
        // 3. The catalogue.
        let catalog = try Self.text("Sources/QuorumCLI/Catalog.swift")
        // (`<Name>.spec`, or `<Name>.specWithEncoding` from a `<Name>Z3` target with a hand-written encoding.)
        #expect(catalog.contains("import \(name)\n") && catalog.range(of: "\n        \(name)\\.spec(WithEncoding)?,\n", options: .regularExpression) != nil,
                "item 3: Catalog.swift")
        // 4. The plan: the spec and each variant.
        let plan = try CheckPlan.load(repositoryRoot.appendingPathComponent("quorum.toml").path)
        #expect(plan.checks.contains { $0.spec.name == name && $0.variant == nil && $0.expect == "ok" }, "item 4: quorum.toml, \(name)")
        for variant in spec.variants {
            #expect(plan.checks.contains { $0.spec.name == name && $0.variant?.name == variant.name && $0.expect == variant.breaks },
                    "item 4: quorum.toml, \(name) \(variant.name)")
            // 5. Its counterexample, committed, and a real behaviour of the variant.
            let stem = "counterexamples/" + [name.lowercased(), variant.name, variant.breaks].joined(separator: "-")
            for suffix in [".itf.json", ".md", ".html"] {
                #expect(FileManager.default.fileExists(atPath: repositoryRoot.appendingPathComponent(stem + suffix).path),
                        "item 5: \(stem + suffix)")
            }
            if let data = FileManager.default.contents(atPath: repositoryRoot.appendingPathComponent(stem + ".itf.json").path) {
                let report = try ReplayCommand.replay(try TraceDocument(json: data))
                #expect(report.reproduced, "item 5: \(stem).itf.json does not reproduce \(variant.breaks)")
            }
        }
    }
}
