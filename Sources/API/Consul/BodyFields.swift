import Registry

/// Typed reads of one JSON object of a request body, the way Go's `encoding/json` fills a Consul
/// struct (consul-api.md §1.3): keys match case-insensitively, a field may have snake_case
/// aliases, `null` means "not given", unknown keys are ignored (Gravity is lenient where Consul
/// refuses), and a value of the wrong JSON type is a 400 that names the field:
/// `Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int`.
struct BodyFields {
    /// The object's members, in document order.
    let json: JSON
    /// Where the object sits, for messages: "ServiceDefinition", "ServiceDefinition.Checks", ...
    let path: String
    /// The members' names folded once (`JSON.foldedKey`), in document order: a decoder asks
    /// for every field it knows, most of them absent, and comparing each name against each
    /// field through case-insensitive string comparison was a tenth of a registration's
    /// instructions. Two folded small strings compare as two machine words.
    private let foldedNames: [String]

    /// Wraps `json`, which must be an object (`null` reads as an empty object, as Go leaves the
    /// struct untouched).
    init(_ json: JSON, path: String, goType: String) throws(APIError) {
        switch json {
        case .object: self.init(member: json, path: path)
        case .null: self.init(member: .object([]), path: path)
        default:
            throw Self.refusal("json: cannot unmarshal \(Self.kind(json)) into Go value of type \(goType)")
        }
    }

    private init(member json: JSON, path: String) {
        guard case .object(let members) = json else { preconditionFailure("BodyFields wraps an object") }
        self.json = json
        self.path = path
        foldedNames = members.map { JSON.foldedKey($0.0) }
    }

    // MARK: Scalars

    /// A string field; nil when absent or null.
    func string(_ keys: String...) throws(APIError) -> String? {
        guard let (key, value) = lookup(keys) else { return nil }
        return try Self.string(value, field: field(key))
    }

    /// An integer field (Go `int`); a number with a fraction or out of range is refused as Go
    /// refuses it.
    func int(_ keys: String...) throws(APIError) -> Int? {
        guard let (key, value) = lookup(keys) else { return nil }
        switch value {
        case .int(let number):
            guard let result = Int(exactly: number) else { throw mismatch("number \(number)", key, "int") }
            return result
        case .double(let number):
            guard number == number.rounded(), let result = Int(exactly: number) else {
                throw mismatch("number \(number)", key, "int")
            }
            return result
        default:
            throw mismatch(Self.kind(value), key, "int")
        }
    }

