import Registry

/// Turns the optional body of `PUT /v1/session/create` into a `Session` (consul-api.md §1.3,
/// §2.6; hashicorp/consul agent/session_endpoint.go and structs.Session's JSON decoding).
///
/// Defaults: Node = this agent, NodeChecks = [serfHealth] unless the body has a `Checks` or
/// `NodeChecks` key at all (an explicit `[]` or `null` binds no node check, as Patroni relies
/// on), LockDelay 15 s, Behavior release, no TTL. Keys match in any letter case.
enum SessionRequestDecoder {
    /// Lock delays below this many nanoseconds are seconds: clients send `15` meaning 15 s.
    static let lockDelaySecondsThreshold: Int64 = 1000

    static let prefix = "Request decode failed: "

    /// The session to create. `body` may be empty (all defaults). Malformed JSON, values of the
    /// wrong kind and unparsable durations are 400s; range checks are `Session.validate`'s.
    static func decode(_ body: [UInt8], id: String, defaultNode: String) throws(APIError) -> Session {
        var session = Session(id: id, node: defaultNode)
        guard !body.allSatisfy(isWhitespace) else { return session }
        let json: JSON
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw .badRequest(prefix + error.message)
        }
        let fields = try BodyReader(json, path: "structs.Session", prefix: prefix)
        if let name = try fields.string("Name") { session.name = name }
        if let node = try fields.string("Node") { session.node = node }
        if let behavior = try fields.string("Behavior") { session.behavior = try parseBehavior(behavior) }
        if let delay = try fields.duration("LockDelay") { session.lockDelayNanoseconds = lockDelay(delay) }
        if fields.has("TTL") { session.ttlNanoseconds = try ttl(fields) }
        session.nodeChecks = try nodeChecks(fields, default: session.nodeChecks)
        session.serviceChecks = try serviceChecks(fields)
        return session
    }

    /// Consul converts small lock delays to seconds (structs.Session.UnmarshalJSON).
    static func lockDelay(_ nanoseconds: Int64) -> Int64 {
        guard nanoseconds >= 0, nanoseconds < lockDelaySecondsThreshold else { return nanoseconds }
        return nanoseconds * RegistryLimits.nanosecondsPerSecond
    }

    /// `TTL` as Consul's text ("30s") or, leniently, nanoseconds. Unparsable text is a 400 in
    /// Consul's words; the range (10 s...24 h) is checked later, by `Session.validate`.
    static func ttl(_ fields: BodyReader) throws(APIError) -> Int64? {
        guard let value = fields.value("TTL") else { return nil }
        switch value {
        case .string(let text):
            if text.isEmpty { return nil }
            guard let nanoseconds = GoDuration.parseNanoseconds(text) else {
                throw .badRequest("Session TTL '\(text)' invalid: time: invalid duration \(KVQueryParameters.quotedForGo(text))")
            }
            return nanoseconds
        default:
            return try fields.duration("TTL")
        }
    }

    static func parseBehavior(_ text: String) throws(APIError) -> SessionBehavior {
        do {
            return try SessionBehavior.parse(text)
        } catch {
            throw .badRequest(error.message)
        }
    }

    /// `Checks` (the pre-1.7 name) and `NodeChecks` together, in order, without repeats; the
    /// default only when the body names neither.
    static func nodeChecks(_ fields: BodyReader, default defaults: [String]) throws(APIError) -> [String] {
        guard fields.has("Checks") || fields.has("NodeChecks") else { return defaults }
        var checks: [String] = []
        for id in try (fields.strings("Checks") ?? []) + (fields.strings("NodeChecks") ?? []) where !checks.contains(id) {
            checks.append(id)
        }
        return checks
    }

    /// `ServiceChecks: [{"ID": ..., "Namespace": ...}]`.
    static func serviceChecks(_ fields: BodyReader) throws(APIError) -> [ServiceCheckRef] {
        guard let value = fields.value("ServiceChecks") else { return [] }
        guard case .array(let items) = value else { throw fields.mismatch("ServiceChecks", value, "[]structs.ServiceCheck") }
        var checks: [ServiceCheckRef] = []
        for item in items {
            let check = try BodyReader(item, path: "structs.ServiceCheck", prefix: prefix)
            guard let id = try check.string("ID"), !id.isEmpty else {
                throw .badRequest(prefix + "ServiceChecks: every item needs an ID")
            }
            checks.append(ServiceCheckRef(id: id, namespace: try check.string("Namespace") ?? ""))
        }
        return checks
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
