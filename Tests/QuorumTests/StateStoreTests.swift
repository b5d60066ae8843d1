import Testing
@testable import QuorumCore

@Suite struct StateStoreTests {
    /// A state whose fingerprint is the same for every value: every lookup meets every other
    /// state's tag, and only the comparison of full states tells them apart.
    struct Clash: Hashable, Fingerprintable {
        var x: Int
        func fingerprint<H: FingerprintHasher>(into f: inout H) { f.combine(0) }
    }

    @Test func statesAreFoundByValueEvenWhenTheirFingerprintsCollide() {
        var store = StateStore<Clash>()
        for x in 0..<3_000 {
            let (id, inserted) = store.insert(Clash(x: x))
            #expect(inserted && id == x)
        }
        #expect(store.count == 3_000)
        #expect(store.insert(Clash(x: 1_234)) == (1_234, false))
        #expect(store.id(of: Clash(x: 2_999)) == 2_999)
        #expect(store.id(of: Clash(x: 3_000)) == nil)
        #expect(store[17] == Clash(x: 17))
    }

    @Test func aStoreGrowsAndKeepsEveryNumber() {
        struct Spread: Hashable, Fingerprintable {
            var x: Int
            func fingerprint<H: FingerprintHasher>(into f: inout H) { f.combine(x) }
        }
        var store = StateStore<Spread>()
        for x in 0..<100_000 { store.insert(Spread(x: x * 7)) }
        #expect((0..<100_000).allSatisfy { store.id(of: Spread(x: $0 * 7)) == $0 })
        #expect(store.id(of: Spread(x: 1)) == nil)
    }
}
