import FuzzCommon
import QuorumCLI

/// Every input as `UntrustedInput.plan` receives a file's bytes.
@_cdecl("FuzzPlan_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { _ = UntrustedInput.plan($0) }
}
