/// `/openapi.json`: the OpenAPI 3.1.0 document of the 8761 API, made from `DiscoveryRouteTable`
/// (which `/docs` reads too). Keys keep the table's order, so every node serves the same bytes.
enum OpenAPIDocument {
    static let openAPIVersion = "3.1.0"

    /// The document, built once on first use.
    static let document: JSON = make(DiscoveryRouteTable.all)
    /// Its compact encoding, as `/openapi.json` sends it.
    static let encoded: [UInt8] = document.encoded()

    static func make(_ routes: [DocumentedRoute]) -> JSON {
        let operations = routes.map { "\($0.method) \($0.path)" }
        precondition(Set(operations).count == routes.count, "each (method, path) is described once")
        precondition(Set(routes.map(\.operationID)).count == routes.count, "operation IDs are unique")
        return .object([
            ("openapi", .string(openAPIVersion)),
            ("info", info),
            ("servers", .array([.object([("url", .string(DiscoveryRouteTable.base)), ("description", "A dev agent (gravity agent -dev)")])])),
            ("tags", .array(DocumentedRoute.Group.allCases.map { .object([("name", .string($0.rawValue)), ("description", .string($0.summary))]) })),
            ("paths", paths(routes)),
            ("components", .object([("schemas", .object(DiscoverySchemas.all))])),
        ])
    }

    static let summary = """
        Gravity's discovery API: service registration, load-balanced discovery, instance health, \
        versioned service configuration with a WebSocket watch, and metrics. It reads and writes \
        the same replicated state as the Consul-compatible API on port 8500.
        """

    static let conventions = """
        Success bodies are the ApiResponse envelope {"success": true, "data": ..., "message": "..."}; \
        ?pretty indents them. Every refusal, on every route, is the error envelope \
        {"success": false, "error": {"code", "message", "details"}}, with details {"field": ...} \
        for validation_error and null otherwise. A path no route matches is a 404 (not_found); a \
        method a path does not take is a 405 (method_not_allowed) with an Allow header. A request \
        that is not well-formed HTTP is answered by the connection itself, in text/plain, and the \
        connection closes.
        """

    static var info: JSON {
        .object([
            ("title", "Gravity discovery API"),
            ("version", "1.0.0"),
            ("description", .string(summary + "\n\n" + conventions)),
        ])
    }

    /// The Paths Object: one Path Item per path, in the order the table first names it.
    static func paths(_ routes: [DocumentedRoute]) -> JSON {
        var order: [String] = []
        var operations: [String: [(String, JSON)]] = [:]
        for route in routes {
            if operations[route.path] == nil { order.append(route.path) }
            operations[route.path, default: []].append((route.method.lowercased(), operation(route)))
        }
        assert(order.count == Set(routes.map(\.path)).count)
        return .object(order.map { ($0, .object(operations[$0] ?? [])) })
    }

    /// The Operation Object of one route.
    static func operation(_ route: DocumentedRoute) -> JSON {
        var members: [(String, JSON)] = [
            ("operationId", .string(route.operationID)),
            ("tags", .array([.string(route.group.rawValue)])),
            ("summary", .string(route.summary)),
        ]
        let example = "Example: " + route.example
        members.append(("description", .string(route.details.isEmpty ? example : route.details + "\n\n" + example)))
        if !route.parameters.isEmpty { members.append(("parameters", .array(route.parameters.map(\.openAPI)))) }
        if let body = route.body { members.append(("requestBody", body.openAPI)) }
        let statuses = route.responses.map(\.status)
        precondition(statuses == statuses.sorted() && Set(statuses).count == statuses.count,
                     "\(route.method) \(route.path): responses once each, in status order")
        members.append(("responses", .object(route.responses.map { (String($0.status), $0.openAPI) })))
        return .object(members)
    }
}
