/// Builders for JSON Schema 2020-12, the dialect of OpenAPI 3.1, as `JSON` values with their
/// keys in a fixed order (so `/openapi.json` is the same bytes on every node and every run).
/// Nullable is 3.1's way: `"type": [T, "null"]`, never 3.0's `nullable: true`.
enum JSONSchema {
    static func string(_ description: String? = nil, format: String? = nil, pattern: String? = nil,
                       minLength: Int? = nil, maxLength: Int? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "string")]
        if let format { members.append(("format", .string(format))) }
        if let pattern { members.append(("pattern", .string(pattern))) }
        if let minLength { members.append(("minLength", .int(Int64(minLength)))) }
        if let maxLength { members.append(("maxLength", .int(Int64(maxLength)))) }
        return described(.object(members), description)
    }

    /// A string that is one of `values`.
    static func enumeration(_ values: [String], _ description: String? = nil) -> JSON {
        precondition(!values.isEmpty, "an enum needs values")
        return described(.object([("type", "string"), ("enum", .array(values.map { .string($0) }))]), description)
    }

    /// Exactly the string `value`.
    static func constant(_ value: String) -> JSON {
        .object([("type", "string"), ("const", .string(value))])
    }

    static func integer(_ description: String? = nil, minimum: Int64? = nil, maximum: Int64? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "integer")]
        if let minimum { members.append(("minimum", .int(minimum))) }
        if let maximum { members.append(("maximum", .int(maximum))) }
        return described(.object(members), description)
    }

    static func number(_ description: String? = nil, minimum: Int64? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "number")]
        if let minimum { members.append(("minimum", .int(minimum))) }
        return described(.object(members), description)
    }

    static func boolean(_ description: String? = nil) -> JSON {
        described(.object([("type", "boolean")]), description)
    }

    static func array(_ items: JSON, _ description: String? = nil, minItems: Int? = nil) -> JSON {
        var members: [(String, JSON)] = [("type", "array"), ("items", items)]
        if let minItems { members.append(("minItems", .int(Int64(minItems)))) }
        return described(.object(members), description)
    }

    /// An object with these properties, all of them required except `optional`. A `closed`
    /// object (the server's own answers) has no other members; an open one may (request bodies,
    /// whose unknown keys the server ignores).
    static func object(_ properties: [(String, JSON)], optional: [String] = [], closed: Bool = true,
                       _ description: String? = nil) -> JSON {
        assert(optional.allSatisfy { name in properties.contains { $0.0 == name } }, "optional names a property")
        assert(Set(properties.map(\.0)).count == properties.count, "property names are unique")
        let required = properties.map(\.0).filter { !optional.contains($0) }
        var members: [(String, JSON)] = [("type", "object")]
        if !required.isEmpty { members.append(("required", .array(required.map { .string($0) }))) }
        members.append(("properties", .object(properties)))
        if closed { members.append(("additionalProperties", false)) }
        return described(.object(members), description)
    }

    /// An object whose every member is `values` (a string map, such as `metadata`).
    static func map(_ values: JSON, _ description: String? = nil) -> JSON {
        described(.object([("type", "object"), ("additionalProperties", values)]), description)
    }

    /// Any JSON object.
    static func anyObject(_ description: String? = nil) -> JSON {
        described(.object([("type", "object")]), description)
    }

    /// A reference to `#/components/schemas/<name>`.
    static func ref(_ name: String) -> JSON {
        .object([("$ref", .string("#/components/schemas/" + name))])
    }

    static func anyOf(_ schemas: [JSON], _ description: String? = nil) -> JSON {
        precondition(schemas.count >= 2, "anyOf of one schema is that schema")
        return described(.object([("anyOf", .array(schemas))]), description)
    }

    /// `schema` or null: `"type": [T, "null"]` for a typed schema, `anyOf` with null otherwise.
    static func nullable(_ schema: JSON) -> JSON {
        assert(schema["enum"] == nil && schema["const"] == nil, "null would have to join the enum too")
        guard case .object(var members) = schema, let position = members.firstIndex(where: { $0.0 == "type" }),
              case .string(let type) = members[position].1 else {
            return anyOf([schema, .object([("type", "null")])])
        }
        members[position].1 = .array([.string(type), "null"])
        return .object(members)
    }

    /// `schema` with a `description` member, when there is one to add.
    static func described(_ schema: JSON, _ description: String?) -> JSON {
        guard let description else { return schema }
        guard case .object(var members) = schema else { preconditionFailure("a schema is an object") }
        members.append(("description", .string(description)))
        return .object(members)
    }
}
