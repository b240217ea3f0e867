// The header fields that decide how a request is delimited and answered: Host, Content-Length,
// Transfer-Encoding, Expect, Connection. Collected while the head is read, judged once at its end.
// The judgement is where request smuggling is stopped (RFC 9112 §6.1, §6.3, §11.2): any request
// whose length two servers could read differently is refused.

/// How the body of a request is delimited.
enum BodyLength: Sendable, Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (Content-Length).
    case fixed(Int)
    /// Chunked transfer coding.
    case chunked
}

/// The decision taken at the end of a request head.
struct Framing: Sendable, Equatable {
    var body: BodyLength
    /// "Expect: 100-continue" was sent by an HTTP/1.1 client.
    var expectsContinue: Bool
    var keepAlive: Bool
}

/// The framing-relevant header fields of one request head. Only counts and first values are
/// kept: a repeated Content-Length or Transfer-Encoding is refused whatever its value.
struct MessageFraming: Sendable {
    private var hostCount = 0
    private var contentLengthCount = 0
    private var contentLength = ""
    private var transferEncodingCount = 0
    private var transferEncoding = ""
    private var expectCount = 0
    private var expectsOnlyContinue = true
    private var connection = ConnectionOptions()

    /// Notes the field if its name is one of the framing fields; other fields are ignored.
    mutating func record(name: UnsafeBufferPointer<UInt8>, value: String) {
        switch name.count {
        case 4 where ASCII.equalsIgnoringCase(name, "host"):
            hostCount += 1
        case 6 where ASCII.equalsIgnoringCase(name, "expect"):
            expectCount += 1
            expectsOnlyContinue = expectsOnlyContinue && ASCII.equalsIgnoringCase(value, "100-continue")
        case 10 where ASCII.equalsIgnoringCase(name, "connection"):
            connection.record(value)
        case 14 where ASCII.equalsIgnoringCase(name, "content-length"):
            contentLengthCount += 1
            if contentLengthCount == 1 { contentLength = value }
        case 17 where ASCII.equalsIgnoringCase(name, "transfer-encoding"):
            transferEncodingCount += 1
            if transferEncodingCount == 1 { transferEncoding = value }
        default:
            break
        }
    }

    /// Judges the head. Errors are checked in a fixed order so that a request gets one answer.
    func decide(version: HTTPVersion, limits: HTTPParserLimits) throws(HTTPParseError) -> Framing {
        try checkHost(version)
        let body = try bodyLength(version, limits)
        let expectsContinue = try checkExpect(version)
        return Framing(body: body, expectsContinue: expectsContinue && body != .none,
                       keepAlive: connection.persists(version))
    }

    /// RFC 9112 §3.2: an HTTP/1.1 request has exactly one Host; no request has two.
    private func checkHost(_ version: HTTPVersion) throws(HTTPParseError) {
        if hostCount > 1 { throw .badRequest("repeated Host header") }
        if hostCount == 0 && version == .http1_1 { throw .badRequest("missing Host header") }
    }

    private func bodyLength(_ version: HTTPVersion, _ limits: HTTPParserLimits) throws(HTTPParseError) -> BodyLength {
        if transferEncodingCount > 0 {
            if contentLengthCount > 0 { throw .badRequest("Content-Length and Transfer-Encoding in one request") }
            if version == .http1_0 { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            if transferEncodingCount > 1 { throw .badRequest("repeated Transfer-Encoding header") }
            try Self.checkTransferEncoding(transferEncoding)
            return .chunked
        }
        if contentLengthCount > 1 { throw .badRequest("repeated Content-Length header") }
        guard contentLengthCount == 1 else { return .none }
        let length = try Self.parseContentLength(contentLength)
        if length > limits.maxBodyBytes {
            throw HTTPParseError(status: .payloadTooLarge, message: "Content-Length over the body limit")
        }
        return length == 0 ? .none : .fixed(length)
    }

    /// Content-Length is 1*DIGIT (RFC 9110 §8.6); no sign, space, comma or list. Eighteen digits
    /// cannot overflow an Int64.
    static func parseContentLength(_ text: String) throws(HTTPParseError) -> Int {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .badRequest("invalid Content-Length")
        }
        guard digits.count <= 18 else { throw .badRequest("Content-Length has more than 18 digits") }
        let length = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        assert(length >= 0)
        return length
    }

    /// Only exactly "chunked" is accepted. A malformed list, or "chunked" twice, is 400 (RFC 9112
    /// §6.1: chunked must not be applied more than once); a well-formed unknown coding is 501.
    static func checkTransferEncoding(_ value: String) throws(HTTPParseError) {
        if ASCII.equalsIgnoringCase(value, "chunked") { return }
        let codings = value.utf8.split(separator: ASCII.comma, omittingEmptySubsequences: false).map { coding in
            String(decoding: coding.drop(while: ASCII.isWhitespace).reversed().drop(while: ASCII.isWhitespace).reversed(),
                   as: UTF8.self)
        }
        guard codings.allSatisfy(ASCII.isToken) else { throw .badRequest("malformed Transfer-Encoding") }
        let chunkedCount = codings.count { ASCII.equalsIgnoringCase($0, "chunked") }
        if chunkedCount > 1 { throw .badRequest("chunked applied more than once") }
        assert(codings.count > 1 || chunkedCount == 0)
        throw HTTPParseError(status: .notImplemented, message: "unsupported Transfer-Encoding")
    }

    /// RFC 9110 §10.1.1: only "100-continue" is known; anything else is 417. An HTTP/1.0 client
    /// cannot understand 100 Continue, so its expectation is ignored.
    private func checkExpect(_ version: HTTPVersion) throws(HTTPParseError) -> Bool {
        guard expectCount > 0 else { return false }
        guard expectsOnlyContinue else {
            throw HTTPParseError(status: .expectationFailed, message: "unsupported expectation")
        }
        return version == .http1_1
    }
}
