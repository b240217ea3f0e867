import HTTP
import Registry
import Store

/// What the node hands the API besides the request: its state and the values a handler may
/// need to put into a command, decided by the node so every replica applies the same.
public struct RequestEnvironment {
    public let node: NodeView
    public let store: StateStore
    /// The leader's wall clock (Unix milliseconds), for times written into commands.
    public let wallMilliseconds: UInt64
    /// A fresh UUID drawn by the node from its seeded generator, for IDs the request may create.
    public let newID: String
    /// True when a blocking query's wait has ended: the handler must answer now.
    public let finalAttempt: Bool
    /// The node's round-robin positions (8761 load balancing), kept between requests.
    public let rotations: Rotations
    /// A random number the node drew from its seeded generator (weighted picks).
    public let randomDraw: UInt64
    /// The node's discovery counters.
    public let stats: DiscoveryStats
    /// The node's cache of discovery instances.
    public let discoveryCache: DiscoveryCache

    public init(node: NodeView, store: StateStore, wallMilliseconds: UInt64, newID: String, finalAttempt: Bool,
                rotations: Rotations = Rotations(), randomDraw: UInt64 = 0, stats: DiscoveryStats = DiscoveryStats(),
                discoveryCache: DiscoveryCache = DiscoveryCache()) {
        self.node = node
        self.store = store
        self.wallMilliseconds = wallMilliseconds
        self.newID = newID
        self.finalAttempt = finalAttempt
        self.rotations = rotations
        self.randomDraw = randomDraw
        self.stats = stats
        self.discoveryCache = discoveryCache
    }
}

/// Everything a Consul endpoint handler may read for one request.
public struct ConsulContext {
    public let request: HTTPRequest
    public let parameters: PathParameters
    public let options: QueryOptions
    public let blocking: BlockingOptions?
    public let environment: RequestEnvironment

    public var node: NodeView { environment.node }
    public var store: StateStore { environment.store }

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
    public typealias Handler = (ConsulContext) throws -> Reply
    private var router = Router<Handler>()

    public init() {
        StatusEndpoint.register(in: &router)
        AgentEndpoint.register(in: &router)
        AgentMembersEndpoint.register(in: &router)
        AgentServiceEndpoint.register(in: &router)
        AgentCheckEndpoint.register(in: &router)
        AgentMaintenanceEndpoint.register(in: &router)
        AgentHealthEndpoint.register(in: &router)
        CatalogEndpoint.register(in: &router)
        HealthEndpoint.register(in: &router)
        KVEndpoint.register(in: &router)
        SessionEndpoint.register(in: &router)
        TxnEndpoint.register(in: &router)
        EventEndpoint.register(in: &router)
        OperatorEndpoint.register(in: &router)
    }

    /// Answers one request. Never throws: every refusal becomes Consul's status and text.
    public func handle(_ request: HTTPRequest, environment: RequestEnvironment) -> Reply {
        switch route(request, environment: environment) {
        case .response(let response): .response(Self.decorate(response))
        case .read(let response, let watch): .read(Self.decorate(response), watch: watch)
        case .write(let command, let respond): .write(command, respond: { Self.decorate(respond($0)) })
        case .wait(let watch, let wait): .wait(watch: watch, waitMilliseconds: wait)
        case .probe(let checks, let respond): .probe(checks: checks, respond: { Self.decorate(respond($0)) })
        case .operate(let operation, let respond): .operate(operation, respond: { Self.decorate(respond($0)) })
        }
    }

    /// Consul sends this on every response, ACLs enabled or not (consul-api.md §1.1).
    private static func decorate(_ response: HTTPResponse) -> HTTPResponse {
        var response = response
        response.headers.add("X-Consul-Default-ACL-Policy", "allow")
        return response
    }

    private func route(_ request: HTTPRequest, environment: RequestEnvironment) -> Reply {
        switch router.match(method: request.method, rawPath: request.rawPath) {
        case .notFound:
            return .response(.text(.notFound, "Invalid URL path: not a recognized HTTP API endpoint"))
        case .methodNotAllowed(let allowed):
            return .response(Self.refuseMethod(request.method, allowed: allowed))
        case .found(let handler, let parameters):
            do {
                let options = try QueryOptions(request)
                if let dc = options.datacenter, dc != environment.node.identity.datacenter {
                    // Federation arrives later; until then no other datacenter is reachable.
                    throw APIError.server("No path to datacenter")
                }
                let blocking = try BlockingOptions(request)
                return try handler(ConsulContext(request: request, parameters: parameters, options: options, blocking: blocking, environment: environment))
            } catch let error as APIError {
                return .response(.text(error.status, error.message))
            } catch let error as StoreError {
                return .response(.text(.internalServerError, "state store: \(error)"))
            } catch {
                // Handlers throw only APIError and StoreError; anything else is a bug, reported as Consul reports RPC errors.
                return .response(.text(.internalServerError, "\(error)"))
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
