// The binary layout of sessions and user events inside commands. Fields and codes are part of
// the log format: append-only, never renumbered. Codes start at 1.

extension SessionBehavior: WireCodedEnum {
    /// Wire codes; append-only.
    var binaryCode: UInt64 {
        switch self {
        case .release: 1
        case .delete: 2
        }
    }
}

extension ServiceCheckRef: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(namespace)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(id: reader.readString(), namespace: reader.readString())
    }
}

extension Session: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(name)
        writer.writeString(node)
        writer.writeStrings(nodeChecks)
        writer.writeArray(of: serviceChecks)
        writer.writeVarInt(lockDelayNanoseconds)
        writer.write(behavior)
        writer.writeOptionalVarInt(ttlNanoseconds)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            id: reader.readString(), name: reader.readString(), node: reader.readString(),
            nodeChecks: reader.readStrings(), serviceChecks: reader.readArray(of: ServiceCheckRef.self),
            lockDelayNanoseconds: reader.readVarInt(), behavior: reader.read(SessionBehavior.self),
            ttlNanoseconds: reader.readOptionalVarInt())
    }
}

extension UserEvent: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(name)
        writer.writeBytes(payload)
        writer.writeString(nodeFilter)
        writer.writeString(serviceFilter)
        writer.writeString(tagFilter)
        writer.writeVarUInt(ltime)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            id: reader.readString(), name: reader.readString(), payload: reader.readBytes(),
            nodeFilter: reader.readString(), serviceFilter: reader.readString(), tagFilter: reader.readString(),
            ltime: reader.readVarUInt())
    }
}
