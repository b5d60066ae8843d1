import QuorumCLI

@main
struct Entry {
    static func main() { QuorumCLI.main(specs: []) }
}
