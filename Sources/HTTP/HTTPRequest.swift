// A complete request as handlers see it: the target already split and decoded, the body in memory.

/// One HTTP request, produced by `HTTPRequestParser` or built in process with `init`.
public struct HTTPRequest: Sendable, Equatable {
    /// The method token as sent, e.g. "GET" (methods are case-sensitive, RFC 9110 §9.1).
    public var method: String
    /// The request-target exactly as sent.
    public var target: String
    /// `target` up to '?', still percent-encoded; "/" for absolute-form without path, "*" for OPTIONS *.
    public var rawPath: String
    /// `rawPath` percent-decoded (never holds NUL; always UTF-8).
    public var path: String
    /// The query items in order, repeated names kept.
    public var query: [HTTPQueryItem]
    /// The protocol version.
    public var version: HTTPVersion
    /// The header fields in arrival order.
    public var headers: HTTPHeaders
    /// The body, decoded from chunked framing if it was chunked.
    public var body: [UInt8]
    /// Whether the connection may stay open after the response: HTTP/1.1 unless "Connection: close",
    /// HTTP/1.0 only with "Connection: keep-alive".
    public var keepAlive: Bool

    /// A request for tests and in-process callers. The target is checked and split exactly as the
    /// parser does; `keepAlive` is derived from the Connection headers and the version.
    public init(method: String, target: String, version: HTTPVersion = .http1_1,
                headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) throws(HTTPParseError) {
        guard ASCII.isToken(method) else { throw .badRequest("method is not a token") }
        let parts = try RequestTarget.parse(target, method: method)
        self.init(method: method, target: target, parts: parts, version: version, headers: headers, body: body,
                  keepAlive: ConnectionOptions(headers).persists(version))
    }

    /// The parser's initializer: every part already checked.
    init(method: String, target: String, parts: RequestTarget, version: HTTPVersion,
         headers: HTTPHeaders, body: [UInt8], keepAlive: Bool) {
        assert(ASCII.isToken(method))
        self.method = method
        self.target = target
        self.rawPath = parts.rawPath
        self.path = parts.path
        self.query = parts.query
        self.version = version
        self.headers = headers
        self.body = body
        self.keepAlive = keepAlive
    }

    /// The empty request the parser fills in.
    init(unfinished: ()) {
        (method, target, rawPath, path, query) = ("", "", "", "", [])
        (version, headers, body, keepAlive) = (.http1_1, HTTPHeaders(), [], true)
    }

    /// The value of the first query item named `name` (exact, case-sensitive), or nil.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    /// True when a query item named `name` is present, with or without a value ("?recurse").
    public func hasQuery(_ name: String) -> Bool {
        query.contains { $0.name == name }
    }
}
