import FuzzCommon
import QuorumCLI

/// Every input as `UntrustedInput.show` receives a file's bytes.
@_cdecl("FuzzShow_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { _ = UntrustedInput.show($0) }
}
