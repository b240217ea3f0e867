// The binary layout of KV values, KV operations and transactions inside commands. Fields and
// codes are part of the log format: append-only, never renumbered. Codes start at 1.

extension KVEntry: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(key)
        writer.writeVarUInt(flags)
        writer.writeBytes(value)
        writer.writeOptionalString(session)
        writer.writeVarUInt(lockIndex)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            key: reader.readString(), flags: reader.readVarUInt(), value: reader.readBytes(),
            session: reader.readOptionalString(), lockIndex: reader.readVarUInt())
    }
}

extension KVOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        switch self {
        case .set(let entry):
            writer.writeVarUInt(1)
            writer.write(entry)
        case .cas(let entry, let index):
            writer.writeVarUInt(2)
            writer.write(entry)
            writer.writeVarUInt(index)
        case .lock(let entry, let session):
            writer.writeVarUInt(3)
            writer.write(entry)
            writer.writeString(session)
        case .unlock(let entry, let session):
            writer.writeVarUInt(4)
            writer.write(entry)
            writer.writeString(session)
        case .delete(let key):
            writer.writeVarUInt(5)
            writer.writeString(key)
        case .deleteCAS(let key, let index):
            writer.writeVarUInt(6)
            writer.writeString(key)
            writer.writeVarUInt(index)
        case .deleteTree(let prefix):
            writer.writeVarUInt(7)
            writer.writeString(prefix)
        }
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        let start = reader.offset
        let code = try reader.readVarUInt()
        switch code {
        case 1: self = try .set(reader.read())
        case 2: self = try .cas(reader.read(), index: reader.readVarUInt())
        case 3: self = try .lock(reader.read(), session: reader.readString())
        case 4: self = try .unlock(reader.read(), session: reader.readString())
        case 5: self = try .delete(key: reader.readString())
        case 6: self = try .deleteCAS(key: reader.readString(), index: reader.readVarUInt())
        case 7: self = try .deleteTree(prefix: reader.readString())
        default: throw .unknownCode(type: "KVOperation", code: code, offset: start)
        }
    }
}

extension TxnKVVerb: WireCodedEnum {
    /// Wire codes; append-only.
    var binaryCode: UInt64 {
        switch self {
        case .set: 1
        case .cas: 2
        case .lock: 3
        case .unlock: 4
        case .get: 5
        case .getTree: 6
        case .checkIndex: 7
        case .checkSession: 8
        case .checkNotExists: 9
        case .delete: 10
        case .deleteTree: 11
        case .deleteCAS: 12
        case .getOrEmpty: 13
        }
    }
}

extension TxnCatalogVerb: WireCodedEnum {
    /// Wire codes; append-only.
    var binaryCode: UInt64 {
        switch self {
        case .set: 1
        case .cas: 2
        case .get: 3
        case .delete: 4
        case .deleteCAS: 5
        }
    }
}

extension TxnKVOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.write(verb)
        writer.write(entry)
        writer.writeVarUInt(index)
        writer.writeOptionalString(session)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            verb: reader.read(TxnKVVerb.self), entry: reader.read(KVEntry.self), index: reader.readVarUInt(),
            session: reader.readOptionalString())
    }
}

extension TxnNodeOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.write(verb)
        writer.write(node)
        writer.writeVarUInt(index)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(verb: reader.read(TxnCatalogVerb.self), node: reader.read(Node.self), index: reader.readVarUInt())
    }
}

extension TxnServiceOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.write(verb)
        writer.writeString(node)
        writer.write(service)
        writer.writeVarUInt(index)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            verb: reader.read(TxnCatalogVerb.self), node: reader.readString(), service: reader.read(Service.self),
            index: reader.readVarUInt())
    }
}

extension TxnCheckOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.write(verb)
        writer.write(check)
        writer.writeVarUInt(index)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(verb: reader.read(TxnCatalogVerb.self), check: reader.read(Check.self), index: reader.readVarUInt())
    }
}

extension TxnOperation: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        switch self {
        case .kv(let operation):
            writer.writeVarUInt(1)
            writer.write(operation)
        case .node(let operation):
            writer.writeVarUInt(2)
            writer.write(operation)
        case .service(let operation):
            writer.writeVarUInt(3)
            writer.write(operation)
        case .check(let operation):
            writer.writeVarUInt(4)
            writer.write(operation)
        }
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        let start = reader.offset
        let code = try reader.readVarUInt()
        switch code {
        case 1: self = try .kv(reader.read())
        case 2: self = try .node(reader.read())
        case 3: self = try .service(reader.read())
        case 4: self = try .check(reader.read())
        default: throw .unknownCode(type: "TxnOperation", code: code, offset: start)
        }
    }
}
