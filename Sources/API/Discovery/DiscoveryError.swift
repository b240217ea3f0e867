import HTTP
import Registry

/// A refusal of the 8761 API, written as its one error envelope (issue 6):
/// `{"success": false, "error": {"code": ..., "message": ..., "details": ...}}`.
public struct DiscoveryError: Error, Sendable, Equatable {
    public let status: HTTPStatus
    /// A stable machine-readable code: `bad_request`, `validation_error`, `not_found`,
    /// `method_not_allowed`, `conflict`, `upgrade_required`, `too_many_requests`, `internal_error`.
    public let code: String
    public let message: String
    /// For validation errors, `{"field": name}`; null otherwise.
    public let details: JSON

    public init(_ status: HTTPStatus, code: String, _ message: String, details: JSON = .null) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public static func badRequest(_ message: String) -> DiscoveryError { DiscoveryError(.badRequest, code: "bad_request", message) }
    public static func notFound(_ message: String) -> DiscoveryError { DiscoveryError(.notFound, code: "not_found", message) }
    public static func conflict(_ message: String) -> DiscoveryError { DiscoveryError(.conflict, code: "conflict", message) }

    /// A field that is missing, of the wrong type or out of range; the message names it.
    public static func invalid(_ field: String, _ message: String) -> DiscoveryError {
        DiscoveryError(.badRequest, code: "validation_error", message, details: .object([("field", .string(field))]))
    }

    /// The envelope for a status the shell or the node produced on its own (429, 500, ...).
    public static func forStatus(_ status: HTTPStatus, _ message: String) -> DiscoveryError {
        let code = switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 409: "conflict"
        case 413: "payload_too_large"
        case 426: "upgrade_required"
        case 429: "too_many_requests"
        case 500..<600: "internal_error"
        default: "error"
        }
        return DiscoveryError(status, code: code, message)
    }

    /// The JSON response.
    public var response: HTTPResponse {
        .json(status, JSON.object([
            ("success", false),
            ("error", .object([("code", .string(code)), ("message", .string(message)), ("details", details)])),
        ]).encoded())
    }
}

extension ValidationError {
    /// The registry's validation message as the 8761 envelope, naming the field.
    var discoveryError: DiscoveryError { .invalid(field.isEmpty ? "body" : field, message) }
}
