/// Appends values in the Registry's binary format (see `Command+Codec.swift` for the layout).
///
/// The format is canonical: one value has exactly one encoding. Unsigned integers are LEB128
/// varints in their shortest form, signed ones zigzag first; strings and byte arrays are a
/// varint length then the bytes; arrays a varint count then the elements; optionals a presence
/// byte (0 or 1) then the value; maps a count then pairs in increasing key byte order, so the
/// bytes never depend on Dictionary order.
struct BinaryWriter {
    /// Everything written so far.
    private(set) var bytes: [UInt8] = []

    /// Room for a typical command (a registration is about 100 bytes), so that writing one
    /// does not grow the array seven times.
    init() {
        bytes.reserveCapacity(256)
    }

    /// One raw byte.
    mutating func writeByte(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// A fixed-width big-endian UInt16 (the command tag).
    mutating func writeUInt16(_ value: UInt16) {
        bytes.append(UInt8(value >> 8))
        bytes.append(UInt8(value & 0xff))
    }

    /// An unsigned LEB128 varint, 1 to 10 bytes.
    mutating func writeVarUInt(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7f) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    /// A signed integer, zigzag-mapped so small magnitudes stay short.
    mutating func writeVarInt(_ value: Int64) {
        writeVarUInt(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// A Swift `Int`, as a signed 64-bit varint.
    mutating func writeInt(_ value: Int) {
        writeVarInt(Int64(value))
    }

    /// A boolean as one byte, 0 or 1.
    mutating func writeBool(_ value: Bool) {
        bytes.append(value ? 1 : 0)
    }

    /// A count of elements or bytes.
    mutating func writeCount(_ count: Int) {
        precondition(count >= 0, "counts are never negative")
        writeVarUInt(UInt64(count))
    }

    /// A length-prefixed byte array.
    mutating func writeBytes(_ value: [UInt8]) {
        writeCount(value.count)
        bytes.append(contentsOf: value)
    }

    /// A length-prefixed UTF-8 string.
    mutating func writeString(_ value: String) {
        writeCount(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    /// A presence byte, then the value when there is one.
    mutating func writeOptional<T>(_ value: T?, _ writeValue: (inout BinaryWriter, T) -> Void) {
        writeBool(value != nil)
        if let value { writeValue(&self, value) }
    }

    /// A count, then each element in order.
    mutating func writeArray<T>(_ values: [T], _ writeElement: (inout BinaryWriter, T) -> Void) {
        writeCount(values.count)
        for value in values { writeElement(&self, value) }
    }

    /// A count, then key and value pairs in increasing key byte order.
    mutating func writeMap<V>(_ map: [String: V], _ writeValue: (inout BinaryWriter, V) -> Void) {
        writeCount(map.count)
        let keys = map.keysInByteOrder
        assert(keys.count == map.count)
        for key in keys {
            writeString(key)
            writeValue(&self, map[key]!)  // the key comes from the map itself
        }
    }

    /// A value that knows its own layout.
    mutating func write<T: BinaryCodable>(_ value: T) {
        value.encode(to: &self)
    }

    /// Convenience for the common element types.
    mutating func writeStrings(_ values: [String]) {
        writeArray(values) { $0.writeString($1) }
    }

    /// A map of strings.
    mutating func writeStringMap(_ map: [String: String]) {
        writeMap(map) { $0.writeString($1) }
    }

    /// An optional string.
    mutating func writeOptionalString(_ value: String?) {
        writeOptional(value) { $0.writeString($1) }
    }

    /// An optional signed 64-bit integer.
    mutating func writeOptionalVarInt(_ value: Int64?) {
        writeOptional(value) { $0.writeVarInt($1) }
    }
}

extension BinaryWriter {
    /// An array of values that know their own layout.
    mutating func writeArray<T: BinaryCodable>(of values: [T]) {
        writeArray(values) { $0.write($1) }
    }

    /// An optional value that knows its own layout.
    mutating func writeOptional<T: BinaryCodable>(of value: T?) {
        writeOptional(value) { $0.write($1) }
    }
}
