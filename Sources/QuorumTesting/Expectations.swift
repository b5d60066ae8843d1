import QuorumCore
import Testing

/// Swift Testing helpers for a package's own specs: the checks `quorum check --all` makes, as
/// test expectations, so that a spec's tests fail with the property and the trace that broke it.
///
/// ```swift
/// import QuorumTesting
/// import Testing
/// import TokenRing
///
/// @Test func holds() { expectHolds(TokenRing.spec) }
/// @Test func mutantIsCaught() { expectCaught(TokenRing.spec, variant: "enterWhenNext", steps: 2) }
/// ```

/// Every property of `spec` holds over the whole state space at its CI bounds (over `bounds`):
/// the explorer and, where the spec has temporal properties, the temporal checker. Records an
/// issue naming each violated property and its trace, or the limit that cut the check short.
@discardableResult
public func expectHolds(_ spec: SpecDescriptor, bounds: [String: Int] = [:],
                        sourceLocation: SourceLocation = #_sourceLocation) -> CheckReport? {
    let values: [String: Int]
    do {
        values = try spec.resolve(bounds, base: spec.ciBounds)
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return nil
    }
    let report = spec.model(values).check(ExplorationOptions())
    #expect(report.result == .ok, "\(spec.name): \(summary(report))", sourceLocation: sourceLocation)
    return report
}

/// The variant is caught: the explorer finds the property it declares it breaks violated, at its
/// bounds, the trace replays against the spec and reproduces the violation, and (when `steps` is
/// given) the shortest trace has that many steps. Returns the trace.
@discardableResult
public func expectCaught(_ spec: SpecDescriptor, variant name: String, steps: Int? = nil,
                         sourceLocation: SourceLocation = #_sourceLocation) -> TraceDocument? {
    do {
        let variant = try spec.variant(named: name)
        let model = spec.model(try spec.resolve(variant.bounds, base: spec.ciBounds, variant: variant), variant: variant)
        var options = ExplorationOptions()
        options.stopOnceViolated = variant.breaks
        let report = model.check(options)
        guard let finding = report.findings.first(where: { $0.property == variant.breaks }) else {
            Issue.record("\(spec.name) [\(name)] was not caught violating \(variant.breaks): \(summary(report))",
                         sourceLocation: sourceLocation)
            return nil
        }
        #expect(try model.replay(finding.document).reproduced, "the trace does not replay", sourceLocation: sourceLocation)
        if let steps {
            #expect(finding.length == steps, "\(variant.breaks) violated after \(finding.length) steps, not \(steps)",
                    sourceLocation: sourceLocation)
        }
        return finding.document
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// What a report found, in a line.
private func summary(_ report: CheckReport) -> String {
    switch report.result {
    case .ok: return "ok, \(report.distinctStates) distinct states"
    case .incomplete: return "incomplete: \(report.incompleteReason ?? "a limit was reached")"
    case .violation:
        return report.findings.map { "\($0.property) violated after \($0.length) steps:\n\($0.document.text)" }.joined(separator: "\n")
    }
}

/// The spec's symmetry is sound on its first `states` reachable states (breadth first): every
/// image of a state (``TransitionSystem/forEachSymmetricImage(of:_:)``) has as successors the
/// images of the state's successors, under the same permutation, and satisfies the same
/// invariants. Symmetry reduction explores one state per class only under these two conditions,
/// so a spec that declares a symmetry (``DeclaredSystem/symmetricProcesses``) should test them.
public func expectSymmetric<System: TransitionSystem>(_ system: System, states: Int = 2_000,
                                                      sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(system.hasSymmetry, "the system declares no symmetry", sourceLocation: sourceLocation)
    var seen = Set(system.initialStates), queue = system.initialStates, next = 0
    while next < queue.count && seen.count < states {
        let s = queue[next]
        next += 1
        var actions: [System.Action] = []
        system.enabledActions(in: s, into: &actions)
        let successors = actions.map { system.apply($0, to: s) }
        for t in successors where system.isWithinBounds(t) && seen.insert(t).inserted { queue.append(t) }
        // The images of s and of each successor, permutation by permutation (the same order each time).
        var images: [System.State] = []
        system.forEachSymmetricImage(of: s) { images.append($0) }
        var successorImages = Array(repeating: Set<System.State>(), count: images.count)
        for t in successors {
            var k = 0
            system.forEachSymmetricImage(of: t) { successorImages[k].insert($0); k += 1 }
        }
        for (k, image) in images.enumerated() {
            var imageActions: [System.Action] = []
            system.enabledActions(in: image, into: &imageActions)
            let found = Set(imageActions.map { system.apply($0, to: image) })
            guard found == successorImages[k] else {
                Issue.record("image \(k) of a reachable state has \(found.count) successors where the images of the state's are \(successorImages[k].count): the renaming does not commute with the steps",
                             sourceLocation: sourceLocation)
                return
            }
            for invariant in system.invariants where invariant.holds(image, without: []) != invariant.holds(s, without: []) {
                Issue.record("\(invariant.name) tells image \(k) of a reachable state from the state", sourceLocation: sourceLocation)
                return
            }
        }
    }
}
