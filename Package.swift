// swift-tools-version:6.1
import PackageDescription


let package = Package(
    name: "Quorum",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "quorum", targets: ["quorum"]),
        .library(name: "QuorumCore", targets: ["QuorumCore"]),
        .library(name: "QuorumZ3", targets: ["QuorumZ3"]),
        // Client histories checked for linearizability (registers, key-value stores, a ledger).
        .library(name: "QuorumHistory", targets: ["QuorumHistory"]),
        // The command line as a library: its input readers are what Fuzz/ drives.
        .library(name: "QuorumCLI", targets: ["QuorumCLI"]),
        // Swift Testing expectations for a package's own specs (expectHolds, expectCaught).
        .library(name: "QuorumTesting", targets: ["QuorumTesting"]),
        .library(name: "Paxos", targets: ["Paxos"]),
        .library(name: "Raft", targets: ["Raft"]),
        .library(name: "RaftZ3", targets: ["RaftZ3"]),
        .library(name: "ResultBroadcast", targets: ["ResultBroadcast"]),
        .library(name: "AuditLog", targets: ["AuditLog"]),
        .library(name: "TwoPhaseCommit", targets: ["TwoPhaseCommit"]),
        .library(name: "MultiPaxos", targets: ["MultiPaxos"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/onevcat/Rainbow", from: "4.2.2"),
        // API documentation: swift package generate-documentation --target QuorumCore
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // A cluster node's structured log and its metrics, served in Prometheus's text format.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // The engine: transition systems, invariants, the explorer, trace files.
        .target(name: "QuorumCore", dependencies: ["CPrefetch"]),
        // A cache prefetch, which Swift cannot ask for: one inline C function.
        .target(name: "CPrefetch"),
        // Client histories and their linearizability: what a running system's clients saw.
        .target(name: "QuorumHistory", dependencies: ["QuorumCore"]),
        // Z3 (Debian's libz3-dev) and the symbolic engines: prove, bmc, conform.
        .systemLibrary(name: "CZ3", pkgConfig: "z3", providers: [.apt(["libz3-dev"])]),
        .target(name: "QuorumZ3", dependencies: ["QuorumCore", "CZ3"]),
        // Protocols as pure transition functions, one target each; none needs Z3.
        .target(name: "Paxos", dependencies: ["QuorumCore"], path: "Specs/Paxos", exclude: ["README.md"]),
        .target(name: "Raft", dependencies: ["QuorumCore"], path: "Specs/Raft", exclude: ["README.md"]),
        // Raft's hand-written symbolic encoding (the other specs' are derived by QuorumZ3).
        .target(name: "RaftZ3", dependencies: ["Raft", "QuorumZ3"], path: "Specs/RaftZ3"),
        .target(name: "ResultBroadcast", dependencies: ["QuorumCore"], path: "Specs/ResultBroadcast", exclude: ["README.md"]),
        .target(name: "AuditLog", dependencies: ["QuorumCore"], path: "Specs/AuditLog", exclude: ["README.md"]),
        .target(name: "TwoPhaseCommit", dependencies: ["QuorumCore"], path: "Specs/TwoPhaseCommit", exclude: ["README.md"]),
        .target(name: "MultiPaxos", dependencies: ["QuorumCore"], path: "Specs/MultiPaxos", exclude: ["README.md"]),
        // The command-line interface as a library, so that tests can drive it.
        .target(
            name: "QuorumCLI",
            dependencies: [
                "QuorumCore", "QuorumZ3", "QuorumHistory", "Paxos", "Raft", "RaftZ3", "ResultBroadcast", "AuditLog", "TwoPhaseCommit", "MultiPaxos",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Rainbow", package: "Rainbow"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "quorum", dependencies: ["QuorumCLI"]),
        .target(name: "QuorumTesting", dependencies: ["QuorumCore"]),
        .testTarget(name: "QuorumTests", dependencies: ["QuorumCore", "QuorumZ3", "QuorumHistory", "Paxos", "Raft", "RaftZ3", "ResultBroadcast", "AuditLog", "TwoPhaseCommit", "MultiPaxos", "QuorumCLI", "QuorumTesting", "quorum"]),
    ],
    swiftLanguageModes: [.v6]
)
