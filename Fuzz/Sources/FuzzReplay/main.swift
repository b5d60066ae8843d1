import FuzzCommon
import QuorumCLI

/// Every input as `UntrustedInput.replay` receives a file's bytes.
@_cdecl("FuzzReplay_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { _ = UntrustedInput.replay($0) }
}
