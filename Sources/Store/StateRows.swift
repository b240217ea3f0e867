import Registry

// The columns of each registry table and how a value maps onto them. Each codec lists its
// columns once, and `values` and `decode` follow that order; child tables (maps and lists) are
// read and written by `StateReader` and `StateWriter`.

/// Wraps a row's value with its indexes, refusing a row whose indexes are impossible.
func storedIndexed<T>(_ value: T, _ createIndex: UInt64, _ modifyIndex: UInt64, _ what: @autoclosure () -> String) throws(StoreError) -> Indexed<T> {
    guard createIndex <= modifyIndex else {
        throw .corrupt("state.db: \(what()) has create_index \(createIndex) after modify_index \(modifyIndex)")
    }
    return Indexed(value: value, createIndex: createIndex, modifyIndex: modifyIndex)
}

enum NodeRow {
    static let columns = "name, id, address, datacenter, create_index, modify_index"
    static let upsert = upsertSQL(table: "nodes", columns: columns, key: ["name"])

    static func values(_ node: Node, _ createIndex: UInt64, _ modifyIndex: UInt64) -> [SQLiteValue] {
        [.text(node.name), .text(node.id), .text(node.address), .text(node.datacenter),
         .unsigned(createIndex), .unsigned(modifyIndex)]
    }

    /// The node without its tagged addresses and meta.
    static func decode(_ row: inout RowCursor) throws(StoreError) -> Indexed<Node> {
        let name = row.text()
        let node = Node(id: row.text(), name: name, address: row.text(), datacenter: row.text())
        return try storedIndexed(node, row.unsigned(), row.unsigned(), "node \(name)")
    }
}

enum ServiceRow {
    static let columns = """
        node, id, name, address, port, weight_passing, weight_warning, enable_tag_override, kind, \
        create_index, modify_index, tags
        """
    static let upsert = upsertSQL(table: "services", columns: columns, key: ["node", "id"])
    /// A new instance, with its first registration's time (`registered_ms`, migration 3) last;
    /// nothing is written when the node already has an instance with that ID.
    static let insertRegisteredIfNew = "INSERT INTO services(\(columns), registered_ms) VALUES (\(Array(repeating: "?", count: 13).joined(separator: ", ")))"
        + " ON CONFLICT(node, id) DO NOTHING"

    static func values(_ service: Service, node: String, _ createIndex: UInt64, _ modifyIndex: UInt64) -> [SQLiteValue] {
        [.text(node), .text(service.id), .text(service.name), .text(service.address), .int(service.port),
         .int(service.weights.passing), .int(service.weights.warning), .bool(service.enableTagOverride),
         .text(service.kind), .unsigned(createIndex), .unsigned(modifyIndex), .text(TagsColumn.encode(service.tags))]
    }

    /// The node name and the service with its tags (migration 5), without tagged addresses and
    /// meta.
    static func decode(_ row: inout RowCursor) throws(StoreError) -> (node: String, service: Indexed<Service>) {
        let node = row.text()
        let id = row.text()
        var service = Service(
            id: id, name: row.text(), address: row.text(), port: row.int(),
            weights: Weights(passing: row.int(), warning: row.int()), enableTagOverride: row.bool(), kind: row.text())
        let (createIndex, modifyIndex) = (try row.unsigned(), try row.unsigned())
        service.tags = try TagsColumn.decode(row.text(), "service \(id) on \(node)")
        return (node, try storedIndexed(service, createIndex, modifyIndex, "service \(id) on \(node)"))
    }
}

enum CheckRow {
    static let columns = """
        node, id, name, status, notes, output, service_id, service_name, exposed_port, \
        http, method, body, tls_server_name, tls_skip_verify, tcp, tcp_use_tls, udp, grpc, grpc_use_tls, \
        h2ping, h2ping_use_tls, alias_node, alias_service, ttl_ns, interval_ns, timeout_ns, \
        deregister_critical_service_after_ns, success_before_passing, failures_before_warning, \
        failures_before_critical, output_max_size, create_index, modify_index
        """
    static let upsert = upsertSQL(table: "checks", columns: columns, key: ["node", "id"])

    static func values(_ check: Check, _ createIndex: UInt64, _ modifyIndex: UInt64) -> [SQLiteValue] {
        let d = check.definition
        return [
            .text(check.node), .text(check.checkID), .text(check.name), .text(check.status.rawValue),
            .text(check.notes), .text(check.output), .text(check.serviceID), .text(check.serviceName),
            .int(check.exposedPort),
            .text(d.http), .text(d.method), .text(d.body), .text(d.tlsServerName), .bool(d.tlsSkipVerify),
            .text(d.tcp), .bool(d.tcpUseTLS), .text(d.udp), .text(d.grpc), .bool(d.grpcUseTLS),
            .text(d.h2ping), .bool(d.h2pingUseTLS), .text(d.aliasNode), .text(d.aliasService),
            .optional(d.ttlNanoseconds), .optional(d.intervalNanoseconds), .optional(d.timeoutNanoseconds),
            .optional(d.deregisterCriticalServiceAfterNanoseconds), .int(d.successBeforePassing),
            .int(d.failuresBeforeWarning), .int(d.failuresBeforeCritical), .int(d.outputMaxSize),
            .unsigned(createIndex), .unsigned(modifyIndex),
        ]
    }

