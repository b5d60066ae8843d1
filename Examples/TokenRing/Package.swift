// swift-tools-version:6.1
import Foundation
import PackageDescription

// A package of one's own that depends on Quorum by version, as a team would. QUORUM_URL names
// the Quorum repository (CI: a local clone tagged with a version); its last path component is
// the package's identity.
let quorumURL = Context.environment["QUORUM_URL"] ?? "https://github.com/quorum-checker/quorum.git"
let quorum = URL(string: quorumURL)!.deletingPathExtension().lastPathComponent.lowercased()

let package = Package(
    name: "TokenRing",
    platforms: [.macOS(.v14)],
    dependencies: [.package(url: quorumURL, from: "0.1.0")],
    targets: [
        // The spec, with its symbolic encoding for prove and bmc.
        .target(name: "TokenRing", dependencies: [
            .product(name: "QuorumCore", package: quorum), .product(name: "QuorumZ3", package: quorum),
        ]),
        // The whole quorum command line over Quorum's specs and this one.
        .executableTarget(name: "ring", dependencies: ["TokenRing", .product(name: "QuorumCLI", package: quorum)]),
        // The spec's tests, with Quorum's Swift Testing expectations.
        .testTarget(name: "TokenRingTests", dependencies: ["TokenRing", .product(name: "QuorumTesting", package: quorum)]),
    ],
    swiftLanguageModes: [.v6]
)
