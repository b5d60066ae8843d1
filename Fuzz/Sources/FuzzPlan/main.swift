import CFuzz
import Foundation
import QuorumCLI

/// One input, as `UntrustedInput.plan` receives a file's bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    _ = UntrustedInput.plan(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// The executable's entry point (SwiftPM links `main` to `<target>_main`): libFuzzer's driver.
@_cdecl("FuzzPlan_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc, argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
