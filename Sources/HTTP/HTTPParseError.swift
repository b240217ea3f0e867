// The one error type of the HTTP module: what was wrong with a request, and the status that says so.

/// A request the server refuses. The connection is answered with `status` and closed.
public struct HTTPParseError: Error, Sendable, Equatable {
    /// The status to answer with (400, 413, 414, 417, 431, 501 or 505 from the parser).
    public let status: HTTPStatus
    /// A short English phrase naming what was wrong, e.g. "bare LF in request head".
    public let message: String

    /// An error answered with `status`.
    public init(status: HTTPStatus, message: String) {
        assert(status.code >= 400, "a parse error is a client or server error")
        self.status = status
        self.message = message
    }

    static func badRequest(_ message: String) -> HTTPParseError {
        HTTPParseError(status: .badRequest, message: message)
    }
}
