// The request head: request line (RFC 9112 §3), field lines (RFC 9112 §5) and the framing decision
// taken at the empty line that ends them.

extension HTTPRequestParser {
    /// Reads the request line, skipping a few empty lines before it (RFC 9112 §2.2).
    mutating func readRequestLine() throws(HTTPParseError) -> Progress {
        switch scanLine(limit: limits.maxRequestLineBytes) {
        case .needMore: return .needMore
        case .tooLong: throw HTTPParseError(status: .uriTooLong, message: "request line too long")
        case .bareLF: throw .badRequest("bare LF in request head")
        case .bareCR: throw .badRequest("bare CR in request head")
        case .line(let range):
            consumeLine()
            if range.isEmpty {
                pending.leadingEmptyLines += 1
                guard pending.leadingEmptyLines <= limits.maxLeadingEmptyLines else {
                    throw .badRequest("too many empty lines before request line")
                }
                return .advanced
            }
            try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
                try parseRequestLine(bytes, range)
            }
            stage = .headerLines
            return .advanced
        }
    }

    /// `method SP request-target SP HTTP-version`, single spaces only.
    private mutating func parseRequestLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) {
        guard let firstSpace = ASCII.firstIndex(of: ASCII.space, in: bytes, line),
              let secondSpace = ASCII.firstIndex(of: ASCII.space, in: bytes, (firstSpace + 1)..<line.upperBound),
              firstSpace > line.lowerBound, secondSpace > firstSpace + 1,
              ASCII.firstIndex(of: ASCII.space, in: bytes, (secondSpace + 1)..<line.upperBound) == nil
        else { throw .badRequest("request line is not method SP target SP version") }
        let method = line.lowerBound..<firstSpace
        guard ASCII.isToken(UnsafeBufferPointer(rebasing: bytes[method])) else {
            throw .badRequest("method is not a token")
        }
        let version = try Self.parseVersion(UnsafeBufferPointer(rebasing: bytes[(secondSpace + 1)..<line.upperBound]))
        let targetBytes = UnsafeBufferPointer(rebasing: bytes[(firstSpace + 1)..<secondSpace])
        let methodText = CommonNames.method(UnsafeBufferPointer(rebasing: bytes[method]))
        let target = String(decoding: targetBytes, as: UTF8.self)
        let parts = try RequestTarget.parse(targetBytes, target: target, method: methodText)
        pending.request.method = methodText
        pending.request.target = target
        pending.request.rawPath = parts.rawPath
        pending.request.path = parts.path
        pending.request.query = parts.query
        pending.request.version = version
    }

    /// "HTTP/1.1" or "HTTP/1.0"; another well-formed version is 505, anything else 400.
    static func parseVersion(_ text: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let prefix: StaticString = "HTTP/"
        let isWellFormed = text.count == 8
            && prefix.withUTF8Buffer { text.starts(with: $0) }
            && (0x30...0x39).contains(text[5]) && text[6] == UInt8(ascii: ".") && (0x30...0x39).contains(text[7])
        guard isWellFormed else { throw .badRequest("malformed HTTP version") }
        switch (text[5], text[7]) {
        case (UInt8(ascii: "1"), UInt8(ascii: "1")): return .http1_1
        case (UInt8(ascii: "1"), UInt8(ascii: "0")): return .http1_0
        default: throw HTTPParseError(status: .httpVersionNotSupported, message: "unsupported HTTP version")
        }
    }

    /// Reads one header field line, or the empty line that ends the head.
    mutating func readHeaderLine() throws(HTTPParseError) -> Progress {
        // The CRLF of the line counts too, hence the 2.
        switch scanLine(limit: limits.maxHeaderBytes - pending.headerBytes - 2) {
        case .needMore: return .needMore
        case .tooLong: throw HTTPParseError(status: .requestHeaderFieldsTooLarge, message: "header section too large")
        case .bareLF: throw .badRequest("bare LF in request head")
        case .bareCR: throw .badRequest("bare CR in request head")
        case .line(let range):
            consumeLine()
            if range.isEmpty { return try finishHead() }
            guard pending.request.headers.fields.count < limits.maxHeaderCount else {
                throw HTTPParseError(status: .requestHeaderFieldsTooLarge, message: "too many header fields")
            }
            pending.headerBytes += range.count + 2
            let field = try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
                let (name, value) = try Self.splitField(bytes, range)
                let text = String(bytes: bytes, value)
                let nameBytes = UnsafeBufferPointer(rebasing: bytes[name])
                pending.framing.record(name: nameBytes, value: text)
                return (name: CommonNames.headerName(nameBytes), value: text)
            }
            if pending.request.headers.fields.isEmpty {
                pending.request.headers.fields.reserveCapacity(Self.expectedHeaderCount)
            }
            pending.request.headers.fields.append(field)
            return .advanced
        }
    }

    /// Splits `name ":" OWS value OWS` (RFC 9112 §5.1) into the ranges of name and trimmed value.
    /// Used for header and trailer fields alike.
    static func splitField(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> (Range<Int>, Range<Int>) {
        assert(!line.isEmpty)
        // RFC 9112 §5.2: obs-fold is refused rather than unfolded.
        guard !ASCII.isWhitespace(bytes[line.lowerBound]) else { throw .badRequest("obsolete line folding") }
        guard let colon = ASCII.firstIndex(of: ASCII.colon, in: bytes, line) else { throw .badRequest("header line without colon") }
        guard colon > line.lowerBound else { throw .badRequest("empty header name") }
        // RFC 9112 §5.1: whitespace before the colon must be refused with 400.
        guard !ASCII.isWhitespace(bytes[colon - 1]) else {
            throw .badRequest("header name followed by whitespace before colon")
        }
        let name = line.lowerBound..<colon
        guard bytes[name].allSatisfy(ASCII.isTokenByte) else { throw .badRequest("invalid byte in header name") }
        let valueBytes = (colon + 1)..<line.upperBound
        guard ASCII.areFieldValueBytes(bytes, valueBytes) else {
            throw .badRequest("invalid byte in header value")
        }
        return (name, ASCII.trimmingWhitespace(bytes, valueBytes))
    }

    /// The empty line: judge the framing fields and choose how the body is read.
    private mutating func finishHead() throws(HTTPParseError) -> Progress {
        let framing = try pending.framing.decide(version: pending.request.version, limits: limits)
        pending.request.keepAlive = framing.keepAlive
        switch framing.body {
        case .none:
            assert(!framing.expectsContinue)
            return finishRequest()
        case .fixed(let length):
            assert(length > 0 && length <= limits.maxBodyBytes)
            stage = .fixedBody(length: length)
        case .chunked:
            stage = .chunkLine
        }
        continuePending = framing.expectsContinue
        return .advanced
    }
}
