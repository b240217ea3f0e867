/// A value with a fixed binary layout inside commands. `init(from:)` reads exactly the fields
/// `encode(to:)` writes, in the same order; each conformance keeps the two side by side.
protocol BinaryCodable {
    /// Appends the value's fields.
    func encode(to writer: inout BinaryWriter)
    /// Reads the value's fields, refusing anything `encode(to:)` could not have written.
    init(from reader: inout BinaryReader) throws(CommandDecodingError)
}
