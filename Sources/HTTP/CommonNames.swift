// Strings for the methods and header names nearly every request carries. Returning a literal
// (an immortal String) when the bytes match it exactly saves building the same String for every
// request; any other spelling is built from the bytes, so names still arrive exactly as sent.

/// Interned methods and header names.
enum CommonNames {
    /// The method as a String; `bytes` is a token.
    static func method(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch bytes.count {
        case 3 where matches(bytes, "GET"): "GET"
        case 3 where matches(bytes, "PUT"): "PUT"
        case 4 where matches(bytes, "POST"): "POST"
        case 4 where matches(bytes, "HEAD"): "HEAD"
        case 6 where matches(bytes, "DELETE"): "DELETE"
        case 7 where matches(bytes, "OPTIONS"): "OPTIONS"
        default: String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The header name as a String; `bytes` is a token.
    static func headerName(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch bytes.count {
        case 4 where matches(bytes, "Host"): "Host"
        case 6 where matches(bytes, "Accept"): "Accept"
        case 6 where matches(bytes, "Expect"): "Expect"
        case 10 where matches(bytes, "User-Agent"): "User-Agent"
        case 10 where matches(bytes, "Connection"): "Connection"
        case 12 where matches(bytes, "Content-Type"): "Content-Type"
        case 13 where matches(bytes, "Authorization"): "Authorization"
        case 14 where matches(bytes, "Content-Length"): "Content-Length"
        case 14 where matches(bytes, "X-Consul-Token"): "X-Consul-Token"
        case 15 where matches(bytes, "Accept-Encoding"): "Accept-Encoding"
        case 17 where matches(bytes, "Transfer-Encoding"): "Transfer-Encoding"
        default: String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Exact (case-sensitive) comparison; the caller has checked the length.
    @inline(__always)
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        assert(bytes.count == literal.utf8CodeUnitCount)
        return literal.withUTF8Buffer { expected in
            var index = 0
            while index < expected.count && expected[index] == bytes[index] { index += 1 }
            return index == expected.count
        }
    }
}
