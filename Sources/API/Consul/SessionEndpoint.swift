import HTTP
import Registry
import Store

/// `/v1/session/...`: create, destroy, renew and read sessions (consul-api.md §2.6;
/// hashicorp/consul agent/session_endpoint.go). The leader chooses the ID and the time that
/// starts the TTL before proposing (DESIGN.md §7).
enum SessionEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("PUT", "/v1/session/create", create)
        router.add("PUT", "/v1/session/destroy/:id", destroy)
        router.add("PUT", "/v1/session/renew/:id", renew)
        router.add("GET", "/v1/session/info/:id", info)
        router.add("GET", "/v1/session/node/:node", onNode)
        router.add("GET", "/v1/session/list", list)
    }

    // MARK: Writes

    /// Answers `{"ID": "<uuid>"}`. The node and its checks must exist (apply refuses with
    /// Consul's 500s otherwise).
    static func create(_ context: ConsulContext) throws -> Reply {
        let session = try SessionRequestDecoder.decode(
            context.request.body, id: context.environment.newID, defaultNode: context.node.identity.nodeName)
        try validate(session)
        let command = Command.sessionCreate(session, nowMilliseconds: context.environment.wallMilliseconds)
        return context.write(command) { result in
            guard case .session(let id) = result else { preconditionFailure("session create answered \(result)") }
            return context.json(.object([("ID", .string(id))]))
        }
    }

    /// Answers `true`, also for sessions that do not exist (destroy is idempotent in Consul).
    static func destroy(_ context: ConsulContext) throws -> Reply {
        let id = try sessionID(context)
        return context.write(.sessionDestroy(id: id)) { _ in .jsonBool(true) }
    }

    /// Answers `[Session]`; an unknown ID is apply's 404 `Session id '<id>' not found`.
    static func renew(_ context: ConsulContext) throws -> Reply {
        let id = try sessionID(context)
        let store = context.store
        return context.write(.sessionRenew(id: id, nowMilliseconds: context.environment.wallMilliseconds)) { _ in
            do {
                // Read after apply: the renewal has been applied, and so has anything proposed
                // before the response is written, which may have destroyed the session.
                guard let session = try store.session(id: id).value else {
                    return .text(.notFound, "Session id '\(id)' not found")
                }
                return context.json(.array([SessionJSON.session(session)]))
            } catch {
                return .text(.internalServerError, "state store: \(error)")
            }
        }
    }

    // MARK: Reads (blocking on the session table)

    /// `[Session]`, or `[]` (200) for an unknown ID.
    static func info(_ context: ConsulContext) throws -> Reply {
        let id = try sessionID(context)
        let (index, session) = try context.store.session(id: id)
        return context.readJSON(index: index, watch: [.sessions]) { SessionJSON.list(session.map { [$0] } ?? []) }
    }

    static func onNode(_ context: ConsulContext) throws -> Reply {
        let node = try context.parameter("node", missing: "Missing node name")
        let (index, sessions) = try context.store.sessions(onNode: node)
        return context.readJSON(index: index, watch: [.sessions]) { SessionJSON.list(sessions) }
    }

    static func list(_ context: ConsulContext) throws -> Reply {
        let (index, sessions) = try context.store.sessions()
        return context.readJSON(index: index, watch: [.sessions]) { SessionJSON.list(sessions) }
    }

    // MARK: Checks

    /// Node name, lock delay and TTL. An out-of-range TTL is Consul's 500 `Invalid Session TTL`
    /// (Patroni matches it on a 500); the rest is bad input, a 400.
    static func validate(_ session: Session) throws(APIError) {
        do {
            try session.validate()
        } catch {
            throw error.field == "TTL" ? .server(error.message) : .badRequest(error.message)
        }
    }

    /// The `:id` path parameter, which must look like a UUID as Consul's index parses it:
    /// 36 characters, hex digits and at most four dashes (Consul accepts "1"×36, clients test it).
    static func sessionID(_ context: ConsulContext) throws(APIError) -> String {
        let id = try context.parameter("id", missing: "Missing session")
        let digits = id.utf8.filter { $0 != UInt8(ascii: "-") }
        guard id.utf8.count == 36, id.utf8.count - digits.count <= 4, digits.count % 2 == 0,
              digits.allSatisfy(isHexDigit) else {
            throw .badRequest("Invalid session ID \(BodyFields.goQuoted(id)): must be a UUID")
        }
        return id
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"): true
        default: false
        }
    }
}
