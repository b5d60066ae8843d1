// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for the inputs Quorum reads from files. Not part of Quorum's own package, so
/// that the sanitizer flags never reach a package that depends on Quorum. Build and run:
///
///     swift build --package-path Fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
///     Fuzz/.build/debug/FuzzReplay -max_total_time=60 CORPUS_DIR
///
/// (see Fuzz/README.md).
let package = Package(
    name: "QuorumFuzz",
    dependencies: [.package(name: "Quorum", path: "..")],
    targets: [.target(name: "CFuzz"), .target(name: "FuzzCommon", dependencies: ["CFuzz"])]
        + ["FuzzReplay", "FuzzPlan", "FuzzShow", "FuzzValidate", "FuzzHistory"].map { name in
            .executableTarget(name: name, dependencies: ["FuzzCommon", .product(name: "QuorumCLI", package: "Quorum")])
        }
)
