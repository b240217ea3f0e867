// The log format of a command:
//
//   byte 0      codec version (1)
//   bytes 1-2   tag, big-endian UInt16 (the table in Command.swift)
//   bytes 3...  the case's fields, in the order `encodeFields` writes them, in the canonical
//               layout of BinaryWriter (varints, length-prefixed UTF-8, sorted maps)
//
// Decoding refuses anything encoding could not have produced, so for any bytes that decode,
// encoding the result gives the same bytes back (CommandCodecRobustnessTests checks this on
// garbage).

extension Command {
    /// The codec version this build writes and the only one it reads.
    public static let codecVersion: UInt8 = 1

    /// The command's bytes for the Raft log. Deterministic: equal commands built in any way
    /// (dictionaries filled in any order) encode to the same bytes. In debug builds, asserts that
    /// the bytes decode back to this command.
    public func encode() -> [UInt8] {
        var writer = BinaryWriter()
        writer.writeByte(Self.codecVersion)
        writer.writeUInt16(tag.rawValue)
        encodeFields(to: &writer)
        let bytes = writer.bytes
        assert(Self.decodesBack(bytes, to: self), "Command.encode() wrote bytes that do not decode back to \(tag)")
        return bytes
    }

    /// Reads a command from log bytes. Never traps, whatever the bytes, and allocates only in
    /// proportion to what it actually decodes (every length and count is checked against the
    /// bytes left). `unknownTag` and `unsupportedVersion` mean a newer writer; the caller must
    /// stop applying (and voting) rather than skip the entry.
    public static func decode(_ bytes: [UInt8]) throws(CommandDecodingError) -> Command {
        var reader = BinaryReader(bytes)
        let version = try reader.readByte()
        guard version == codecVersion else { throw .unsupportedVersion(version) }
        let rawTag = try reader.readUInt16()
        guard let tag = Tag(rawValue: rawTag) else { throw .unknownTag(rawTag) }
        let command = try decodeFields(of: tag, from: &reader)
        try reader.finish()
        assert(command.tag == tag)
        return command
    }

    /// For the debug assertion in `encode()`.
    private static func decodesBack(_ bytes: [UInt8], to command: Command) -> Bool {
        // The error is dropped on purpose: any failure means "does not decode back", which is
        // exactly what the assertion reports.
        (try? decode(bytes)) == command
    }

    private func encodeFields(to writer: inout BinaryWriter) {
        switch self {
        case .catalogRegister(let registration):
            writer.write(registration)
        case .catalogDeregister(let deregistration):
            writer.write(deregistration)
        case .serviceRegister(let registration):
            writer.write(registration)
        case .serviceDeregister(let node, let serviceID):
            writer.writeString(node)
            writer.writeString(serviceID)
        case .checkRegister(let check):
            writer.write(check)
        case .checkDeregister(let node, let checkID):
            writer.writeString(node)
            writer.writeString(checkID)
        case .checkUpdate(let update):
            writer.write(update)
        case .kv(let operation):
            writer.write(operation)
        case .sessionCreate(let session, let nowMilliseconds):
            writer.write(session)
            writer.writeVarUInt(nowMilliseconds)
        case .sessionDestroy(let id):
            writer.writeString(id)
        case .sessionRenew(let id, let nowMilliseconds):
            writer.writeString(id)
            writer.writeVarUInt(nowMilliseconds)
        case .txn(let operations):
            writer.writeArray(of: operations)
        case .eventFire(let event):
            writer.write(event)
        case .ttlExpired(let expiry):
            writer.write(expiry)
        case .configPut(let update):
            writer.write(update)
        case .configDelete(let serviceName):
            writer.writeString(serviceName)
        case .leaseGrant(let grant):
            writer.write(grant)
        case .leaseRelease(let leaseID, let serviceName, let serviceID):
            writer.writeString(leaseID)
            writer.writeString(serviceName)
            writer.writeString(serviceID)
        case .checkResult(let update):
            writer.write(update)
        case .nodeLiveness(let liveness):
            writer.write(liveness)
        }
    }

    private static func decodeFields(of tag: Tag, from reader: inout BinaryReader) throws(CommandDecodingError) -> Command {
        switch tag {
        case .catalogRegister: try .catalogRegister(reader.read())
        case .catalogDeregister: try .catalogDeregister(reader.read())
        case .serviceRegister: try .serviceRegister(reader.read())
        case .serviceDeregister: try .serviceDeregister(node: reader.readString(), serviceID: reader.readString())
        case .checkRegister: try .checkRegister(reader.read())
        case .checkDeregister: try .checkDeregister(node: reader.readString(), checkID: reader.readString())
        case .checkUpdate: try .checkUpdate(reader.read())
        case .kv: try .kv(reader.read())
        case .sessionCreate: try .sessionCreate(reader.read(), nowMilliseconds: reader.readVarUInt())
        case .sessionDestroy: try .sessionDestroy(id: reader.readString())
        case .sessionRenew: try .sessionRenew(id: reader.readString(), nowMilliseconds: reader.readVarUInt())
        case .txn: try .txn(reader.readArray(of: TxnOperation.self))
        case .eventFire: try .eventFire(reader.read())
        case .ttlExpired: try .ttlExpired(reader.read())
        case .configPut: try .configPut(reader.read())
        case .configDelete: try .configDelete(serviceName: reader.readString())
        case .leaseGrant: try .leaseGrant(reader.read())
        case .leaseRelease: try .leaseRelease(leaseID: reader.readString(), serviceName: reader.readString(), serviceID: reader.readString())
        case .checkResult: try .checkResult(reader.read())
        case .nodeLiveness: try .nodeLiveness(reader.read())
        }
    }
}
