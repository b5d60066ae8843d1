import QuorumCLI
import Raft
import QuorumCore
import Testing

/// Distinct states must never feed their fingerprint the same words: the explorer would keep one
/// of them and report "ok" without having checked the other. The printed collision probability
/// assumes random hashing and says nothing about such packing bugs, so every spec and every
/// variant is audited at its smallest and at its largest allowed sizes.
@Suite struct FingerprintTests {
    struct Configuration: CustomTestStringConvertible, Sendable {
        let spec: SpecDescriptor
        let variant: Variant?
        let size: String
        let values: [String: Int]
        var testDescription: String { "\(spec.name)\(variant.map { "-" + $0.name } ?? "") at its \(size) sizes" }
    }

    /// Every spec and variant, with every parameter at the bottom, then at the top, of its range.
    /// Where those values break a spec's assumptions, each parameter that does is moved towards its
    /// default until they hold.
    ///
    /// A fingerprint derived from declared variables is one derivation for the spec and all its
    /// variants, injective when each value type's words are: it is audited on the spec itself,
    /// with a smaller sample (see ``equalFingerprintKeysMeanEqualStates(_:)``).
    static let configurations: [Configuration] = Catalog.specs.flatMap { spec in
        let derived = (try? spec.resolve([:])).map { spec.model($0).derivesFingerprint } ?? false
        return ([nil] + (derived ? [] : spec.variants.map { v -> Variant? in v })).flatMap { (variant: Variant?) -> [Configuration] in
            [Configuration(spec: spec, variant: variant, size: "smallest", values: extreme(spec, variant, top: false)),
             Configuration(spec: spec, variant: variant, size: "largest", values: extreme(spec, variant, top: true)),
             Configuration(spec: spec, variant: variant, size: "widest", values: widest(spec, variant))]
        }
    }

    static func extreme(_ spec: SpecDescriptor, _ variant: Variant?, top: Bool) -> [String: Int] {
        var values = Dictionary(uniqueKeysWithValues: spec.parameters.map { ($0.name, top ? $0.range.upperBound : $0.range.lowerBound) })
        for _ in 0..<16 {
            if let resolved = try? spec.resolve(values, variant: variant) { return resolved }
            for p in spec.parameters where values[p.name]! != p.defaultValue {
                values[p.name]! += values[p.name]! < p.defaultValue ? 1 : -1
                if (try? spec.resolve(values, variant: variant)) != nil { break }
            }
        }
        return (try? spec.resolve(values, variant: variant)) ?? [:]
    }

    /// The most processes (the first parameter at the top of its range), other bounds at their
    /// defaults (or the variant's): small enough bounds that the walks reach every per-process field's extremes.
    static func widest(_ spec: SpecDescriptor, _ variant: Variant?) -> [String: Int] {
        let first = spec.parameters[0]
        let bounds = variant?.bounds ?? [:]
        return (try? spec.resolve([first.name: first.range.upperBound], base: bounds, variant: variant))
            ?? (try? spec.resolve(bounds, variant: variant)) ?? [:]
    }

    /// Variants share their spec's state and its packing, so states recombined from pairs of
    /// reached values (see ``auditFingerprints(of:maxStates:walks:depth:recombinations:seed:)``) are
    /// audited on the spec itself; every variant's own reachable states are audited too.
    @Test(arguments: configurations)
    func equalFingerprintKeysMeanEqualStates(_ c: Configuration) throws {
        try #require(!c.values.isEmpty, "no parameter values satisfy \(c.spec.name)'s assumptions")
        let model = c.spec.model(c.values, variant: c.variant)
        // A derived fingerprint's words are hand-written only for a spec's own message and record
        // types: a smaller sample checks them.
        let (states, walks) = model.derivesFingerprint ? (150, 10) : (2_000, 100)
        let audit = model.auditFingerprints(maxStates: states, walks: walks, depth: 60, recombinations: c.variant == nil ? 1 : 0)
        #expect(audit.states >= 1)
        #expect(audit.collisions.isEmpty, "\(c.values.sorted { $0.key < $1.key }): \(audit.collisions.first.map(\.description) ?? "")")
    }

    /// The pair of reachable Raft states that once shared a fingerprint at five servers: they differ
    /// only in s1's votesResponded ({s1..s4} against {s1..s5}) and votesGranted ({s1,s2,s3} against
    /// {s2,s4}), which the old packing folded into one word with overlapping bits.
    @Test func raftVoteSetsAtFiveServersAreKeptApart() {
        var a = RaftState(servers: 5), b = RaftState(servers: 5)
        a.votesResponded[0] = 0b01111
        a.votesGranted[0] = 0b00111
        b.votesResponded[0] = 0b11111
        b.votesGranted[0] = 0b01010
        #expect(a != b)
        #expect(a.fingerprintKey != b.fingerprintKey)
        #expect(a.fingerprint != b.fingerprint)
    }

    @Test func aKeyIsTheWordsFedInOrder() {
        var k = FingerprintKey()
        k.combine(1)
        k.combine(UInt64(2))
        #expect(k.words == [1, 2])
    }
}