    /// The check without its service tags, header and args.
    static func decode(_ row: inout RowCursor) throws(StoreError) -> Indexed<Check> {
        let node = row.text()
        let id = row.text()
        let name = row.text()
        let statusText = row.text()
        guard let status = HealthStatus(rawValue: statusText) else {
            throw .corrupt("state.db: check \(id) on \(node) has status \(statusText)")
        }
        var check = Check(
            node: node, checkID: id, name: name, status: status, notes: row.text(), output: row.text(),
            serviceID: row.text(), serviceName: row.text(), exposedPort: row.int())
        check.definition = decodeDefinition(&row)
        return try storedIndexed(check, row.unsigned(), row.unsigned(), "check \(id) on \(node)")
    }

    private static func decodeDefinition(_ row: inout RowCursor) -> CheckDefinition {
        CheckDefinition(
            http: row.text(), method: row.text(), body: row.text(), tlsServerName: row.text(),
            tlsSkipVerify: row.bool(), tcp: row.text(), tcpUseTLS: row.bool(), udp: row.text(), grpc: row.text(),
            grpcUseTLS: row.bool(), h2ping: row.text(), h2pingUseTLS: row.bool(), aliasNode: row.text(),
            aliasService: row.text(), ttlNanoseconds: row.optionalInt64(), intervalNanoseconds: row.optionalInt64(),
            timeoutNanoseconds: row.optionalInt64(), deregisterCriticalServiceAfterNanoseconds: row.optionalInt64(),
            successBeforePassing: row.int(), failuresBeforeWarning: row.int(), failuresBeforeCritical: row.int(),
            outputMaxSize: row.int())
    }
}

enum KVRow {
    static let columns = "key, flags, value, session, lock_index, create_index, modify_index"
    static let upsert = upsertSQL(table: "kvs", columns: columns, key: ["key"])

    static func values(_ entry: KVEntry, _ createIndex: UInt64, _ modifyIndex: UInt64) -> [SQLiteValue] {
        [.key(entry.key), .bits(entry.flags), .blob(entry.value), entry.session.map { .text($0) } ?? .null,
         .unsigned(entry.lockIndex), .unsigned(createIndex), .unsigned(modifyIndex)]
    }

    static func decode(_ row: inout RowCursor) throws(StoreError) -> Indexed<KVEntry> {
        let key = row.key()
        let entry = KVEntry(key: key, flags: row.bits(), value: row.blob(), session: row.optionalText(), lockIndex: try row.unsigned())
        return try storedIndexed(entry, row.unsigned(), row.unsigned(), "key \(key)")
    }
}

enum SessionRow {
    static let columns = "id, name, node, lock_delay_ns, behavior, ttl_ns, renewed_ms, create_index, modify_index"

    static func values(_ session: Session, renewedMilliseconds: UInt64, _ createIndex: UInt64, _ modifyIndex: UInt64) -> [SQLiteValue] {
        [.text(session.id), .text(session.name), .text(session.node), .integer(session.lockDelayNanoseconds),
         .text(session.behavior.rawValue), .optional(session.ttlNanoseconds), .milliseconds(renewedMilliseconds),
         .unsigned(createIndex), .unsigned(modifyIndex)]
    }

    /// The session without its checks, and the time it was last created or renewed.
    static func decode(_ row: inout RowCursor) throws(StoreError) -> (session: Indexed<Session>, renewedMilliseconds: UInt64) {
        let id = row.text()
        let name = row.text()
        let node = row.text()
        let lockDelay = row.int64()
        let behaviorText = row.text()
        guard let behavior = SessionBehavior(rawValue: behaviorText) else {
            throw .corrupt("state.db: session \(id) has behavior \(behaviorText)")
        }
        let session = Session(
            id: id, name: name, node: node, nodeChecks: [], serviceChecks: [], lockDelayNanoseconds: lockDelay,
            behavior: behavior, ttlNanoseconds: row.optionalInt64())
        let renewed = try row.unsigned()
        return (try storedIndexed(session, row.unsigned(), row.unsigned(), "session \(id)"), renewed)
    }
}

enum EventRow {
    static let columns = "create_index, modify_index, id, name, payload, node_filter, service_filter, tag_filter, ltime"

    static func values(_ event: UserEvent, _ index: UInt64) -> [SQLiteValue] {
        [.unsigned(index), .unsigned(index), .text(event.id), .text(event.name), .blob(event.payload),
         .text(event.nodeFilter), .text(event.serviceFilter), .text(event.tagFilter), .bits(event.ltime)]
    }

    static func decode(_ row: inout RowCursor) throws(StoreError) -> Indexed<UserEvent> {
        let createIndex = try row.unsigned()
        let modifyIndex = try row.unsigned()
        let event = UserEvent(
            id: row.text(), name: row.text(), payload: row.blob(), nodeFilter: row.text(), serviceFilter: row.text(),
            tagFilter: row.text(), ltime: row.bits())
        return try storedIndexed(event, createIndex, modifyIndex, "event \(event.id)")
    }
}
