/// `/docs`: the 8761 API as one self-contained HTML page (no scripts, no external files), made
/// from `DiscoveryRouteTable`, the table `/openapi.json` is made from.
enum DocsPage {
    /// The page, built once on first use.
    static let html: String = make(DiscoveryRouteTable.all)

    static func make(_ routes: [DocumentedRoute]) -> String {
        var page = head
        page += "<h1>Gravity discovery API</h1>\n<p>\(escape(OpenAPIDocument.summary))</p>\n"
        page += "<p>For tools: <a href=\"/openapi.json\">/openapi.json</a> (OpenAPI \(OpenAPIDocument.openAPIVersion)). Examples assume a dev agent: <code>gravity agent -dev</code>.</p>\n"
        page += routeIndex(routes) + conventions + loadBalancing + watchSection
        for group in DocumentedRoute.Group.allCases {
            let members = routes.filter { $0.group == group }
            guard !members.isEmpty else { continue }
            page += "<h2 id=\"\(group.rawValue)\">\(group.rawValue.prefix(1).uppercased() + group.rawValue.dropFirst())</h2>\n<p>\(escape(group.summary)).</p>\n"
            for route in members { page += section(route) }
        }
        return page + "</body>\n</html>\n"
    }

    static let head = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Gravity discovery API</title>
        <style>
        body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #1b1b1b; }
        code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
        pre { background: #f4f4f4; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
        table { border-collapse: collapse; width: 100%; }
        td, th { border-bottom: 1px solid #ddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
        .method { font-weight: bold; }
        section { border-top: 1px solid #ccc; margin-top: 1.5rem; }
        </style>
        </head>
        <body>

        """

    /// One row per route: method, path (a link to its section), summary.
    static func routeIndex(_ routes: [DocumentedRoute]) -> String {
        var rows = "<h2>Routes</h2>\n<table>\n<tr><th>Method</th><th>Path</th><th>What it does</th></tr>\n"
        for route in routes {
            rows += "<tr><td class=\"method\">\(route.method)</td><td><a href=\"#\(route.operationID)\"><code>\(escape(route.path))</code></a></td><td>\(escape(route.summary))</td></tr>\n"
        }
        return rows + "</table>\n"
    }

    static var conventions: String {
        let failure = JSON.object([
            ("success", false),
            ("error", .object([("code", "validation_error"), ("message", "port must be between 1 and 65535, got 0"),
                               ("details", .object([("field", "port")]))])),
        ])
        let success = JSON.object([("success", true), ("data", .object([("service_id", "web-1"), ("...", "...")])), ("message", "Service registered successfully")])
        return """
            <h2>Conventions</h2>
            <p>\(escape(OpenAPIDocument.conventions))</p>
            <p>A success:</p>
            <pre>\(escape(String(decoding: success.encoded(pretty: true), as: UTF8.self)))</pre>
            <p>A refusal; <code>code</code> is one of \(DiscoverySchemas.errorCodes.map { "<code>\($0.codes.joined(separator: "</code>, <code>"))</code> (\($0.status))" }.joined(separator: ", ")):</p>
            <pre>\(escape(String(decoding: failure.encoded(pretty: true), as: UTF8.self)))</pre>

            """
    }

    static let loadBalancing = """
        <h2>Load balancing</h2>
        <p><code>GET /api/v1/services/{service_name}/instance?strategy=...</code> picks one healthy instance (passing or warning; critical and maintenance are out of the pool):</p>
        <ul>
        <li><code>round_robin</code> (default): each instance in turn, by node then service_id. Each node keeps its own position.</li>
        <li><code>weighted</code>: at random, in proportion to <code>metadata.weight</code> (default 100) times <code>1 - metadata.cpu_usage/100</code> (default 0). A value that does not parse, or a cpu_usage outside 0 to 100, counts as absent.</li>
        <li><code>geographic</code>: round robin over the instances whose <code>metadata.region</code> is <code>?region</code>; over all when none is.</li>
        <li><code>least_connections</code>: the instance with the fewest active leases. The pick is a write through the replicated log, so every node counts the same leases. The answer carries <code>lease: {lease_id, expires_at}</code>: the caller holds a lease on the instance until it releases it with <code>POST /api/v1/services/{service_name}/instances/{service_id}/release?lease=&lt;lease_id&gt;</code>, or until <code>lease_ttl</code> (default 30s, at most 1h) runs out. Ties go to the instance granted the fewest leases so far.</li>
        </ul>

        """

    static var watchSection: String {
        """
        <h2>Configuration watch (WebSocket)</h2>
        <p><code>GET /api/v1/config/watch/{service_name}</code> with <code>Upgrade: websocket</code> (RFC 6455, version 13). \(escape(DiscoveryRouteTable.watchMessages))</p>
        <p>A request without the upgrade gets 426; a malformed handshake gets 400; both in the error envelope.</p>

        """
    }

    /// One route: what it does, its parameters and body, its answers, and a curl example.
    static func section(_ route: DocumentedRoute) -> String {
        var text = "<section id=\"\(route.operationID)\">\n<h3><span class=\"method\">\(route.method)</span> <code>\(escape(route.path))</code></h3>\n"
        text += "<p>\(escape(route.summary)).\(route.details.isEmpty ? "" : " " + escape(route.details))</p>\n"
        if !route.parameters.isEmpty {
            text += "<p>Parameters:</p>\n<ul>\n"
            for parameter in route.parameters {
                let traits = [parameter.location.rawValue, parameter.required ? "required" : "optional"] + (parameter.repeatable ? ["repeatable"] : [])
                text += "<li><code>\(escape(parameter.name))</code> (\(traits.joined(separator: ", "))): \(escape(parameter.description))\(values(parameter.schema))</li>\n"
            }
            text += "</ul>\n"
        }
        if let body = route.body {
            text += "<p>Body (JSON): \(escape(body.description)).</p>\n<pre>\(escape(String(decoding: body.example.encoded(pretty: true), as: UTF8.self)))</pre>\n"
        }
        text += "<p>Answers:</p>\n<ul>\n"
        for response in route.responses {
            text += "<li><code>\(response.status)</code> \(escape(response.description))\(response.content.map { " (" + escape($0.mediaType) + ")" } ?? "")</li>\n"
        }
        text += "</ul>\n<pre>\(escape(route.example))</pre>\n</section>\n"
        return text
    }

    /// ": one of a, b, c" for an enumerated parameter.
    static func values(_ schema: JSON) -> String {
        guard case .array(let items)? = schema["enum"] else { return "" }
        let names = items.compactMap { item -> String? in
            guard case .string(let name) = item else { return nil }
            return "<code>\(escape(name))</code>"
        }
        return "; one of " + names.joined(separator: ", ")
    }

    /// Text as HTML: the five characters that mean something in markup, escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
