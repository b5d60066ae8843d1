import Foundation
import QuorumCLI

@main
struct Entry {
    static func main() {
        let code = QuorumCommand.run(Array(CommandLine.arguments.dropFirst()))
        fflush(nil)
        exit(code)
    }
}
