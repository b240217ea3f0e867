// Routing by method and path. The tree itself is RouteTable (non-generic, so it runs specialised
// code whatever the handler type), frozen in a SharedRouteTable; this wrapper only maps handler
// indices to handlers.
//
// The raw (still percent-encoded) path is split on '/', and only then is each segment decoded:
// "/v1/kv/a%2Fb" against "/v1/kv/:key" gives key "a/b", never two segments. Literal segments are
// compared with the decoded segment. Priority at each level: literal, then ":param", then "*rest",
// with backtracking, so the most specific route wins.

/// Routes by method and path. Patterns: literal segments, ":name" one segment, "*name" the rest (may be empty, may hold '/').
///
/// ":name" matches one non-empty segment. "*name" must be the last segment of its pattern; it
/// also matches when the path ends just before it ("/v1/kv/*key" matches "/v1/kv" and
/// "/v1/kv/", both with key ""). Patterns are not percent-decoded. Add all routes before serving;
/// `match` does not change the router and may be called from any thread if Handler is Sendable.
public struct Router<Handler> {
    @usableFromInline var shared = SharedRouteTable(RouteTable())
    @usableFromInline var handlers: [Handler] = []
    @usableFromInline var patterns: [(method: String, pattern: String)] = []

    /// Every route added, as (method, pattern) in the order added: what the router serves, for
    /// documents and tests that must list exactly that (the 8761 API's OpenAPI document).
    public var routes: [(method: String, pattern: String)] { patterns }

    /// An empty router.
    public init() {}

    /// Adds a route. Stops the process on a malformed pattern or a duplicate (method, pattern):
    /// routes are code, so these are programming errors.
    @inlinable
    public mutating func add(_ method: String, _ pattern: String, _ handler: Handler) {
        var table = shared.table
        table.add(method, pattern, handler: handlers.count)
        shared = SharedRouteTable(table)
        handlers.append(handler)
        patterns.append((method, pattern))
        assert(patterns.count == handlers.count)
    }

    /// The route for `method` and `rawPath` (the still percent-encoded path, as in `HTTPRequest.rawPath`).
    @inlinable
    public func match(method: String, rawPath: String) -> RouteMatch<Handler> {
        switch shared.table.match(method: method, rawPath: rawPath) {
        case .found(let index, let parameters): .found(handlers[index], parameters)
        case .methodNotAllowed(let allowed): .methodNotAllowed(allowed: allowed)
        case .notFound: .notFound
        }
    }
}

extension Router: Sendable where Handler: Sendable {}
