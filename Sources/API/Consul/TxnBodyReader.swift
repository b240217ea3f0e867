import Registry

/// Reads the fields of one JSON object of a request body the way Go's `encoding/json` fills a
/// struct (consul-api.md §1.3): keys match case-insensitively, `null` or a missing key leave the
/// default, unknown keys are ignored, and a value of the wrong kind is a 400 that names the field.
/// Shared by the txn and session decoders.
struct BodyReader {
    /// The object's members; empty for `null`.
    private let json: JSON
    /// The Go-style path of this object for messages, e.g. "TxnOp.KV".
    let path: String
    /// What every refusal starts with: Consul's "Request decode failed: " or "Failed to parse body: ".
    let prefix: String

    /// Reads `json`, which must be an object (or `null`, read as an empty object).
    init(_ json: JSON, path: String, prefix: String) throws(APIError) {
        self.path = path
        self.prefix = prefix
        switch json {
        case .object, .null: self.json = json
        default: throw APIError.badRequest("\(prefix)json: cannot unmarshal \(Self.kind(of: json)) into Go value of type \(path)")
        }
    }

    /// True when the object has `key` (in any letter case), even with a `null` value.
    func has(_ key: String) -> Bool {
        json[key] != nil
    }

    /// The raw value of `key`, nil when absent or `null`.
    func value(_ key: String) -> JSON? {
        guard let value = json[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, value, "string") }
        return text
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(key, value, "bool") }
        return flag
    }

    /// An unsigned integer; a JSON number that is not a whole number in range is refused.
    func uint64(_ key: String) throws(APIError) -> UInt64? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let number) where number >= 0: return UInt64(number)
        case .double(let number) where number >= 0 && number < 0x1p64 && number == number.rounded():
            return UInt64(number)
        default: throw mismatch(key, value, "uint64")
        }
    }

    /// A signed integer that fits an `Int`.
    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .int(let number) = value, let fitted = Int(exactly: number) else { throw mismatch(key, value, "int") }
        return fitted
    }

    /// A list of strings; `null` items are refused (Go would store "").
    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw mismatch(key, value, "[]string") }
        var texts: [String] = []
        for item in items {
            guard case .string(let text) = item else { throw mismatch(key, item, "string") }
            texts.append(text)
        }
        return texts
    }

    /// A string-to-string map.
    func stringMap(_ key: String) throws(APIError) -> [String: String]? {
        guard let value = value(key) else { return nil }
        guard case .object(let members) = value else { throw mismatch(key, value, "map[string]string") }
        var map: [String: String] = [:]
        for (name, item) in members {
            guard case .string(let text) = item else { throw mismatch(key, item, "string") }
            map[name] = text
        }
        return map
    }

    /// A duration: a Go duration string ("10s", "1m30s") or a number of nanoseconds (also
    /// leniently as a string of digits, which Go would refuse for want of a unit).
    func duration(_ key: String) throws(APIError) -> Int64? {
        guard let value = value(key) else { return nil }
        switch value {
        case .int(let nanoseconds):
            return nanoseconds
        case .double(let nanoseconds) where nanoseconds.magnitude < 9.2e18:
            return Int64(nanoseconds)
        case .string(let text):
            guard let nanoseconds = GoDuration.parseNanoseconds(text) ?? Int64(text) else {
                throw APIError.badRequest("\(prefix)\(path).\(key): time: invalid duration \"\(text)\"")
            }
            return nanoseconds
        default:
            throw mismatch(key, value, "time.Duration")
        }
    }

    /// The first of `keys` that holds a duration (a field and the other name it goes by).
    func duration(_ keys: String...) throws(APIError) -> Int64? {
        for key in keys {
            if let nanoseconds = try duration(key) { return nanoseconds }
        }
        return nil
    }

    /// A nested object, read with the same rules.
    func object(_ key: String, type: String) throws(APIError) -> BodyReader? {
        guard let value = value(key) else { return nil }
        guard case .object = value else { throw mismatch(key, value, type) }
        return try BodyReader(value, path: type, prefix: prefix)
    }

    /// A nested object, or an empty one when absent or `null` (Go leaves the struct zeroed).
    func objectOrEmpty(_ key: String, type: String) throws(APIError) -> BodyReader {
        if let nested = try object(key, type: type) { return nested }
        return try BodyReader(.null, path: type, prefix: prefix)
    }

    /// Go's text for a value of the wrong kind, naming the field.
    func mismatch(_ key: String, _ value: JSON, _ goType: String) -> APIError {
        .badRequest("\(prefix)json: cannot unmarshal \(Self.kind(of: value)) into Go struct field \(path).\(key) of type \(goType)")
    }

    /// Go's word for the kind of a JSON value.
    static func kind(of value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
