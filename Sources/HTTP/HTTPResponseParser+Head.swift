// The response head: status line (RFC 9112 §4), field lines (§5), and the framing decision at
// the empty line that ends them (§6.3), after which interim 1xx heads are skipped (RFC 9110 §15.2).

extension HTTPResponseParser {
    /// Reads `HTTP-version SP status-code [SP reason-phrase]`.
    mutating func readStatusLine(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(HTTPResponseParseError) {
        let budget = limits.maxHeadBytes - pending.headBytes - 2
        guard try takeLine(input, &index, limit: budget, tooLong: "response head too large") else { return }
        pending.headBytes += Self.lineBytes(line.count)
        let (version, code, reason) = try line.withUnsafeBufferPointer { (bytes) throws(HTTPResponseParseError) in
            try Self.parseStatusLine(bytes)
        }
        line.removeAll(keepingCapacity: true)
        pending.version = version
        pending.statusCode = code
        pending.reason = reason
        stage = .headerLines
    }

    /// Splits a status line. The reason phrase may be missing or empty (RFC 9112 §4: clients
    /// should ignore it); Go's client accepts "HTTP/1.1 200" too.
    static func parseStatusLine(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPResponseParseError) -> (HTTPVersion, Int, String) {
        guard bytes.count >= 12, bytes[8] == ASCII.space else { throw HTTPResponseParseError("malformed HTTP response") }
        let version = try parseVersion(UnsafeBufferPointer(rebasing: bytes[0..<8]))
        var code = 0
        for byte in bytes[9..<12] {
            guard (0x30...0x39).contains(byte) else { throw HTTPResponseParseError("malformed HTTP status code") }
            code = code * 10 + Int(byte - 0x30)
        }
        guard code >= 100, bytes.count == 12 || bytes[12] == ASCII.space else {
            throw HTTPResponseParseError("malformed HTTP status code")
        }
        let reasonRange = min(13, bytes.count)..<bytes.count
        guard ASCII.areFieldValueBytes(bytes, reasonRange) else { throw HTTPResponseParseError("invalid byte in reason phrase") }
        assert((100...999).contains(code))
        return (version, code, String(bytes: bytes, reasonRange))
    }

    /// "HTTP/1.1" or "HTTP/1.0"; another well-formed version is unsupported, anything else malformed.
    static func parseVersion(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPResponseParseError) -> HTTPVersion {
        let prefix: StaticString = "HTTP/"
        let isWellFormed = text.count == 8
            && prefix.withUTF8Buffer { text.starts(with: $0) }
            && (0x30...0x39).contains(text[5]) && text[6] == UInt8(ascii: ".") && (0x30...0x39).contains(text[7])
        guard isWellFormed else { throw HTTPResponseParseError("malformed HTTP version") }
        switch (text[5], text[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http1_0
        default: throw HTTPResponseParseError("unsupported HTTP version")
        }
    }

    /// Reads one field line, or the empty line that ends the head.
    mutating func readHeaderLine(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(HTTPResponseParseError) {
        let budget = limits.maxHeadBytes - pending.headBytes - 2
        guard try takeLine(input, &index, limit: budget, tooLong: "response head too large") else { return }
        pending.headBytes += Self.lineBytes(line.count)
        assert(pending.headBytes <= limits.maxHeadBytes)
        if line.isEmpty { return try finishHead() }
        guard pending.headers.fields.count < limits.maxHeaderCount else {
            throw HTTPResponseParseError("too many header fields")
        }
        let field = try line.withUnsafeBufferPointer { (bytes) throws(HTTPResponseParseError) in
            try Self.parseField(bytes)
        }
        line.removeAll(keepingCapacity: true)
        pending.framing.record(name: field.name, value: field.value)
        pending.headers.add(field.name, field.value)
    }

    /// `name ":" OWS value OWS`, judged as strictly as a request's fields (no obs-fold, no
    /// whitespace before the colon, no control bytes).
    static func parseField(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPResponseParseError) -> (name: String, value: String) {
        do {
            let (name, value) = try HTTPRequestParser.splitField(bytes, 0..<bytes.count)
            return (name: CommonNames.headerName(UnsafeBufferPointer(rebasing: bytes[name])), value: String(bytes: bytes, value))
        } catch {
            throw HTTPResponseParseError(error.message)
        }
    }

    /// The empty line: skip an interim response, or decide how the final one's body is read.
    private mutating func finishHead() throws(HTTPResponseParseError) {
        let code = pending.statusCode
        // 101 ends HTTP on this connection, so it is final (Go's client treats it so too).
        if (100...199).contains(code) && code != 101 {
            interimCount += 1
            guard interimCount <= limits.maxInterimResponses else {
                throw HTTPResponseParseError("too many 1xx informational responses")
            }
            pending = PendingResponse()
            stage = .statusLine
            return
        }
        let body = try pending.framing.body(statusCode: code, requestWasHead: requestWasHead)
        head = HTTPResponseHead(version: pending.version, statusCode: code, reason: pending.reason, headers: pending.headers)
        pending = PendingResponse()
        switch body {
        case .none: stage = .complete
        case .fixed(let length): stage = length == 0 ? .complete : .fixedBody(remaining: length)
        case .chunked: stage = .chunkLine
        case .untilClose: stage = .untilClose
        }
    }
}

/// How the body of a response is delimited (RFC 9112 §6.3).
enum ResponseBodyLength: Sendable, Equatable {
    /// No body: the request was HEAD, or the status is 101, 204 or 304.
    case none
    /// Exactly this many bytes (Content-Length).
    case fixed(Int)
    /// The chunked transfer coding.
    case chunked
    /// Whatever arrives until the server closes the connection.
    case untilClose
}

/// The framing fields of one response head. Content-Length is judged only when it decides the
/// framing: Transfer-Encoding overrides it (RFC 9112 §6.3 item 3).
struct ResponseFraming: Sendable {
    private var contentLength: Int?
    private var contentLengthIsBad = false
    private var transferEncodingSeen = false
    /// The last coding of the last Transfer-Encoding field: the one applied last.
    private var finalCoding = ""

    /// Notes a Content-Length or Transfer-Encoding field; other fields are ignored.
    mutating func record(name: String, value: String) {
        if ASCII.equalsIgnoringCase(name, "Content-Length") {
            recordContentLength(value)
        } else if ASCII.equalsIgnoringCase(name, "Transfer-Encoding") {
            transferEncodingSeen = true
            let codings = value.utf8.split(separator: ASCII.comma, omittingEmptySubsequences: true)
            if let last = codings.last {
                let trimmed = last.drop(while: ASCII.isWhitespace).reversed().drop(while: ASCII.isWhitespace).reversed()
                finalCoding = String(decoding: trimmed, as: UTF8.self)
            }
        }
    }

    /// RFC 9110 §8.6: a list of identical values (from repeated fields or one field) is one
    /// length; differing or malformed values make the framing unknowable.
    private mutating func recordContentLength(_ value: String) {
        for element in value.utf8.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
            let trimmed = element.drop(while: ASCII.isWhitespace).reversed().drop(while: ASCII.isWhitespace).reversed()
            guard let length = try? MessageFraming.parseContentLength(String(decoding: trimmed, as: UTF8.self)) else {
                // The parse error's text is replaced by ours below; nothing else is lost.
                contentLengthIsBad = true
                return
            }
            if let known = contentLength, known != length { contentLengthIsBad = true }
            contentLength = length
        }
    }

    /// Judges the head of a final response.
    func body(statusCode: Int, requestWasHead: Bool) throws(HTTPResponseParseError) -> ResponseBodyLength {
        if requestWasHead || statusCode == 101 || statusCode == 204 || statusCode == 304 { return .none }
        if transferEncodingSeen {
            return ASCII.equalsIgnoringCase(finalCoding, "chunked") ? .chunked : .untilClose
        }
        if contentLengthIsBad { throw HTTPResponseParseError("invalid or conflicting Content-Length") }
        if let contentLength { return .fixed(contentLength) }
        return .untilClose
    }
}
