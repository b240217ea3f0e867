/// A value read back from the store with the Raft indexes of its creation and last change
/// (Consul's `CreateIndex` / `ModifyIndex`). "Index" is always a Raft index.
public struct Indexed<Value> {
    /// The stored value.
    public var value: Value
    /// Index of the entry that created the row.
    public var createIndex: UInt64
    /// Index of the entry that last changed the row; never before `createIndex`.
    public var modifyIndex: UInt64

    /// Wraps a stored value. A row cannot change before it exists: `createIndex <= modifyIndex`.
    public init(value: Value, createIndex: UInt64, modifyIndex: UInt64) {
        precondition(createIndex <= modifyIndex, "a row cannot be modified before it is created")
        self.value = value
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
    }
}

extension Indexed: Sendable where Value: Sendable {}
extension Indexed: Equatable where Value: Equatable {}
