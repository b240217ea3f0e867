// What the probe client learns from a response, what can go wrong reading one, and the bounds
// it reads within (house style: every limit in one place).

/// The head of a final (non-1xx) response: status line and header fields.
public struct HTTPResponseHead: Sendable, Equatable {
    /// HTTP/1.0 or HTTP/1.1.
    public var version: HTTPVersion
    /// The three-digit status code, 100...999.
    public var statusCode: Int
    /// The reason phrase as sent (possibly empty; obs-text decoded leniently).
    public var reason: String
    /// The header fields in arrival order.
    public var headers: HTTPHeaders

    /// A head with the given parts.
    public init(version: HTTPVersion, statusCode: Int, reason: String, headers: HTTPHeaders = HTTPHeaders()) {
        self.version = version
        self.statusCode = statusCode
        self.reason = reason
        self.headers = headers
    }

    /// The status as Go's `Response.Status` shows it, which is what Consul's check output
    /// carries: "200 OK", or "200" when the server sent no reason phrase.
    public var statusText: String {
        reason.isEmpty ? String(statusCode) : "\(statusCode) \(reason)"
    }
}

/// A response the probe client could not read: malformed, over a limit, or cut short.
public struct HTTPResponseParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A short phrase naming what was wrong, e.g. "malformed HTTP status code". The two
    /// end-of-input cases use Go's texts, "EOF" and "unexpected EOF", as Consul shows them.
    public let message: String

    /// An error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The bounds of one response. The body has no bound here: the parser keeps only its first
/// `maxKeptBodyBytes` (a parameter of each parser) and counts the rest.
public struct HTTPResponseParserLimits: Sendable {
    /// Bytes of one head, status line and field lines with their line ends; over -> error.
    public var maxHeadBytes = 16 * 1024
    /// Header fields in one head; more -> error.
    public var maxHeaderCount = 100
    /// Bytes of one chunk-size line (size and extensions) without its line end.
    public var maxChunkLineBytes = 4 * 1024
    /// Bytes of the trailer section of a chunked body, line ends included.
    public var maxTrailerBytes = 16 * 1024
    /// Interim (1xx) responses skipped before the final one; more -> error (Go's client allows 5).
    public var maxInterimResponses = 5

    /// The default limits.
    public init() {}

    /// Stops the process when the limits cannot work (a programming error, not input).
    func check() {
        precondition(maxHeadBytes >= 32 && maxHeadBytes <= HTTPParserLimits.ceilingBytes, "a head needs room for a status line")
        precondition(maxHeaderCount >= 0 && maxHeaderCount <= HTTPParserLimits.ceilingBytes)
        precondition(maxChunkLineBytes >= 1 && maxChunkLineBytes <= HTTPParserLimits.ceilingBytes)
        precondition(maxTrailerBytes >= 1 && maxTrailerBytes <= HTTPParserLimits.ceilingBytes)
        precondition(maxInterimResponses >= 0 && maxInterimResponses <= 1000)
    }
}
