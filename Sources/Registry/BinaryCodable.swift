/// A value with a fixed binary layout inside commands. `init(from:)` reads exactly the fields
/// `encode(to:)` writes, in the same order; each conformance keeps the two side by side.
protocol BinaryCodable {
    /// Appends the value's fields.
    func encode(to writer: inout BinaryWriter)
    /// Reads the value's fields, refusing anything `encode(to:)` could not have written.
    init(from reader: inout BinaryReader) throws(CommandDecodingError)
}

/// An enum written as its append-only wire code (a varint); decoding refuses unknown codes.
protocol WireCodedEnum: BinaryCodable, CaseIterable {
    /// The case's wire code. Codes are append-only: never reuse or renumber one.
    var binaryCode: UInt64 { get }
}

extension WireCodedEnum {
    init?(binaryCode: UInt64) {
        guard let value = Self.allCases.first(where: { $0.binaryCode == binaryCode }) else { return nil }
        self = value
    }

    func encode(to writer: inout BinaryWriter) {
        writer.writeVarUInt(binaryCode)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        self = try reader.readCode(String(describing: Self.self), Self.init(binaryCode:))
    }
}
