// The three outcomes of routing a request, mapped by the caller to a handler call, 405 or 404.

/// What `Router.match` found for a method and path.
public enum RouteMatch<Handler> {
    /// A route matches the path and the method.
    case found(Handler, PathParameters)
    /// Routes match the path, none the method: answer 405 with `Allow: allowed` (sorted, no duplicates).
    case methodNotAllowed(allowed: [String])
    /// No route matches the path: answer 404.
    case notFound
}

extension RouteMatch: Sendable where Handler: Sendable {}
