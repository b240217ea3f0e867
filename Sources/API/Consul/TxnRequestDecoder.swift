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
            throw .badRequest(prefix + "json: cannot unmarshal \(BodyReader.kind(of: json)) into Go value of type api.TxnOps")
        }
        let limit = RegistryLimits.maxTxnOperations
        guard items.count <= limit else {
            throw APIError(.payloadTooLarge, "Transaction contains too many operations (\(items.count) > \(limit))")
        }
        var operations: [TxnOperation] = []
        for (opIndex, item) in items.enumerated() {
            operations.append(try operation(item, at: opIndex))
        }
        assert(operations.count == items.count, "one operation per item")
        return operations
    }

    /// One item: the first of `KV`, `Node`, `Service`, `Check` it has, as Consul's convertOps
    /// looks at them.
    static func operation(_ item: JSON, at opIndex: Int) throws(APIError) -> TxnOperation {
        let op = try BodyReader(item, path: "api.TxnOp", prefix: prefix)
        if let kv = try op.object("KV", type: "api.KVTxnOp") { return .kv(try kvOperation(kv, at: opIndex)) }
        if let node = try op.object("Node", type: "api.NodeTxnOp") { return .node(try TxnCatalogDecoder.node(node, at: opIndex)) }
        if let service = try op.object("Service", type: "api.ServiceTxnOp") {
            return .service(try TxnCatalogDecoder.service(service, at: opIndex))
        }
        if let check = try op.object("Check", type: "api.CheckTxnOp") { return .check(try TxnCatalogDecoder.check(check, at: opIndex)) }
        throw .badRequest(prefix + "operation \(opIndex) has none of KV, Node, Service, Check")
    }

    /// `{"Verb","Key","Value"(base64),"Flags","Index","Session"}`. Tree verbs take a prefix
    /// ("" is the whole store); the others a key.
    static func kvOperation(_ fields: BodyReader, at opIndex: Int) throws(APIError) -> TxnKVOperation {
        let verbText = try fields.string("Verb") ?? ""
        guard let verb = TxnKVVerb(rawValue: verbText) else {
            throw invalid(opIndex, "unknown KV verb \(KVQueryParameters.quotedForGo(verbText))")
        }
        let key = try fields.string("Key") ?? ""
        let value = try self.value(fields, at: opIndex)
        let limit = RegistryLimits.maxKVValueBytes
        guard value.count <= limit else {
            throw APIError(.payloadTooLarge, "Value for key \(KVQueryParameters.quotedForGo(key)) is too large (\(value.count) > \(limit) bytes)")
        }
        do {
            if verb == .getTree || verb == .deleteTree {
                try KVEntry.validatePrefix(key)
            } else {
                try KVEntry.validateKey(key)
            }
        } catch {
            throw invalid(opIndex, error.message)
        }
        let entry = KVEntry(key: key, flags: try fields.uint64("Flags") ?? 0, value: value)
        return TxnKVOperation(verb: verb, entry: entry, index: try fields.uint64("Index") ?? 0, session: try fields.string("Session"))
    }

    /// `Value` is base64, as Go encodes []byte; absent or null is empty.
    static func value(_ fields: BodyReader, at opIndex: Int) throws(APIError) -> [UInt8] {
        guard let text = try fields.string("Value") else { return [] }
        guard let bytes = Base64.decode(text) else {
            throw .badRequest(prefix + "illegal base64 data in KV.Value of operation \(opIndex)")
        }
        return bytes
    }

    /// An operation that decoded but that no store would take.
    static func invalid(_ opIndex: Int, _ message: String) -> APIError {
        .badRequest("Invalid transaction operation \(opIndex): \(message)")
    }
}
