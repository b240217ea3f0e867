import Registry

/// Turns the optional body of `PUT /v1/session/create` into a `Session` (consul-api.md §1.3,
/// §2.6; hashicorp/consul agent/session_endpoint.go and structs.Session's JSON decoding).
///
/// Defaults: Node = this agent, NodeChecks = [serfHealth] unless the body gives `Checks` or
/// `NodeChecks` (an explicit `[]` binds no node check, as Patroni relies on; `null` leaves the
/// default, as Go's decoder does), LockDelay 15 s, Behavior release, no TTL. Keys match in any
/// letter case.
enum SessionRequestDecoder {
    /// Lock delays below this many nanoseconds are seconds: clients send `15` meaning 15 s.
    static let lockDelaySecondsThreshold: Int64 = 1000

    /// The session to create. `body` may be empty (all defaults). Malformed JSON, values of the
    /// wrong kind and unparsable durations are 400s; range checks are `Session.validate`'s.
    static func decode(_ body: [UInt8], id: String, defaultNode: String) throws(APIError) -> Session {
        var session = Session(id: id, node: defaultNode)
        guard !body.allSatisfy(isWhitespace) else { return session }
        let json: JSON
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw BodyFields.refusal(error.message)
        }
        let fields = try BodyFields(json, path: "Session", goType: "structs.Session")
        if let name = try fields.string("Name") { session.name = name }
        if let node = try fields.string("Node") { session.node = node }
        if let behavior = try fields.string("Behavior") {
            session.behavior = try BodyFields.validated { () throws(ValidationError) in try SessionBehavior.parse(behavior) }
        }
        if let delay = try fields.duration("LockDelay") { session.lockDelayNanoseconds = lockDelay(delay) }
        session.ttlNanoseconds = try ttl(fields)
        session.nodeChecks = try nodeChecks(fields, default: session.nodeChecks)
        session.serviceChecks = try serviceChecks(fields)
        assert(session.id == id, "the leader's ID is the session's")
        return session
    }

    /// Consul converts small lock delays to seconds (structs.Session.UnmarshalJSON).
    static func lockDelay(_ nanoseconds: Int64) -> Int64 {
        guard nanoseconds >= 0, nanoseconds < lockDelaySecondsThreshold else { return nanoseconds }
        return nanoseconds * RegistryLimits.nanosecondsPerSecond
    }

    /// `TTL` as Consul's text ("30s") or, leniently, nanoseconds; "" is none. Unparsable text is
    /// a 400 in Consul's words; the range (10 s...24 h) is checked later, by `Session.validate`.
    static func ttl(_ fields: BodyFields) throws(APIError) -> Int64? {
        guard case .string(let text)? = fields.json["TTL"] else { return try fields.duration("TTL") }
        if text.isEmpty { return nil }
        guard let nanoseconds = GoDuration.parseNanoseconds(text) else {
            throw .badRequest("Session TTL '\(text)' invalid: time: invalid duration \(BodyFields.goQuoted(text))")
        }
        return nanoseconds
    }

    /// `Checks` (the pre-1.7 name) and `NodeChecks` together, in order, without repeats; the
    /// default only when the body gives neither.
    static func nodeChecks(_ fields: BodyFields, default defaults: [String]) throws(APIError) -> [String] {
        guard fields.has("Checks") || fields.has("NodeChecks") else { return defaults }
        var checks: [String] = []
        for id in try (fields.strings("Checks") ?? []) + (fields.strings("NodeChecks") ?? []) where !checks.contains(id) {
            checks.append(id)
        }
        return checks
    }

    /// `ServiceChecks: [{"ID": ..., "Namespace": ...}]`.
    static func serviceChecks(_ fields: BodyFields) throws(APIError) -> [ServiceCheckRef] {
        var checks: [ServiceCheckRef] = []
        for check in try fields.objects("ServiceChecks") ?? [] {
            guard let id = try check.string("ID"), !id.isEmpty else {
                throw BodyFields.refusal("every item of Session.ServiceChecks needs an ID")
            }
            checks.append(ServiceCheckRef(id: id, namespace: try check.string("Namespace") ?? ""))
        }
        return checks
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
