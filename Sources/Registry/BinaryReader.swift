/// Reads what `BinaryWriter` writes, and refuses anything it would not write: truncated values,
/// lengths beyond the end, overlong varints, flags other than 0 and 1, invalid UTF-8, unsorted
/// or duplicate map keys. Every length and count is checked against the bytes that remain before
/// anything is allocated, and arrays grow only as their elements decode, so memory stays
/// proportional to what was actually read.
struct BinaryReader {
    private let bytes: [UInt8]
    /// Index of the next byte to read.
    private(set) var offset = 0

    /// A reader at the start of `bytes`.
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Bytes not yet read.
    var remaining: Int { bytes.count - offset }

    /// One raw byte.
    mutating func readByte() throws(CommandDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// A fixed-width big-endian UInt16.
    mutating func readUInt16() throws(CommandDecodingError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated(offset: offset) }
        let high = UInt16(bytes[offset])
        let low = UInt16(bytes[offset + 1])
        offset += 2
        return high << 8 | low
    }

    /// An unsigned LEB128 varint in its shortest form.
    mutating func readVarUInt() throws(CommandDecodingError) -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        for index in 0..<10 {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7f)
            // The 10th byte carries only bit 63; anything more overflows.
            guard index < 9 || payload <= 1 else { throw .malformedVarint(offset: start) }
            value |= payload << UInt64(7 * index)
            if byte & 0x80 == 0 {
                // A zero last byte after the first one means a shorter form existed.
                guard index == 0 || payload != 0 else { throw .malformedVarint(offset: start) }
                assert(offset - start == index + 1 && offset <= bytes.count)
                return value
            }
        }
        throw .malformedVarint(offset: start)
    }

    /// A zigzag-mapped signed varint.
    mutating func readVarInt() throws(CommandDecodingError) -> Int64 {
        let zigzag = try readVarUInt()
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }

    /// A signed varint that must fit a Swift `Int`.
    mutating func readInt() throws(CommandDecodingError) -> Int {
        let start = offset
        guard let value = Int(exactly: try readVarInt()) else { throw .integerOutOfRange(offset: start) }
        return value
    }

    /// A byte that must be 0 or 1.
    mutating func readBool() throws(CommandDecodingError) -> Bool {
        let start = offset
        let byte = try readByte()
        guard byte <= 1 else { throw .invalidFlag(offset: start, byte: byte) }
        return byte == 1
    }

    /// A count of elements or bytes. Every element takes at least one byte, so a count larger
    /// than what remains is refused here, before any allocation.
    mutating func readCount() throws(CommandDecodingError) -> Int {
        let start = offset
        let count = try readVarUInt()
        guard count <= UInt64(remaining) else { throw .truncated(offset: start) }
        assert(offset + Int(count) <= bytes.count, "a count never reaches past the end")
        return Int(count)
    }

    /// A length-prefixed byte array.
    mutating func readBytes() throws(CommandDecodingError) -> [UInt8] {
        let count = try readCount()
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// A length-prefixed string that must be valid UTF-8.
    mutating func readString() throws(CommandDecodingError) -> String {
        let start = offset
        let count = try readCount()
        guard let text = String(strictUTF8: bytes[offset..<offset + count]) else {
            throw .invalidUTF8(offset: start)
        }
        offset += count
        return text
    }

    /// A presence byte, then the value when present.
    mutating func readOptional<T>(
        _ readValue: (inout BinaryReader) throws(CommandDecodingError) -> T
    ) throws(CommandDecodingError) -> T? {
        guard try readBool() else { return nil }
        return try readValue(&self)
    }

    /// A count, then that many elements.
    mutating func readArray<T>(
        _ readElement: (inout BinaryReader) throws(CommandDecodingError) -> T
    ) throws(CommandDecodingError) -> [T] {
        let count = try readCount()
        var values: [T] = []
        // An element may be hundreds of bytes in memory but one byte on the wire, so reserving
        // `count` could turn garbage into a huge allocation; the array grows as elements decode.
        values.reserveCapacity(Swift.min(count, 16))
        for _ in 0..<count { values.append(try readElement(&self)) }
        return values
    }

    /// A count, then pairs whose keys strictly increase in byte order.
    mutating func readMap<V>(
        _ readValue: (inout BinaryReader) throws(CommandDecodingError) -> V
    ) throws(CommandDecodingError) -> [String: V] {
        let count = try readCount()
        var map: [String: V] = [:]
        var previous: String?
        for _ in 0..<count {
            let start = offset
            let key = try readString()
            // Two different byte strings can be one String (canonical equivalence), so the
            // dictionary is checked too, not only the byte order.
            guard previous.map({ utf8Precedes($0, key) }) ?? true, map[key] == nil else {
                throw .nonCanonicalMap(offset: start)
            }
            map[key] = try readValue(&self)
            previous = key
        }
        return map
    }

    /// A value that knows its own layout.
    mutating func read<T: BinaryCodable>(_ type: T.Type = T.self) throws(CommandDecodingError) -> T {
        try T(from: &self)
    }

    /// An array of strings.
    mutating func readStrings() throws(CommandDecodingError) -> [String] {
        try readArray { reader throws(CommandDecodingError) in try reader.readString() }
    }

    /// A map of strings.
    mutating func readStringMap() throws(CommandDecodingError) -> [String: String] {
        try readMap { reader throws(CommandDecodingError) in try reader.readString() }
    }

    /// An optional string.
    mutating func readOptionalString() throws(CommandDecodingError) -> String? {
        try readOptional { reader throws(CommandDecodingError) in try reader.readString() }
    }

    /// An optional signed 64-bit integer.
    mutating func readOptionalVarInt() throws(CommandDecodingError) -> Int64? {
        try readOptional { reader throws(CommandDecodingError) in try reader.readVarInt() }
    }

    /// An enum discriminant: a varint that `decode` maps to a case, or nil for unknown codes.
    mutating func readCode<T>(_ type: String, _ decode: (UInt64) -> T?) throws(CommandDecodingError) -> T {
        let start = offset
        let code = try readVarUInt()
        guard let value = decode(code) else { throw .unknownCode(type: type, code: code, offset: start) }
        return value
    }

    /// Succeeds only when every byte was read.
    func finish() throws(CommandDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(count: remaining) }
    }
}

extension BinaryReader {
    /// An array of values that know their own layout.
    mutating func readArray<T: BinaryCodable>(of type: T.Type) throws(CommandDecodingError) -> [T] {
        try readArray { reader throws(CommandDecodingError) in try T(from: &reader) }
    }

    /// An optional value that knows its own layout.
    mutating func readOptional<T: BinaryCodable>(of type: T.Type) throws(CommandDecodingError) -> T? {
        try readOptional { reader throws(CommandDecodingError) in try T(from: &reader) }
    }
}
