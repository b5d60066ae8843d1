import QuorumTesting
import Testing
import TokenRing

@Test func mutualExclusionHoldsOnRingsOfTwoToEight() {
    for processes in 2...8 { expectHolds(TokenRing.spec, bounds: ["processes": processes]) }
}

@Test func enterWhenNextIsCaughtInTwoSteps() {
    expectCaught(TokenRing.spec, variant: "enterWhenNext", steps: 2)
}