    /// A boolean field.
    func bool(_ keys: String...) throws(APIError) -> Bool? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(Self.kind(value), key, "bool") }
        return flag
    }

    /// A duration field in nanoseconds: a Go duration string ("10s", "1m30s") or a JSON number
    /// of nanoseconds (consul-api.md §1.3).
    func duration(_ keys: String...) throws(APIError) -> Int64? {
        guard let (key, value) = lookup(keys) else { return nil }
        switch value {
        case .int(let nanoseconds): return nanoseconds
        case .double(let nanoseconds):
            guard nanoseconds.magnitude < 9.2e18 else { throw mismatch("number \(nanoseconds)", key, "time.Duration") }
            return Int64(nanoseconds)
        case .string(let text):
            guard let nanoseconds = GoDuration.parseNanoseconds(text) else {
                throw Self.refusal("time: invalid duration \(Self.goQuoted(text)) in \(field(key))")
            }
            return nanoseconds
        default:
            throw mismatch(Self.kind(value), key, "time.Duration")
        }
    }

    // MARK: Collections

    /// A list of strings (Go `[]string`); a null item reads as "", as Go decodes it.
    func strings(_ keys: String...) throws(APIError) -> [String]? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .array(let items) = value else { throw mismatch(Self.kind(value), key, "[]string") }
        var result: [String] = []
        for item in items {
            result.append(item == .null ? "" : try Self.string(item, field: field(key)))
        }
        return result
    }

    /// A map of strings (Go `map[string]string`): Meta, NodeMeta, node TaggedAddresses.
    func stringMap(_ keys: String...) throws(APIError) -> [String: String]? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .object(let members) = value else { throw mismatch(Self.kind(value), key, "map[string]string") }
        var result: [String: String] = [:]
        for (name, item) in members {
            result[name] = item == .null ? "" : try Self.string(item, field: field(key))
        }
        return result
    }

    /// A map of string lists (Go `map[string][]string`): HTTP check headers.
    func stringListMap(_ keys: String...) throws(APIError) -> [String: [String]]? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .object(let members) = value else { throw mismatch(Self.kind(value), key, "map[string][]string") }
        var result: [String: [String]] = [:]
        for (name, item) in members {
            switch item {
            case .null: result[name] = []
            case .array(let values):
                var strings: [String] = []
                for value in values { strings.append(value == .null ? "" : try Self.string(value, field: field(key))) }
                result[name] = strings
            default: throw mismatch(Self.kind(item), key, "[]string")
            }
        }
        return result
    }

    /// A nested object; nil when absent or null.
    func object(_ keys: String...) throws(APIError) -> BodyFields? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .object = value else { throw mismatch(Self.kind(value), key, "struct") }
        return BodyFields(member: value, path: field(key))
    }

    /// A list of objects; nil when absent or null, a null item reads as an empty object.
    func objects(_ keys: String...) throws(APIError) -> [BodyFields]? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .array(let items) = value else { throw mismatch(Self.kind(value), key, "[]struct") }
        var result: [BodyFields] = []
        for item in items {
            switch item {
            case .object: result.append(BodyFields(member: item, path: field(key)))
            case .null: result.append(BodyFields(member: .object([]), path: field(key)))
            default: throw mismatch(Self.kind(item), key, "struct")
            }
        }
        return result
    }

    /// A map of objects (Go `map[string]T`), keys in document order.
    func objectMap(_ keys: String...) throws(APIError) -> [(String, BodyFields)]? {
        guard let (key, value) = lookup(keys) else { return nil }
        guard case .object(let members) = value else { throw mismatch(Self.kind(value), key, "map[string]struct") }
        var result: [(String, BodyFields)] = []
        for (name, item) in members {
            switch item {
            case .object: result.append((name, BodyFields(member: item, path: field(key))))
            case .null: result.append((name, BodyFields(member: .object([]), path: field(key))))
            default: throw mismatch(Self.kind(item), key, "struct")
            }
        }
        return result
    }

    /// True when any of `keys` is present with a non-null value.
    func has(_ keys: String...) -> Bool {
        lookup(keys) != nil
    }

    // MARK: Helpers

    /// The first of `keys` present with a non-null value, each matched as `JSON`'s subscript
    /// matches (the last exact match, else the last match ignoring case), so "Name" finds
    /// "name" and "NAME". Keys are ASCII field names, whose folding keeps their length: only
    /// members whose folded name is as long can match, and most fields a decoder asks for are
    /// absent, so the key is folded only when some member is a candidate.
    private func lookup(_ keys: [String]) -> (String, JSON)? {
        guard case .object(let members) = json else { return nil }
        for key in keys {
            assert(key.utf8.allSatisfy { $0 < 0x80 }, "field names are ASCII: \(key)")
            let length = key.utf8.count
            var folded: String?
            var match: JSON?
            for position in members.indices.reversed() where foldedNames[position].utf8.count == length {
                if members[position].0 == key {
                    match = members[position].1
                    break
                }
                if match != nil { continue }
                if folded == nil { folded = JSON.foldedKey(key) }
                if foldedNames[position] == folded { match = members[position].1 }
            }
            if let match, match != .null { return (keys[0], match) }
        }
        return nil
    }

    private func field(_ key: String) -> String { path + "." + key }

    private func mismatch(_ kind: String, _ key: String, _ goType: String) -> APIError {
        Self.refusal("json: cannot unmarshal \(kind) into Go struct field \(field(key)) of type \(goType)")
    }

    /// `field` names the field only in the refusal, so it is built only for one.
    private static func string(_ value: JSON, field: @autoclosure () -> String) throws(APIError) -> String {
        guard case .string(let text) = value else {
            throw refusal("json: cannot unmarshal \(kind(value)) into Go struct field \(field()) of type string")
        }
        return text
    }

    /// Go's names for JSON kinds in its decode errors.
    static func kind(_ value: JSON) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int, .uint, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    static func refusal(_ message: String) -> APIError {
        .badRequest("Request decode failed: " + message)
    }

    /// Go's `%q` for the messages that quote what the client sent.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                out += scalar.value < 0x20 || scalar.value == 0x7f ? scalar.escaped(asASCII: true) : String(scalar)
            }
        }
        return out + "\""
    }

    /// Runs a Registry validation or parse; its message becomes the 400's body (consul-api.md §1.2).
    static func validated<T>(_ body: () throws(ValidationError) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw .badRequest(error.message)
        }
    }
}
