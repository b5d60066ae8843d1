/// A TLA+ record whose fields are declared once (``fields``), as a state declares its variables:
/// its trace value, reading it back (with each field's domain check), its fingerprint words and an
/// order for sets of it are derived from that list. TwoPhase.tla's messages are such records:
/// `[type |-> "Prepared", rm |-> r]`, `[type |-> "Commit"]`.
///
/// A field whose value is optional is left out of the record when it is nil, so one Swift type
/// holds records of several shapes, as a TLA+ set of messages does.
public protocol TraceRecord: TraceValue, Comparable {
    /// The value that reading a trace value overwrites field by field.
    init()
    static var fields: [RecordField<Self>] { get }
}

/// One declared field of a ``TraceRecord``: its name in traces and where the value keeps it.
///
/// As ``StateVariable`` does, it holds what the derived conformances do with the field as
/// closures made by `@inlinable` initialisers, compiled for the field's own type.
public struct RecordField<Record>: Sendable {
    public let name: String
    /// The field's trace value; nil for an optional field that is absent.
    @usableFromInline let write: @Sendable (Record, ProcessNames) -> ITFValue?
    /// Sets the field from its trace value (nil: the field is absent); false when the value is
    /// outside the field's type, or the field is absent and not optional.
    @usableFromInline let read: @Sendable (ITFValue?, inout Record, ProcessNames) -> Bool
    @usableFromInline let key: @Sendable (Record, inout FingerprintKey) -> Void
    @usableFromInline let hash: @Sendable (Record, inout Fingerprinter) -> Void
    /// Renames the processes in the field's value; nil when its type is not ``ProcessPermutable``.
    @usableFromInline var permute: (@Sendable (inout Record, [Int]) -> Void)? = nil

    @inlinable public init<Value: TraceValue & ProcessPermutable>(_ name: String, _ path: WritableKeyPath<Record, Value> & Sendable) {
        self.init(name, path, renamed: ())
        permute = { record, p in record[keyPath: path] = record[keyPath: path].permuted(p) }
    }

    @inlinable public init<Value: TraceValue & ProcessPermutable>(_ name: String, _ path: WritableKeyPath<Record, Value?> & Sendable) {
        self.init(name, path, renamed: ())
        permute = { record, p in record[keyPath: path] = record[keyPath: path]?.permuted(p) }
    }

    @inlinable public init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<Record, Value> & Sendable) {
        self.init(name, path, renamed: ())
    }

    @inlinable public init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<Record, Value?> & Sendable) {
        self.init(name, path, renamed: ())
    }

    @inlinable init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<Record, Value> & Sendable, renamed: Void) {
        self.name = name
        write = { record, names in record[keyPath: path].traceValue(names) }
        read = { value, record, names in
            guard let value, let x = Value(traceValue: value, names) else { return false }
            record[keyPath: path] = x
            return true
        }
        key = { record, f in record[keyPath: path].words(into: &f) }
        hash = { record, f in record[keyPath: path].words(into: &f) }
    }

    /// A field that only some records have: absent when nil. Its words say whether it is there
    /// (0, or 1 and the value's), so that the record's words stay self-delimiting.
    @inlinable init<Value: TraceValue>(_ name: String, _ path: WritableKeyPath<Record, Value?> & Sendable, renamed: Void) {
        self.name = name
        write = { record, names in record[keyPath: path]?.traceValue(names) }
        read = { value, record, names in
            guard let value else {
                record[keyPath: path] = nil
                return true
            }
            guard let x = Value(traceValue: value, names) else { return false }
            record[keyPath: path] = x
            return true
        }
        key = { record, f in RecordField.optionalWords(record[keyPath: path], &f) }
        hash = { record, f in RecordField.optionalWords(record[keyPath: path], &f) }
    }

    @inlinable static func optionalWords<Value: TraceValue, H: FingerprintHasher>(_ value: Value?, _ f: inout H) {
        if let value {
            f.combine(1)
            value.words(into: &f)
        } else {
            f.combine(0)
        }
    }
}

extension TraceRecord {
    @inlinable public func traceValue(_ processes: ProcessNames) -> ITFValue {
        .record(Self.fields.compactMap { field in field.write(self, processes).map { (field.name, $0) } })
    }

    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let record = Self.reading(traceValue, processes) else { return nil }
        self = record
    }

    /// The record whose fields are `traceValue`'s; nil when it names a field the type does not
    /// declare, lacks one that is not optional, or a field's value is outside its type.
    @inlinable static func reading(_ traceValue: ITFValue, _ processes: ProcessNames) -> Self? {
        guard case .record(let given) = traceValue else { return nil }
        let fields = Self.fields
        guard given.allSatisfy({ g in fields.contains { $0.name == g.name } }) else { return nil }
        var out = Self()
        for field in fields where !field.read(traceValue[field: field.name], &out, processes) { return nil }
        return out
    }

    /// Every field's words, in declaration order: injective because each field's words are.
    @inlinable public func words<H: FingerprintHasher>(into f: inout H) {
        if H.self == Fingerprinter.self {
            withUnsafeMutablePointer(to: &f) { p in
                p.withMemoryRebound(to: Fingerprinter.self, capacity: 1) { hasher in
                    for field in Self.fields { field.hash(self, &hasher.pointee) }
                }
            }
        } else {
            var key = FingerprintKey()
            for field in Self.fields { field.key(self, &key) }
            for word in key.words { f.combine(word) }
        }
    }

    /// Records in the order of their words: a total order, since the words are injective, which
    /// is all a set's words ask of it.
    @inlinable public static func < (a: Self, b: Self) -> Bool {
        a.recordKey.words.lexicographicallyPrecedes(b.recordKey.words)
    }

    @inlinable var recordKey: FingerprintKey {
        var key = FingerprintKey()
        for field in Self.fields { field.key(self, &key) }
        return key
    }
}

extension TraceRecord where Self: Enumerable {
    /// A well-formed record that the type's universe also holds (a Prepared message names an RM).
    @inlinable public init?(traceValue: ITFValue, _ processes: ProcessNames) {
        guard let record = Self.reading(traceValue, processes), record.position(processes) != nil else { return nil }
        self = record
    }
}
