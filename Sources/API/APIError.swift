import HTTP

/// A request the API refuses, with the status and the plain-text message a client sees.
/// Consul's clients match on these texts (shared/reference/consul-api.md §1.2), so they are
/// written exactly as Consul writes them.
public struct APIError: Error, Sendable, Equatable {
    public let status: HTTPStatus
    public let message: String

    public init(_ status: HTTPStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static func server(_ message: String) -> APIError { APIError(.internalServerError, message) }
}
