import HTTP
import Registry
import Store

/// `/v1/kv/*key`: reads, writes, locks and deletes of the KV store (consul-api.md §2.4;
/// hashicorp/consul agent/kvs_endpoint.go). The key is the rest of the path, percent-decoded
/// segment by segment, so it may hold '/' and may be empty (the whole store, for prefix reads).
enum KVEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/kv/*key", get)
        router.add("PUT", "/v1/kv/*key", put)
        router.add("DELETE", "/v1/kv/*key", delete)
    }

    // MARK: GET

    /// `?keys` lists keys, `?recurse` lists entries under a prefix, otherwise one key.
    static func get(_ context: ConsulContext) throws -> Reply {
        let key = context.parameters["key"] ?? ""
        if context.request.hasQuery("keys") { return try keys(context, prefix: key) }
        if context.request.hasQuery("recurse") { return try entries(context, prefix: key) }
        return try entry(context, key: key)
    }

    /// One key: `[DirEntry]`, or the bare value with `?raw`; a miss is a 404 with an empty body
    /// that still carries X-Consul-Index, so clients can block waiting for the key to appear.
    static func entry(_ context: ConsulContext, key: String) throws -> Reply {
        try validateKey(key)
        let (index, found) = try context.store.kvEntry(key: key)
        return context.read(index: index, watch: [.kv(key)]) {
            guard let found else { return HTTPResponse(status: .notFound) }
            if context.request.hasQuery("raw") { return rawValue(found.value.value) }
            return context.json(.array([KVJSON.entry(found)]))
        }
    }

    /// `?recurse`: the entries under the prefix, by key; none is a 404.
    static func entries(_ context: ConsulContext, prefix: String) throws -> Reply {
        try validatePrefix(prefix)
        let (index, entries) = try context.store.kvEntries(prefix: prefix)
        return context.read(index: index, watch: [.kv(prefix)]) {
            guard !entries.isEmpty else { return HTTPResponse(status: .notFound) }
            return context.json(.array(entries.map(KVJSON.entry)))
        }
    }

    /// `?keys[&separator=/]`: the keys under the prefix, cut after the separator. No keys is
    /// `[]` at the root and a 404 under a prefix, as in Consul. Consul also reads the misspelt
    /// `seperator`.
    static func keys(_ context: ConsulContext, prefix: String) throws -> Reply {
        try validatePrefix(prefix)
        let separator = context.request.queryValue("separator") ?? context.request.queryValue("seperator") ?? ""
        let (index, keys) = try context.store.kvKeys(prefix: prefix, separator: separator)
        return context.read(index: index, watch: [.kv(prefix)]) {
            guard !keys.isEmpty || prefix.isEmpty else { return HTTPResponse(status: .notFound) }
            return context.json(.array(keys.map { .string($0) }))
        }
    }

    /// The value as stored, with the headers Consul sends so a browser never runs it.
    static func rawValue(_ value: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: .ok, headers: HTTPHeaders([
            ("Content-Type", "text/plain"),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "sandbox"),
        ]), body: value)
    }

    // MARK: PUT

    /// Writes the body as the value: plain, `?cas=`, `?acquire=` or `?release=`; answers
    /// `true` / `false`. Checks run in Consul's order: key, conflicting flags, numbers, size.
    static func put(_ context: ConsulContext) throws -> Reply {
        let request = context.request
        let key = context.parameters["key"] ?? ""
        try validateKey(key)
        try KVQueryParameters.refuseConflicts(["cas", "acquire", "release"], in: request)
        let flags = try KVQueryParameters.unsigned("flags", in: request) ?? 0
        let cas = try KVQueryParameters.unsigned("cas", in: request)
        let size = request.body.count
        guard size <= RegistryLimits.maxKVValueBytes else {
            throw APIError(.payloadTooLarge, "Request body(\(size) bytes) too large, max size: \(RegistryLimits.maxKVValueBytes) bytes")
        }
        let entry = KVEntry(key: key, flags: flags, value: request.body)
        let operation: KVOperation
        if let cas {
            operation = .cas(entry, index: cas)
        } else if let session = request.queryValue("acquire") {
            operation = .lock(entry, session: session)
        } else if let session = request.queryValue("release") {
            operation = .unlock(entry, session: session)
        } else {
            operation = .set(entry)
        }
        return context.write(.kv(operation), respond: boolAnswer)
    }

    // MARK: DELETE

    /// Deletes one key, a whole prefix (`?recurse`, "" is everything) or, with `?cas=`, one key
    /// only at that ModifyIndex. Plain and recursive deletes answer `true` even when nothing was there.
    static func delete(_ context: ConsulContext) throws -> Reply {
        let request = context.request
        let key = context.parameters["key"] ?? ""
        try KVQueryParameters.refuseConflicts(["recurse", "cas"], in: request)
        let operation: KVOperation
        if request.hasQuery("recurse") {
            try validatePrefix(key)
            operation = .deleteTree(prefix: key)
        } else {
            try validateKey(key)
            if let cas = try KVQueryParameters.unsigned("cas", in: request) {
                operation = .deleteCAS(key: key, index: cas)
            } else {
                operation = .delete(key: key)
            }
        }
        return context.write(.kv(operation), respond: boolAnswer)
    }

    // MARK: Helpers

    /// KV writes answer `true` or `false`; refusals were turned into Consul's status by `write`.
    static func boolAnswer(_ result: ApplyResult) -> HTTPResponse {
        guard case .bool(let value) = result else { preconditionFailure("a KV write answered \(result), not a bool") }
        return .jsonBool(value)
    }

    /// A key for a single-key operation: "" is `Missing key name`, `..` segments are refused.
    static func validateKey(_ key: String) throws(APIError) {
        try BodyFields.validated { () throws(ValidationError) in try KVEntry.validateKey(key) }
    }

    /// A prefix for `?recurse` / `?keys`, where "" is the whole store.
    static func validatePrefix(_ prefix: String) throws(APIError) {
        try BodyFields.validated { () throws(ValidationError) in try KVEntry.validatePrefix(prefix) }
    }
}
