import QuorumCore
