// A response as data, and its exact wire form (RFC 9112 §4, §6.2).

/// A response: status, header fields and a body held in memory.
public struct HTTPResponse: Sendable, Equatable {
    /// The status line's code and reason.
    public var status: HTTPStatus
    /// Header fields written in order. Content-Length and Transfer-Encoding set here are ignored:
    /// the writer computes the length itself.
    public var headers: HTTPHeaders
    /// The body bytes.
    public var body: [UInt8]

    /// A response with the given parts.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text response ("text/plain; charset=utf-8") whose body is `message`.
    public static func text(_ status: HTTPStatus, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([(name: "Content-Type", value: "text/plain; charset=utf-8")]),
                     body: Array(message.utf8))
    }

    /// A JSON response ("application/json") whose body is the already encoded `body`.
    public static func json(_ status: HTTPStatus = .ok, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([(name: "Content-Type", value: "application/json")]), body: body)
    }

    /// A 200 JSON response. (Swift binds a lone unlabeled argument to the first parameter, so the
    /// default status above cannot be used positionally; this overload makes `.json(body)` work.)
    public static func json(_ body: [UInt8]) -> HTTPResponse {
        json(.ok, body)
    }

    /// Appends the wire bytes: status line, headers, Content-Length (always, computed here; never trust a header set by the caller),
    /// "Connection: close" when !keepAlive, the given Date line if non-nil, then the body unless headOnly.
    ///
    /// With `headOnly` (the answer to HEAD) the Content-Length is still the body's length
    /// (RFC 9110 §9.3.2). A 1xx or 204 response gets neither Content-Length nor body
    /// (RFC 9110 §8.6, §15.3.5). Header names must be tokens (they come from code: a
    /// precondition); CR, LF and NUL in a value are written as spaces, so no value can split
    /// the response.
    public func write(into buffer: inout [UInt8], keepAlive: Bool, headOnly: Bool = false, date: String? = nil) {
        let bodyAllowed = status.code >= 200 && status.code != 204
        let headLength = measureHead(keepAlive: keepAlive, bodyAllowed: bodyAllowed, date: date)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: headLength) { scratch in
            var writer = WireWriter(scratch)
            writeHead(into: &writer, keepAlive: keepAlive, bodyAllowed: bodyAllowed, date: date)
            precondition(writer.isFull, "response head shorter than measured")
            buffer.append(contentsOf: UnsafeBufferPointer(scratch))
        }
        if bodyAllowed && !headOnly { buffer.append(contentsOf: body) }
    }

    /// The exact byte length of the head `writeHead` produces.
    private func measureHead(keepAlive: Bool, bodyAllowed: Bool, date: String?) -> Int {
        var length = 9 + 3 + 1 + status.reason.utf8.count + 2  // "HTTP/1.1 " code SP reason CRLF
        for field in headers.fields where !Self.isComputedByWriter(field.name) {
            length += field.name.utf8.count + 2 + field.value.utf8.count + 2
        }
        if bodyAllowed { length += 16 + WireWriter.decimalDigitCount(body.count) + 2 }
        if !keepAlive { length += 19 }
        if let date { length += 6 + date.utf8.count + 2 }
        return length + 2
    }

    private func writeHead(into writer: inout WireWriter, keepAlive: Bool, bodyAllowed: Bool, date: String?) {
        assert((100...999).contains(status.code))
        writer.write("HTTP/1.1 ")
        writer.writeDecimal(status.code)
        writer.write(ASCII.space)
        var reason = status.reason
        reason.withUTF8 { writer.write($0) }
        writer.write("\r\n")
        for field in headers.fields where !Self.isComputedByWriter(field.name) {
            Self.writeField(field.name, field.value, into: &writer)
        }
        if bodyAllowed {
            writer.write("Content-Length: ")
            writer.writeDecimal(body.count)
            writer.write("\r\n")
        }
        if !keepAlive { writer.write("Connection: close\r\n") }
        if let date { Self.writeField("Date", date, into: &writer) }
        writer.write("\r\n")
    }

    /// Framing fields the writer owns.
    private static func isComputedByWriter(_ name: String) -> Bool {
        let count = name.utf8.count
        return (count == 14 && ASCII.equalsIgnoringCase(name, "Content-Length"))
            || (count == 17 && ASCII.equalsIgnoringCase(name, "Transfer-Encoding"))
    }

    private static func writeField(_ name: String, _ value: String, into writer: inout WireWriter) {
        var name = name
        name.withUTF8 { bytes in
            precondition(ASCII.isToken(bytes), "response header name is not a token")
            writer.write(bytes)
        }
        writer.write(": ")
        var value = value
        value.withUTF8 { writer.writeFieldValue($0) }
        writer.write("\r\n")
    }
}
