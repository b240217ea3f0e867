/// One operation of the 8761 API as people and tools read it: the one description that both
/// `/openapi.json` (`OpenAPIDocument`) and `/docs` (`DocsPage`) are made from, so the two cannot
/// disagree. The table itself is `DiscoveryRouteTable`.
struct DocumentedRoute: Sendable {
    /// The document's tags, in the order the page shows them.
    enum Group: String, Sendable, CaseIterable {
        case probes, registration, discovery, health, configuration, metrics, documentation

        var summary: String {
            switch self {
            case .probes: "Liveness and readiness of this node"
            case .registration: "Adding and removing service instances"
            case .discovery: "Finding services and instances, with load balancing"
            case .health: "Health of one instance"
            case .configuration: "Versioned service configuration, and its WebSocket watch"
            case .metrics: "Prometheus metrics and per-service, per-instance counters"
            case .documentation: "This description, for tools and for people"
            }
        }
    }

    let method: String
    /// The OpenAPI path template: "/api/v1/services/{service_name}".
    let path: String
    let group: Group
    let operationID: String
    let summary: String
    /// More than one line, for the document and the page; may be empty.
    let details: String
    let parameters: [DocumentedParameter]
    let body: DocumentedBody?
    let responses: [DocumentedResponse]
    /// A curl command line that works against a dev agent on localhost.
    let example: String
    /// False for the one route the node answers before routing (the WebSocket config watch).
    let servedByRouter: Bool

    init(_ method: String, _ path: String, _ group: Group, _ operationID: String, summary: String, details: String = "",
         parameters: [DocumentedParameter] = [], body: DocumentedBody? = nil, responses: [DocumentedResponse],
         example: String, servedByRouter: Bool = true) {
        precondition(path.hasPrefix("/") && !responses.isEmpty, "a route has a path and answers")
        let templated = path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) }
        let declared = parameters.filter { $0.location == .path }.map(\.name)
        precondition(templated == declared, "path parameters of \(path) are declared in order: \(declared)")
        (self.method, self.path, self.group, self.operationID, self.summary, self.details) = (method, path, group, operationID, summary, details)
        (self.parameters, self.body, self.responses, self.example, self.servedByRouter) = (parameters, body, responses, example, servedByRouter)
    }
}

/// A path, query or header parameter. A `repeatable` query parameter may appear many times
/// (`?tag=a&tag=b`); `schema` describes one value.
struct DocumentedParameter: Sendable {
    enum Location: String, Sendable { case path, query, header }

    let name: String
    let location: Location
    let required: Bool
    let repeatable: Bool
    let description: String
    let schema: JSON

    static func path(_ name: String, _ description: String, _ schema: JSON) -> DocumentedParameter {
        DocumentedParameter(name: name, location: .path, required: true, repeatable: false, description: description, schema: schema)
    }

    static func query(_ name: String, _ description: String, _ schema: JSON, required: Bool = false, repeatable: Bool = false) -> DocumentedParameter {
        DocumentedParameter(name: name, location: .query, required: required, repeatable: repeatable, description: description, schema: schema)
    }

    static func header(_ name: String, _ description: String, _ schema: JSON) -> DocumentedParameter {
        DocumentedParameter(name: name, location: .header, required: true, repeatable: false, description: description, schema: schema)
    }

    /// `?pretty`: its presence, whatever its value (even "false"), indents a success envelope.
    static let pretty = query("pretty", "Present (with any value, even false): the success envelope is indented with four spaces; error envelopes are not",
                              JSONSchema.string())

    /// The OpenAPI Parameter Object.
    var openAPI: JSON {
        var members: [(String, JSON)] = [
            ("name", .string(name)), ("in", .string(location.rawValue)), ("required", .bool(required)),
            ("description", .string(description)),
        ]
        if repeatable {
            members.append(("schema", JSONSchema.array(schema)))
            members.append(("style", "form"))
            members.append(("explode", true))
        } else {
            members.append(("schema", schema))
        }
        return .object(members)
    }
}

/// A request body: a JSON document described by `schema`.
struct DocumentedBody: Sendable {
    let description: String
    let schema: JSON
    let example: JSON

    var openAPI: JSON {
        .object([
            ("description", .string(description)),
            ("required", true),
            ("content", .object([("application/json", .object([("schema", schema), ("example", example)]))])),
        ])
    }
}

/// One status a route answers with, and what its body is.
struct DocumentedResponse: Sendable {
    let status: Int
    let description: String
    /// The media type and schema of the body; nil for no body (101, 204).
    let content: (mediaType: String, schema: JSON)?
    /// Header fields this answer always carries, with their schemas.
    let headers: [(name: String, description: String, schema: JSON)]

    init(_ status: Int, _ description: String, content: (mediaType: String, schema: JSON)?,
         headers: [(name: String, description: String, schema: JSON)] = []) {
        precondition((100...599).contains(status), "an HTTP status")
        (self.status, self.description, self.content, self.headers) = (status, description, content, headers)
    }

    /// A success: the `ApiResponse` envelope around `data`.
    static func envelope(_ status: Int, _ description: String, data: JSON) -> DocumentedResponse {
        DocumentedResponse(status, description, content: ("application/json", DiscoverySchemas.envelope(data)))
    }

    /// A refusal: the error envelope with the codes of `status`.
    static func error(_ status: Int, _ description: String) -> DocumentedResponse {
        precondition(DiscoverySchemas.errorCodes.contains { $0.status == status }, "error codes for \(status) are listed")
        return DocumentedResponse(status, description, content: ("application/json", JSONSchema.ref("Error\(status)")))
    }

    static func empty(_ status: Int, _ description: String) -> DocumentedResponse {
        DocumentedResponse(status, description, content: nil)
    }

    /// The OpenAPI Response Object.
    var openAPI: JSON {
        var members: [(String, JSON)] = [("description", .string(description))]
        if !headers.isEmpty {
            members.append(("headers", .object(headers.map { header in
                (header.name, .object([("description", .string(header.description)), ("required", true), ("schema", header.schema)]))
            })))
        }
        if let content {
            members.append(("content", .object([(content.mediaType, .object([("schema", content.schema)]))])))
        }
        return .object(members)
    }
}
