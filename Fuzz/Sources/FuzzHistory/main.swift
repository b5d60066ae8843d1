import FuzzCommon
import QuorumCLI

/// Every input as `UntrustedInput.history` receives a history file's bytes.
@_cdecl("FuzzHistory_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { _ = UntrustedInput.history($0) }
}
