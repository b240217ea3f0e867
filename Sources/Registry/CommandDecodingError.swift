/// Why bytes are not a command. Offsets count from the first byte of the encoding.
///
/// Every case means the same to a replica: this entry cannot be applied. `unknownTag` and
/// `unsupportedVersion` mean the entry was written by a newer Gravity; the rest mean corruption.
/// Either way the node must stop, not skip the entry.
public enum CommandDecodingError: Error, Sendable, Equatable {
    /// The first byte names a codec version this build does not know.
    case unsupportedVersion(UInt8)
    /// The tag names a command this build does not know.
    case unknownTag(UInt16)
    /// The bytes end before the value that starts at `offset` does.
    case truncated(offset: Int)
    /// Bytes are left after a complete command.
    case trailingBytes(count: Int)
    /// A varint is longer than 10 bytes, overflows 64 bits, or is not in its shortest form.
    case malformedVarint(offset: Int)
    /// A boolean or presence byte is neither 0 nor 1.
    case invalidFlag(offset: Int, byte: UInt8)
    /// A string is not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// A map's keys are not in strictly increasing byte order, or two keys are equal as Strings.
    case nonCanonicalMap(offset: Int)
    /// An enum discriminant (`type` names the enum) has no case with this code.
    case unknownCode(type: String, code: UInt64, offset: Int)
    /// An integer does not fit the field's Swift type.
    case integerOutOfRange(offset: Int)
}
