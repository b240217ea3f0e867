import HTTP
import Registry

/// Turns the body of `PUT /v1/txn` into operations (consul-api.md §2.5; hashicorp/consul
/// agent/txn_endpoint.go). The body is a JSON array of objects, each with one of `KV`, `Node`,
/// `Service`, `Check`; keys match in any letter case. Undecodable input is a 400
/// `Failed to parse body: ...`, too many operations or too large a value a 413, in Consul's words.
enum TxnRequestDecoder {
    static let prefix = "Failed to parse body: "

    static func decode(_ body: [UInt8]) throws(APIError) -> [TxnOperation] {
        let json: JSON
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw .badRequest(prefix + error.message)
        }
        guard case .array(let items) = json else {
            throw .badRequest(prefix + "json: cannot unmarshal \(BodyFields.kind(json)) into Go value of type api.TxnOps")
        }
        let limit = RegistryLimits.maxTxnOperations
        guard items.count <= limit else {
            throw APIError(.payloadTooLarge, "Transaction contains too many operations (\(items.count) > \(limit))")
        }
        var operations: [TxnOperation] = []
        for (opIndex, item) in items.enumerated() {
            operations.append(try reworded { () throws(APIError) in try operation(item, at: opIndex) })
        }
        assert(operations.count == items.count, "one operation per item")
        return operations
    }

    /// One item: the first of `KV`, `Node`, `Service`, `Check` it has, as Consul's convertOps
    /// looks at them.
    static func operation(_ item: JSON, at opIndex: Int) throws(APIError) -> TxnOperation {
        let op = try BodyFields(item, path: "TxnOp", goType: "api.TxnOp")
        if let kv = try op.object("KV") { return .kv(try kvOperation(kv, at: opIndex)) }
        if let node = try op.object("Node") { return .node(try TxnCatalogDecoder.node(node, at: opIndex)) }
        if let service = try op.object("Service") { return .service(try TxnCatalogDecoder.service(service, at: opIndex)) }
        if let check = try op.object("Check") { return .check(try TxnCatalogDecoder.check(check, at: opIndex)) }
        throw .badRequest(prefix + "operation \(opIndex) has none of KV, Node, Service, Check")
    }

    /// `{"Verb","Key","Value"(base64),"Flags","Index","Session"}`. Tree verbs take a prefix
    /// ("" is the whole store); the others a key.
    static func kvOperation(_ fields: BodyFields, at opIndex: Int) throws(APIError) -> TxnKVOperation {
        let verbText = try fields.string("Verb") ?? ""
        guard let verb = TxnKVVerb(rawValue: verbText) else {
            throw invalid(opIndex, "unknown KV verb \(BodyFields.goQuoted(verbText))")
        }
        let key = try fields.string("Key") ?? ""
        let value = try self.value(fields, at: opIndex)
        let limit = RegistryLimits.maxKVValueBytes
        guard value.count <= limit else {
            throw APIError(.payloadTooLarge, "Value for key \(BodyFields.goQuoted(key)) is too large (\(value.count) > \(limit) bytes)")
        }
        try validating(opIndex) { () throws(ValidationError) in
            if verb == .getTree || verb == .deleteTree {
                try KVEntry.validatePrefix(key)
            } else {
                try KVEntry.validateKey(key)
            }
        }
        let entry = KVEntry(key: key, flags: try unsigned(fields, "Flags") ?? 0, value: value)
        return TxnKVOperation(verb: verb, entry: entry, index: try unsigned(fields, "Index") ?? 0, session: try fields.string("Session"))
    }

    /// `Value` is base64, as Go encodes []byte; absent or null is empty.
    static func value(_ fields: BodyFields, at opIndex: Int) throws(APIError) -> [UInt8] {
        guard let text = try fields.string("Value") else { return [] }
        guard let bytes = Base64.decode(text) else {
            throw .badRequest(prefix + "illegal base64 data in KV.Value of operation \(opIndex)")
        }
        return bytes
    }

    /// A Go `uint64` field (Flags, Index, ModifyIndex); nil when absent or null.
    static func unsigned(_ fields: BodyFields, _ key: String) throws(APIError) -> UInt64? {
        guard let value = fields.json[key], value != .null else { return nil }
        switch value {
        case .int(let number) where number >= 0: return UInt64(number)
        case .double(let number) where number >= 0 && number < 0x1p64 && number == number.rounded(): return UInt64(number)
        default:
            throw .badRequest(prefix + "json: cannot unmarshal \(BodyFields.kind(value)) into Go struct field \(fields.path).\(key) of type uint64")
        }
    }

    /// An operation that decoded but that no store would take.
    static func invalid(_ opIndex: Int, _ message: String) -> APIError {
        .badRequest("Invalid transaction operation \(opIndex): \(message)")
    }

    /// Runs a Registry validation, reporting its failure against the operation.
    static func validating(_ opIndex: Int, _ validation: () throws(ValidationError) -> Void) throws(APIError) {
        do {
            try validation()
        } catch {
            throw invalid(opIndex, error.message)
        }
    }

    /// `BodyFields` words its refusals as the JSON-body endpoints do ("Request decode failed: ");
    /// Consul's txn endpoint says "Failed to parse body: ".
    static func reworded<T>(_ decode: () throws(APIError) -> T) throws(APIError) -> T {
        do {
            return try decode()
        } catch {
            let decodePrefix = BodyFields.refusal("").message
            guard error.status == .badRequest, error.message.hasPrefix(decodePrefix) else { throw error }
            throw .badRequest(prefix + error.message.dropFirst(decodePrefix.count))
        }
    }
}
