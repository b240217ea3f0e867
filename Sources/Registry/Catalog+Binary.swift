// The binary layout of the catalog values inside commands. Each encode and its decode sit
// side by side and list the fields in the same order; that order is part of the log format
// and never changes (a change is a new codec version). Enum codes start at 1 so that a zeroed
// buffer never decodes.

extension Node: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(name)
        writer.writeString(address)
        writer.writeString(datacenter)
        writer.writeStringMap(taggedAddresses)
        writer.writeStringMap(meta)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            id: reader.readString(), name: reader.readString(), address: reader.readString(),
            datacenter: reader.readString(), taggedAddresses: reader.readStringMap(), meta: reader.readStringMap())
    }
}

extension ServiceAddress: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(address)
        writer.writeInt(port)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(address: reader.readString(), port: reader.readInt())
    }
}

extension Weights: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeInt(passing)
        writer.writeInt(warning)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(passing: reader.readInt(), warning: reader.readInt())
    }
}

extension Service: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(id)
        writer.writeString(name)
        writer.writeStrings(tags)
        writer.writeString(address)
        writer.writeMap(taggedAddresses) { $0.write($1) }
        writer.writeStringMap(meta)
        writer.writeInt(port)
        writer.write(weights)
        writer.writeBool(enableTagOverride)
        writer.writeString(kind)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            id: reader.readString(), name: reader.readString(), tags: reader.readStrings(),
            address: reader.readString(),
            taggedAddresses: reader.readMap { reader throws(CommandDecodingError) in try reader.read(ServiceAddress.self) },
            meta: reader.readStringMap(), port: reader.readInt(), weights: reader.read(Weights.self),
            enableTagOverride: reader.readBool(), kind: reader.readString())
    }
}

extension HealthStatus: WireCodedEnum {
    /// Wire codes; append-only.
    var binaryCode: UInt64 {
        switch self {
        case .passing: 1
        case .warning: 2
        case .critical: 3
        }
    }
}

extension CheckDefinition: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(http)
        writer.writeMap(header) { $0.writeStrings($1) }
        writer.writeString(method)
        writer.writeString(body)
        writer.writeString(tlsServerName)
        writer.writeBool(tlsSkipVerify)
        writer.writeString(tcp)
        writer.writeBool(tcpUseTLS)
        writer.writeString(udp)
        writer.writeString(grpc)
        writer.writeBool(grpcUseTLS)
        writer.writeString(h2ping)
        writer.writeBool(h2pingUseTLS)
        writer.writeStrings(args)
        writer.writeString(aliasNode)
        writer.writeString(aliasService)
        writer.writeOptionalVarInt(ttlNanoseconds)
        writer.writeOptionalVarInt(intervalNanoseconds)
        writer.writeOptionalVarInt(timeoutNanoseconds)
        writer.writeOptionalVarInt(deregisterCriticalServiceAfterNanoseconds)
        writer.writeInt(successBeforePassing)
        writer.writeInt(failuresBeforeWarning)
        writer.writeInt(failuresBeforeCritical)
        writer.writeInt(outputMaxSize)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            http: reader.readString(),
            header: reader.readMap { reader throws(CommandDecodingError) in try reader.readStrings() },
            method: reader.readString(), body: reader.readString(), tlsServerName: reader.readString(),
            tlsSkipVerify: reader.readBool(), tcp: reader.readString(), tcpUseTLS: reader.readBool(),
            udp: reader.readString(), grpc: reader.readString(), grpcUseTLS: reader.readBool(),
            h2ping: reader.readString(), h2pingUseTLS: reader.readBool(), args: reader.readStrings(),
            aliasNode: reader.readString(), aliasService: reader.readString(),
            ttlNanoseconds: reader.readOptionalVarInt(), intervalNanoseconds: reader.readOptionalVarInt(),
            timeoutNanoseconds: reader.readOptionalVarInt(),
            deregisterCriticalServiceAfterNanoseconds: reader.readOptionalVarInt(),
            successBeforePassing: reader.readInt(), failuresBeforeWarning: reader.readInt(),
            failuresBeforeCritical: reader.readInt(), outputMaxSize: reader.readInt())
    }
}

extension Check: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.writeString(checkID)
        writer.writeString(name)
        writer.write(status)
        writer.writeString(notes)
        writer.writeString(output)
        writer.writeString(serviceID)
        writer.writeString(serviceName)
        writer.writeStrings(serviceTags)
        writer.write(definition)
        writer.writeInt(exposedPort)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            node: reader.readString(), checkID: reader.readString(), name: reader.readString(),
            status: reader.read(HealthStatus.self), notes: reader.readString(), output: reader.readString(),
            serviceID: reader.readString(), serviceName: reader.readString(), serviceTags: reader.readStrings(),
            definition: reader.read(CheckDefinition.self), exposedPort: reader.readInt())
    }
}

extension CatalogRegistration: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.write(node)
        writer.writeOptional(of: service)
        writer.writeArray(of: checks)
        writer.writeBool(skipNodeUpdate)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            node: reader.read(Node.self), service: reader.readOptional(of: Service.self),
            checks: reader.readArray(of: Check.self), skipNodeUpdate: reader.readBool())
    }
}

extension CatalogDeregistration: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.writeOptionalString(serviceID)
        writer.writeOptionalString(checkID)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(node: reader.readString(), serviceID: reader.readOptionalString(), checkID: reader.readOptionalString())
    }
}

extension ServiceRegistration: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.write(service)
        writer.writeArray(of: checks)
        writer.writeBool(replaceExistingChecks)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            node: reader.readString(), service: reader.read(Service.self), checks: reader.readArray(of: Check.self),
            replaceExistingChecks: reader.readBool())
    }
}

extension CheckUpdate: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.writeString(checkID)
        writer.write(status)
        writer.writeString(output)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(
            node: reader.readString(), checkID: reader.readString(), status: reader.read(HealthStatus.self),
            output: reader.readString())
    }
}

extension NodeLiveness: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.write(status)
        writer.writeString(output)
        writer.writeString(owner)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(node: reader.readString(), status: reader.read(HealthStatus.self), output: reader.readString(), owner: reader.readString())
    }
}

extension TTLExpiry: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(node)
        writer.writeString(checkID)
        writer.writeString(output)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(node: reader.readString(), checkID: reader.readString(), output: reader.readString())
    }
}

extension ServiceConfigUpdate: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(serviceName)
        writer.writeString(environment)
        writer.writeString(config)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(serviceName: reader.readString(), environment: reader.readString(), config: reader.readString())
    }
}

extension LeaseGrant: BinaryCodable {
    func encode(to writer: inout BinaryWriter) {
        writer.writeString(leaseID)
        writer.writeString(serviceName)
        writer.writeVarUInt(ttlMilliseconds)
    }

    init(from reader: inout BinaryReader) throws(CommandDecodingError) {
        try self.init(leaseID: reader.readString(), serviceName: reader.readString(), ttlMilliseconds: reader.readVarUInt())
    }
}
