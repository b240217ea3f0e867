import HTTP

/// The Gravity discovery API on port 8761. This part answers the probes: `/health` (liveness:
/// the process answers; never tied to Raft) and `/health/ready` (readiness: a leader is known and
/// this node has caught up). Replies use the seed design's envelope for errors.
public struct DiscoveryAPI {
    public typealias Handler = (HTTPRequest, NodeView) -> HTTPResponse
    private var router = Router<Handler>()

    public init() {
        router.add("GET", "/health", Self.health)
        router.add("GET", "/health/ready", Self.ready)
    }

    /// Answers one request; unknown paths and methods get the JSON error envelope.
    public func handle(_ request: HTTPRequest, node: NodeView) -> HTTPResponse {
        switch router.match(method: request.method, rawPath: request.rawPath) {
        case .found(let handler, _):
            return handler(request, node)
        case .notFound:
            return Self.failure(.notFound, "no such endpoint: \(request.method) \(request.path)")
        case .methodNotAllowed(let allowed):
            var response = Self.failure(.methodNotAllowed, "method \(request.method) not allowed on \(request.path); allowed: \(allowed.joined(separator: ", "))")
            response.headers.add("Allow", allowed.joined(separator: ", "))
            return response
        }
    }

    static func health(_ request: HTTPRequest, _ node: NodeView) -> HTTPResponse {
        .json(.ok, JSON.object([
            ("status", "healthy"),
            ("node", .string(node.identity.nodeName)),
            ("datacenter", .string(node.identity.datacenter)),
            ("version", .string(node.version)),
        ]).encoded())
    }

    static func ready(_ request: HTTPRequest, _ node: NodeView) -> HTTPResponse {
        guard let leader = node.leaderAddress else {
            return .json(.serviceUnavailable, JSON.object([("status", "not_ready"), ("reason", "no known leader")]).encoded())
        }
        guard node.isCaughtUp else {
            return .json(.serviceUnavailable, JSON.object([("status", "not_ready"), ("reason", "catching up with the leader")]).encoded())
        }
        return .json(.ok, JSON.object([("status", "ready"), ("leader", .string(leader))]).encoded())
    }

    /// The service name of a config watch path (`/api/v1/config/watch/{service}`), or nil.
    public static func configWatchTarget(_ path: String) -> String? {
        let prefix = "/api/v1/config/watch/"
        guard path.hasPrefix(prefix) else { return nil }
        let name = path.dropFirst(prefix.count)
        guard !name.isEmpty, !name.contains("/") else { return nil }
        return String(name)
    }

    /// The seed design's `ApiResponse` envelope for a failure.
    public static func failure(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        .json(status, JSON.object([("success", false), ("data", .null), ("message", .string(message))]).encoded())
    }
}
