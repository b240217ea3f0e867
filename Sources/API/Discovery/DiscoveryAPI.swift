import HTTP
import Registry
import Store

/// Everything a discovery handler may read for one request.
public struct DiscoveryContext {
    public let request: HTTPRequest
    public let parameters: PathParameters
    public let environment: RequestEnvironment

    var store: StateStore { environment.store }
    var node: NodeView { environment.node }
    /// The node 8761 registrations land on: this agent's.
    var agentNodeName: String { environment.node.identity.nodeName }

    func parameter(_ name: String) throws(DiscoveryError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .badRequest("missing path parameter \(name)") }
        return value
    }

    /// The request body as JSON; an empty or malformed body is a 400 that says where it broke.
    func bodyJSON() throws(DiscoveryError) -> JSON {
        guard !request.body.isEmpty else { throw .invalid("body", "the request body is empty; send a JSON object") }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw .invalid("body", "the body is not valid JSON: \(error.message)")
        }
    }

    /// An `ApiResponse` with `status`.
    func envelope(_ status: HTTPStatus, _ data: JSON, _ message: String) -> HTTPResponse {
        .json(status, DiscoveryJSON.envelope(data, message).encoded(pretty: request.hasQuery("pretty")))
    }

    /// A 200 `ApiResponse`.
    func envelope(_ data: JSON, _ message: String) -> HTTPResponse {
        envelope(.ok, data, message)
    }

    /// Proposes `command`; a refusal from apply becomes the error envelope, anything else is
    /// answered by `respond`.
    func write(_ command: Command, respond: @escaping (ApplyResult) -> HTTPResponse) -> Reply {
        .write(command) { result in
            if case .refused(let status, let message) = result {
                return DiscoveryError.forStatus(HTTPStatus.forCode(status), message).response
            }
            return respond(result)
        }
    }

    /// The instance with service ID `id`: this node's if it has one, else the first by node
    /// name (IDs are unique per node only; 8761 registrations always land on their own node).
    func instance(withServiceID id: String) throws -> DiscoveryInstance {
        let owners = try store.instances(withServiceID: id)
        guard let owner = owners.first(where: { $0.node == agentNodeName }) ?? owners.first else {
            throw DiscoveryError.notFound("no service instance with service_id \(id)")
        }
        let instances = try store.discoveryInstances(named: owner.name).value
        guard let found = instances.first(where: { $0.entry.node.value.name == owner.node && $0.entry.service.value.id == id }) else {
            throw DiscoveryError.notFound("no service instance with service_id \(id)")
        }
        return found
    }
}

/// The Gravity discovery API on port 8761 (the seed design's API Specification): registration,
/// load-balanced discovery, health, versioned configuration, metrics, and the probes
/// `/health` (liveness: the process answers; never tied to Raft) and `/health/ready`
/// (readiness: a leader is known and this node has caught up). It reads and writes the same
/// state machine as the Consul API. Every 4xx and 5xx is the one error envelope.
public struct DiscoveryAPI {
    /// Handlers throw `DiscoveryError` for refusals; anything else thrown (a storage failure)
    /// is a 500 with the envelope.
    public typealias Handler = (DiscoveryContext) throws -> Reply
    private var router = Router<Handler>()

    public init() {
        router.add("GET", "/health") { .response(Self.health($0.node)) }
        router.add("GET", "/health/ready") { .response(Self.ready($0.node)) }
        DiscoveryServicesEndpoint.register(in: &router)
        DiscoveryHealthEndpoint.register(in: &router)
        DiscoveryConfigEndpoint.register(in: &router)
        DiscoveryMetricsEndpoint.register(in: &router)
        DiscoveryDocsEndpoint.register(in: &router)
    }

    /// The (method, router pattern) of every route this router serves, in registration order.
    /// The config watch route is not among them: the node takes it before routing
    /// (`configWatchTarget`). The OpenAPI document must list exactly these, plus that one.
    var routes: [(method: String, pattern: String)] { router.routes }

    /// Answers one request. Never throws: every refusal is the error envelope.
    public func handle(_ request: HTTPRequest, environment: RequestEnvironment) -> Reply {
        switch router.match(method: request.method, rawPath: request.rawPath) {
        case .found(let handler, let parameters):
            do {
                return try handler(DiscoveryContext(request: request, parameters: parameters, environment: environment))
            } catch let error as DiscoveryError {
                return .response(error.response)
            } catch {
                return .response(DiscoveryError(.internalServerError, code: "internal_error", "internal error: \(error)").response)
            }
        case .notFound:
            return .response(DiscoveryError.notFound("no such endpoint: \(request.method) \(request.path)").response)
        case .methodNotAllowed(let allowed):
            var response = DiscoveryError(.methodNotAllowed, code: "method_not_allowed",
                                          "method \(request.method) not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))").response
            response.headers.add("Allow", allowed.joined(separator: ", "))
            return .response(response)
        }
    }

    static func health(_ node: NodeView) -> HTTPResponse {
        .json(.ok, JSON.object([
            ("status", "healthy"),
            ("node", .string(node.identity.nodeName)),
            ("datacenter", .string(node.identity.datacenter)),
            ("version", .string(node.version)),
        ]).encoded())
    }

    static func ready(_ node: NodeView) -> HTTPResponse {
        guard let leader = node.leaderAddress else {
            return .json(.serviceUnavailable, JSON.object([("status", "not_ready"), ("reason", "no known leader")]).encoded())
        }
        guard node.isCaughtUp else {
            return .json(.serviceUnavailable, JSON.object([("status", "not_ready"), ("reason", "catching up with the leader")]).encoded())
        }
        return .json(.ok, JSON.object([("status", "ready"), ("leader", .string(leader))]).encoded())
    }

    /// The path of the WebSocket config watch, before the service name.
    static let configWatchPrefix = "/api/v1/config/watch/"

    /// The service name of a config watch path (`/api/v1/config/watch/{service}`), or nil.
    public static func configWatchTarget(_ path: String) -> String? {
        let prefix = configWatchPrefix
        guard path.hasPrefix(prefix) else { return nil }
        let name = path.dropFirst(prefix.count)
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return String(name)
    }

    /// The error envelope for a refusal the node makes itself (a full queue, a bad handshake).
    public static func failure(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        DiscoveryError.forStatus(status, message).response
    }
}
