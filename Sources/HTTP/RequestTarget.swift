// The request-target of RFC 9112 §3.2, split into the parts handlers use. Shared by the parser and
// HTTPRequest.init so that a request built in a test is checked exactly like one read off a socket.
//
// This is on the hot path of every request: one pass over the bytes classifies them, and the
// target String is reused as rawPath and path when nothing needs cutting or decoding.

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
            Result { () throws(HTTPParseError) in try parse(bytes, target: target, method: method) }
        }.get()
    }

    /// The same, for the parser: `bytes` are the UTF-8 of `target`.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, target: String, method: String) throws(HTTPParseError) -> RequestTarget {
        assert(bytes.count == target.utf8.count)
        guard !bytes.isEmpty else { throw .badRequest("empty request-target") }
        let shape = try TargetShape(bytes)
        if bytes.count == 1 && bytes[0] == UInt8(ascii: "*") {
            guard method == "OPTIONS" else { throw .badRequest("asterisk-form request-target without OPTIONS") }
            return RequestTarget(rawPath: "*", path: "*", query: [])
        }
        let pathStart = try pathStart(bytes)
        let pathEnd = shape.queryMark ?? bytes.count
        let rawPathBytes = UnsafeBufferPointer(rebasing: bytes[pathStart..<pathEnd])
        let rawPath = pathStart == 0 && pathEnd == bytes.count ? target
            : rawPathBytes.isEmpty ? "/" : String(decoding: rawPathBytes, as: UTF8.self)
        // In absolute-form the first '%' may lie in the authority, so look at the path itself.
        let hasPercentInPath = pathStart == 0 ? shape.firstPercent.map { $0 < pathEnd } ?? false
            : ASCII.firstIndex(of: ASCII.percent, in: bytes, pathStart..<pathEnd) != nil
        let path = hasPercentInPath ? try decodePath(rawPathBytes) : rawPath
        let query = shape.queryMark.map { UnsafeBufferPointer(rebasing: bytes[($0 + 1)...]) }
        return RequestTarget(rawPath: rawPath, path: path, query: try query.map(parseQuery) ?? [])
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

    /// The decoded path of a raw path holding at least one (valid) '%'.
    private static func decodePath(_ rawPath: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> String {
        let decoded = PercentEncoding.decode(rawPath, plusIsSpace: false)
        guard !decoded.contains(0) else { throw .badRequest("NUL (%00) in path") }
        guard let path = decoded.withUnsafeBufferPointer(PercentEncoding.validUTF8) else {
            throw .badRequest("percent-decoded path is not UTF-8")
        }
        return path
    }

    /// Items split on '&'; empty items ("a=1&&b=2") are skipped.
    private static func parseQuery(_ query: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> [HTTPQueryItem] {
        var items: [HTTPQueryItem] = []
        items.reserveCapacity(query.count { $0 == ASCII.ampersand } + 1)
        var start = 0
        while start < query.count {
            let end = ASCII.firstIndex(of: ASCII.ampersand, in: query, start..<query.count) ?? query.count
            if end > start {
                items.append(try parseQueryItem(UnsafeBufferPointer(rebasing: query[start..<end])))
            }
            start = end + 1
        }
        assert(items.count <= query.count)
        return items
    }

    private static func parseQueryItem(_ item: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) -> HTTPQueryItem {
        let equals = ASCII.firstIndex(of: ASCII.equals, in: item, 0..<item.count) ?? item.count
        let name = UnsafeBufferPointer(rebasing: item[..<equals])
        let value = UnsafeBufferPointer(rebasing: item[min(equals + 1, item.count)...])
        guard let decodedName = PercentEncoding.decodeStrict(name, plusIsSpace: true),
              let decodedValue = PercentEncoding.decodeStrict(value, plusIsSpace: true)
        else { throw .badRequest("percent-decoded query is not UTF-8") }
        return HTTPQueryItem(name: decodedName, value: decodedValue)
    }
}

/// What one pass over a request-target learns: that every byte is allowed and every '%' is
/// followed by two hex digits, where the query starts, and where the first '%' is.
private struct TargetShape {
    var queryMark: Int?
    var firstPercent: Int?

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(HTTPParseError) {
        var index = 0
        while index < bytes.count {
            index = WordScan.skipWords(bytes, from: index, end: bytes.count, while: Self.isPlain)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            guard ASCII.isTargetByte(byte) else { throw .badRequest("invalid byte in request-target") }
            switch byte {
            case ASCII.hash:
                throw .badRequest("fragment in request-target")
            case ASCII.question where queryMark == nil:
                queryMark = index
            case ASCII.percent:
                guard index + 2 < bytes.count, ASCII.hexValue(bytes[index + 1]) != nil, ASCII.hexValue(bytes[index + 2]) != nil
                else { throw .badRequest("invalid percent-encoding in request-target") }
                firstPercent = firstPercent ?? index
            default:
                break
            }
            index += 1
        }
        assert(queryMark.map { $0 < bytes.count } ?? true)
    }

    /// A word of visible ASCII without '#', '%' or '?': nothing to note or refuse. Once the
    /// query mark is found, '?' is plain too, but it is rare enough not to matter.
    @inline(__always)
    private static func isPlain(_ word: UInt64) -> Bool {
        !WordScan.containsByteBelow(word, 0x21) && !WordScan.containsHighByte(word)
            && !WordScan.containsByte(word, ASCII.delete) && !WordScan.containsByte(word, ASCII.hash)
            && !WordScan.containsByte(word, ASCII.percent) && !WordScan.containsByte(word, ASCII.question)
    }
}
