import HTTP

/// The query parameters of the KV endpoint that carry numbers or exclude one another
/// (consul-api.md §1.2, §2.4; hashicorp/consul agent/kvs_endpoint.go).
enum KVQueryParameters {
    /// The parameter as an unsigned 64-bit integer; nil when absent. Present but not a number
    /// (`?cas=`, `?flags=x`) is a 400 naming the parameter.
    static func unsigned(_ name: String, in request: HTTPRequest) throws(APIError) -> UInt64? {
        guard let text = request.queryValue(name) else { return nil }
        guard let value = UInt64(text) else {
            throw .badRequest("Invalid value for ?\(name): \(BodyFields.goQuoted(text)) is not an unsigned 64-bit integer")
        }
        return value
    }

    /// Consul refuses two of `flags` together with `Conflicting flags: ` and the whole query, as
    /// Go's `url.Values.Encode` writes it (sorted by name, form-encoded).
    static func refuseConflicts(_ flags: [String], in request: HTTPRequest) throws(APIError) {
        let present = flags.filter { request.hasQuery($0) }
        guard present.count > 1 else { return }
        throw .badRequest("Conflicting flags: " + encodedQuery(request.query))
    }

    /// Go's `url.Values.Encode`: names in byte order (values of one name keep their order),
    /// `name=value` joined with `&`, both escaped with `url.QueryEscape`.
    static func encodedQuery(_ items: [HTTPQueryItem]) -> String {
        let sorted = items.enumerated().sorted { a, b in
            a.element.name == b.element.name ? a.offset < b.offset : a.element.name.utf8.lexicographicallyPrecedes(b.element.name.utf8)
        }
        return sorted.map { queryEscape($0.element.name) + "=" + queryEscape($0.element.value) }.joined(separator: "&")
    }

    /// Go's `url.QueryEscape`: letters, digits and `-_.~` stay, space becomes `+`, every other
    /// byte is `%XX` (upper-case hex).
    static func queryEscape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
