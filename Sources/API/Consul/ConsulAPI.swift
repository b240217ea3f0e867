import HTTP

/// Everything a Consul endpoint handler may read for one request.
public struct ConsulContext {
    public let request: HTTPRequest
    public let parameters: PathParameters
    public let options: QueryOptions
    public let node: NodeView

    /// A 200 JSON response, indented when `?pretty` was given.
    func json(_ value: JSON) -> HTTPResponse {
        .json(.ok, value.encoded(pretty: options.pretty))
    }
}

/// The Consul-compatible HTTP API on port 8500 (`/v1/...`): routing, the cross-cutting query
/// options, Consul's error texts, and the headers every response carries.
public struct ConsulAPI {
    /// Handlers throw `APIError` for refusals. (The handler type uses untyped `throws`: storing
    /// `throws(APIError)` functions in the router crashes the Swift 6.3.1 compiler in SILGen.)
    public typealias Handler = (ConsulContext) throws -> HTTPResponse
    private var router = Router<Handler>()

    public init() {
        StatusEndpoint.register(in: &router)
        AgentEndpoint.register(in: &router)
    }

    /// Answers one request. Never throws: every refusal becomes Consul's status and text.
    public func handle(_ request: HTTPRequest, node: NodeView) -> HTTPResponse {
        var response = route(request, node: node)
        // Consul sends this on every response, ACLs enabled or not (consul-api.md §1.1).
        response.headers.add("X-Consul-Default-ACL-Policy", "allow")
        return response
    }

    private func route(_ request: HTTPRequest, node: NodeView) -> HTTPResponse {
        switch router.match(method: request.method, rawPath: request.rawPath) {
        case .notFound:
            return .text(.notFound, "Invalid URL path: not a recognized HTTP API endpoint")
        case .methodNotAllowed(let allowed):
            return Self.refuseMethod(request.method, allowed: allowed)
        case .found(let handler, let parameters):
            do {
                let options = try QueryOptions(request)
                if let dc = options.datacenter, dc != node.identity.datacenter {
                    // Federation arrives later; until then no other datacenter is reachable.
                    throw APIError.server("No path to datacenter")
                }
                return try handler(ConsulContext(request: request, parameters: parameters, options: options, node: node))
            } catch let error as APIError {
                return .text(error.status, error.message)
            } catch {
                // Handlers throw only APIError; anything else is a bug reported as Consul reports RPC errors.
                return .text(.internalServerError, "\(error)")
            }
        }
    }

    /// Consul answers OPTIONS with 200 and the allowed methods, anything else with 405.
    static func refuseMethod(_ method: String, allowed: [String]) -> HTTPResponse {
        let allow = (["OPTIONS"] + allowed.filter { $0 != "OPTIONS" }).joined(separator: ",")
        var response = method == "OPTIONS"
            ? HTTPResponse(status: .ok)
            : .text(.methodNotAllowed, "method \(method) not allowed")
        response.headers.add("Allow", allow)
        return response
    }
}
