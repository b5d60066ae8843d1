/// A value that may name processes, renamed by a permutation of them: what symmetry reduction over
/// the processes (TLC's `SYMMETRY Permutations(Proc)`) asks of every declared variable.
///
/// There is no default: a type that names no process says so (enumerations, counts and booleans
/// do here), since an image that leaves a process unrenamed would merge states of different
/// classes and make `--symmetry` unsound.
public protocol ProcessPermutable {
    /// The value with process `i` renamed `p[i]`; a value per process moves the value of `i`
    /// to place `p[i]`.
    func permuted(_ p: [Int]) -> Self
}

extension ProcessID: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> ProcessID { ProcessID(p[index]) }
}

extension TraceEnum {
    /// An enumeration names no process.
    @inlinable public func permuted(_ p: [Int]) -> Self { self }
}

extension Bool: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> Bool { self }
}

extension ProcessCount: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> ProcessCount { self }
}

/// A value per process: process `i`'s value, renamed, becomes process `p[i]`'s.
extension Array: ProcessPermutable where Element: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> [Element] {
        var out = self
        for i in indices { out[p[i]] = self[i].permuted(p) }
        return out
    }
}

extension Set: ProcessPermutable where Element: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> Set<Element> {
        var out = Set<Element>(minimumCapacity: count)
        for e in self { out.insert(e.permuted(p)) }
        return out
    }
}

extension Optional: ProcessPermutable where Wrapped: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> Wrapped? { map { $0.permuted(p) } }
}

extension BoundedList: ProcessPermutable where Element: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> BoundedList<Element> { BoundedList(elements.map { $0.permuted(p) }) }
}

/// A bag's elements are renamed, and placed again in increasing order.
extension Bag: ProcessPermutable where Element: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> Bag<Element> {
        var out = Bag()
        for (e, n) in zip(elements, counts) {
            for _ in 0..<n { out.add(e.permuted(p)) }
        }
        return out
    }
}

/// A record is renamed field by field; every field must be ``ProcessPermutable``.
extension TraceRecord where Self: ProcessPermutable {
    @inlinable public func permuted(_ p: [Int]) -> Self {
        var out = self
        for field in Self.fields {
            guard let permute = field.permute else {
                preconditionFailure("\(Self.self).\(field.name) is not ProcessPermutable: the record cannot be renamed")
            }
            permute(&out, p)
        }
        return out
    }
}

extension DeclaredState {
    /// `state` with process `i` renamed `p[i]` in every variable.
    @inlinable public func permuted(_ p: [Int]) -> Self {
        var out = self
        // By index, not `for variable in`: that copies each variable's every closure.
        let variables = Self.variables
        for k in variables.indices {
            guard let permute = variables[k].permute else {
                preconditionFailure("variable \(variables[k].name) of \(Self.self) is not ProcessPermutable: the processes cannot be renamed")
            }
            permute(&out, p)
        }
        return out
    }

    /// The declared variables whose types cannot rename processes: none, for a state that a
    /// system with ``DeclaredSystem/symmetricProcesses`` may hold.
    public static var unpermutableVariables: [String] { variables.filter { $0.permute == nil }.map(\.name) }
}

extension DeclaredSystem {
    /// Declared symmetry over the processes: the images of a state are its renamings under every
    /// permutation of the processes, derived from the variables' declarations.
    @inlinable public var hasSymmetry: Bool { symmetricProcesses }

    @inlinable public func forEachSymmetricImage(of state: State, _ body: (State) -> Void) {
        guard symmetricProcesses else { return body(state) }
        for p in permutations(of: processNames.count) { body(state.permuted(p)) }
    }
}
