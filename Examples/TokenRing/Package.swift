// swift-tools-version:6.1
import Foundation
import PackageDescription

// A package of one's own that depends on Quorum by version, as a team would. QUORUM_URL names
// the Quorum repository (CI: a local clone tagged with a version, see .ci/consumer); without it,
// the checkout this example sits in is used by path. The last path component is the package's
// identity.
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()
let quorumURL = Context.environment["QUORUM_URL"].flatMap { URL(string: $0) }
let dependency: Package.Dependency = quorumURL.map { .package(url: $0.absoluteString, from: "0.1.0") } ?? .package(path: root.path)
let quorum = (quorumURL ?? root).deletingPathExtension().lastPathComponent.lowercased()

let package = Package(
    name: "TokenRing",
    platforms: [.macOS(.v14)],
    dependencies: [dependency],
    targets: [
        // The spec, written once: prove, bmc and conform derive its symbolic form (no Z3 here).
        .target(name: "TokenRing", dependencies: [.product(name: "QuorumCore", package: quorum)]),
        // The whole quorum command line over Quorum's specs and this one.
        .executableTarget(name: "ring", dependencies: ["TokenRing", .product(name: "QuorumCLI", package: quorum)]),
        // The spec's tests, with Quorum's Swift Testing expectations.
        .testTarget(name: "TokenRingTests", dependencies: ["TokenRing", .product(name: "QuorumTesting", package: quorum)]),
    ],
    swiftLanguageModes: [.v6]
)
