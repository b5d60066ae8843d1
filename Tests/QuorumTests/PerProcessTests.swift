import Testing
import QuorumCore

/// `PerProcess`'s word-wide answers against their byte-by-byte definitions.
@Suite struct PerProcessTests {
    /// Random words (bytes anywhere in 0...255, so top bits set too) and words of a few small
    /// values, against every bound from below -1 to beyond the largest byte.
    @Test func allAtMostIsTheLargestByteAtMostTheBound() {
        var random = SeededGenerator(seed: 16)
        var words: [UInt64] = [0, .max, 0x0101_0101_0101_0101, 0x8000_0000_0000_0000, 0x0000_0000_0000_0080]
        for _ in 0..<2_000 { words.append(random.next()) }
        for _ in 0..<2_000 {
            var word: UInt64 = 0
            for k in 0..<8 { word |= (random.next() % 6) << UInt64(k * 8) }
            words.append(word)
        }
        var disagreements = 0, within = 0, beyond = 0
        for word in words {
            let terms = PerProcess<Int>(word: word)
            for bound in -3...257 {
                let fast = terms.allAtMost(bound)
                if fast != terms.allAtMostByBytes(bound) { disagreements += 1 }
                if fast { within += 1 } else { beyond += 1 }
            }
        }
        #expect(disagreements == 0)
        #expect(within > 100_000 && beyond > 100_000)
    }
}
