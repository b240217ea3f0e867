import Registry

/// Consul's `Session` JSON (consul-api.md §2.6), as Consul ≥ 1.7 writes it: `NodeChecks` and
/// `ServiceChecks` (no deprecated `Checks`), `LockDelay` in nanoseconds, `TTL` as Go duration
/// text ("" when there is none).
enum SessionJSON {
    static func session(_ indexed: Indexed<Session>) -> JSON {
        let session = indexed.value
        let ttl = session.ttlNanoseconds.flatMap { $0 == 0 ? nil : GoDuration.format(nanoseconds: $0) } ?? ""
        return .object([
            ("ID", .string(session.id)),
            ("Name", .string(session.name)),
            ("Node", .string(session.node)),
            ("LockDelay", .int(session.lockDelayNanoseconds)),
            ("Behavior", .string(session.behavior.rawValue)),
            ("TTL", .string(ttl)),
            ("NodeChecks", .array(session.nodeChecks.map { .string($0) })),
            ("ServiceChecks", serviceChecks(session.serviceChecks)),
            ("CreateIndex", KVJSON.unsigned(indexed.createIndex)),
            ("ModifyIndex", KVJSON.unsigned(indexed.modifyIndex)),
        ])
    }

    /// `null` when there are none, as Go writes a nil slice.
    static func serviceChecks(_ checks: [ServiceCheckRef]) -> JSON {
        guard !checks.isEmpty else { return .null }
        return .array(checks.map { .object([("ID", .string($0.id)), ("Namespace", .string($0.namespace))]) })
    }

    static func list(_ sessions: [Indexed<Session>]) -> JSON {
        .array(sessions.map(session))
    }
}
