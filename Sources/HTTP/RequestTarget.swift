// The request-target of RFC 9112 §3.2, split into the parts handlers use. Shared by the parser and
// HTTPRequest.init so that a request built in a test is checked exactly like one read off a socket.

/// A validated request-target: raw path, decoded path and decoded query.
struct RequestTarget: Sendable, Equatable {
    /// The path as sent, still percent-encoded: "/v1/kv/a%2Fb".
    var rawPath: String
    /// The decoded path: "/v1/kv/a/b".
    var path: String
    /// The query items in order.
    var query: [HTTPQueryItem]

    /// Validates `target` for `method` and splits it.
    ///
    /// Accepted forms: origin-form ("/path?query"), absolute-form ("http://host/path?query", from
    /// which only path and query are kept), and "*" for OPTIONS. Refused with 400: bytes other
    /// than visible ASCII, a fragment, a '%' without two hex digits, "%00" in the path, and
    /// decoded text that is not UTF-8 (two different keys must never decode to the same string).
    static func parse(_ target: String, method: String) throws(HTTPParseError) -> RequestTarget {
        // String.withUTF8 only rethrows untyped errors, hence the Result.
        var copy = target
        return try copy.withUTF8 { bytes in
            Result { () throws(HTTPParseError) in try parse(bytes, method: method) }
        }.get()
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, method: String) throws(HTTPParseError) -> RequestTarget {
        guard !bytes.isEmpty else { throw .badRequest("empty request-target") }
        guard bytes.allSatisfy(ASCII.isTargetByte) else { throw .badRequest("invalid byte in request-target") }
        guard !bytes.contains(ASCII.hash) else { throw .badRequest("fragment in request-target") }
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") {
            guard method == "OPTIONS" else { throw .badRequest("asterisk-form request-target without OPTIONS") }
            return RequestTarget(rawPath: "*", path: "*", query: [])
        }
        let pathStart = try pathStart(bytes)
        let rest = UnsafeBufferPointer(rebasing: bytes[pathStart...])
        guard PercentEncoding.isValid(rest) else { throw .badRequest("invalid percent-encoding in request-target") }
        let queryMark = rest.firstIndex(of: ASCII.question) ?? rest.count
        let rawPath = UnsafeBufferPointer(rebasing: rest[..<queryMark])
        let query = queryMark < rest.count ? UnsafeBufferPointer(rebasing: rest[(queryMark + 1)...]) : UnsafeBufferPointer(rebasing: rest[rest.count...])
        return RequestTarget(
            rawPath: rawPath.isEmpty ? "/" : String(decoding: rawPath, as: UTF8.self),
            path: try decodePath(rawPath),
            query: try parseQuery(query))
    }

    /// Where the path starts: 0 for origin-form, after the authority for absolute-form.
    private static func pathStart(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> Int {
        if bytes[0] == ASCII.slash { return 0 }
        let schemeEnd: Int
        if hasPrefixIgnoringCase(bytes, "http://") {
            schemeEnd = 7
        } else if hasPrefixIgnoringCase(bytes, "https://") {
            schemeEnd = 8
        } else {
            throw .badRequest("request-target is not origin-form, absolute-form or *")
        }
        var index = schemeEnd
        while index < bytes.count, bytes[index] != ASCII.slash, bytes[index] != ASCII.question { index += 1 }
        guard index > schemeEnd else { throw .badRequest("absolute-form request-target without host") }
        return index
    }

    private static func hasPrefixIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ prefix: StaticString) -> Bool {
        guard bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return ASCII.equalsIgnoringCase(UnsafeBufferPointer(rebasing: bytes[..<prefix.utf8CodeUnitCount]), prefix)
    }

    /// The decoded path; "/" when absolute-form had no path.
    private static func decodePath(_ rawPath: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> String {
        if rawPath.isEmpty { return "/" }
        if !rawPath.contains(ASCII.percent) { return String(decoding: rawPath, as: UTF8.self) }
        let decoded = PercentEncoding.decode(rawPath, plusIsSpace: false)
        guard !decoded.contains(0) else { throw .badRequest("NUL (%00) in path") }
        guard let path = String(validating: decoded, as: UTF8.self) else {
            throw .badRequest("percent-decoded path is not UTF-8")
        }
        return path
    }

    /// Items split on '&'; empty items ("a=1&&b=2") are skipped.
    private static func parseQuery(_ query: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> [HTTPQueryItem] {
        var items: [HTTPQueryItem] = []
        var start = 0
        while start < query.count {
            let end = query[start...].firstIndex(of: ASCII.ampersand) ?? query.count
            if end > start {
                items.append(try parseQueryItem(UnsafeBufferPointer(rebasing: query[start..<end])))
            }
            start = end + 1
        }
        assert(items.count <= query.count)
        return items
    }

    private static func parseQueryItem(_ item: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPQueryItem {
        let equals = item.firstIndex(of: ASCII.equals) ?? item.count
        let name = UnsafeBufferPointer(rebasing: item[..<equals])
        let value = equals < item.count ? UnsafeBufferPointer(rebasing: item[(equals + 1)...]) : UnsafeBufferPointer(rebasing: item[item.count...])
        guard let decodedName = PercentEncoding.decodeStrict(name, plusIsSpace: true),
              let decodedValue = PercentEncoding.decodeStrict(value, plusIsSpace: true)
        else { throw .badRequest("percent-decoded query is not UTF-8") }
        return HTTPQueryItem(name: decodedName, value: decodedValue)
    }
}
