import CFuzz
import Foundation

/// The input handler of this process's target: libFuzzer's callbacks are C functions and cannot
/// capture it, so it is set once, before the driver starts, and only read afterwards.
nonisolated(unsafe) private var handler: (Data) -> Void = { _ in }

/// libFuzzer's per-input entry point, for the driver and for `Fuzz<Target> file...` runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    handler(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

/// Runs libFuzzer's driver with the command line, feeding every input to `body`. A target's
/// entry point (SwiftPM links `main` to `<Target>_main`) calls this.
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ body: @escaping (Data) -> Void) -> CInt {
    handler = body
    var argc = argc, argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOne(data, size) }
}
