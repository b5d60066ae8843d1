import FuzzCommon
import QuorumCLI

/// Every input as `UntrustedInput.validate` receives a node log's bytes.
@_cdecl("FuzzValidate_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { _ = UntrustedInput.validate($0) }
}
