// The Connection header (RFC 9110 §7.6.1) decides persistence (RFC 9112 §9.3).

/// The tokens of all Connection header fields of a request that matter for persistence.
struct ConnectionOptions: Sendable, Equatable {
    /// A "close" token was present.
    var close = false
    /// A "keep-alive" token was present.
    var keepAlive = false

    /// Reads the comma-separated, case-insensitive tokens of one Connection field value.
    mutating func record(_ value: String) {
        for token in value.utf8.split(separator: ASCII.comma) {
            let trimmed = token.drop(while: ASCII.isWhitespace).reversed().drop(while: ASCII.isWhitespace).reversed()
            let text = String(decoding: trimmed, as: UTF8.self)
            if ASCII.equalsIgnoringCase(text, "close") { close = true }
            if ASCII.equalsIgnoringCase(text, "keep-alive") { keepAlive = true }
        }
    }

    /// Whether the connection stays open after the response: HTTP/1.1 unless "close",
    /// HTTP/1.0 only with "keep-alive" (and no "close").
    func persists(_ version: HTTPVersion) -> Bool {
        switch version {
        case .http1_1: !close
        case .http1_0: keepAlive && !close
        }
    }

    /// The options of every Connection field in `headers`.
    init(_ headers: HTTPHeaders) {
        for value in headers.values("Connection") { record(value) }
    }

    /// No options.
    init() {}
}
