import HTTP

/// `/openapi.json` (OpenAPI 3.1 description of every 8761 route) and `/docs` (a page for people).
/// Both are made once, from `DiscoveryRouteTable`, and never change while the process runs.
enum DiscoveryDocsEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("GET", "/openapi.json") { _ in .response(.json(.ok, OpenAPIDocument.encoded)) }
        router.add("GET", "/docs") { _ in .response(page) }
    }

    static var page: HTTPResponse {
        HTTPResponse(status: .ok, headers: HTTPHeaders([(name: "Content-Type", value: "text/html; charset=utf-8")]),
                     body: Array(DocsPage.html.utf8))
    }
}
