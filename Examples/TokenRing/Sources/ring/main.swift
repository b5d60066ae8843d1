import QuorumCLI
import TokenRing

QuorumCLI.main(specs: [TokenRing.spec])
