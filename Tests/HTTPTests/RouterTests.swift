// Proves that the router matches literals, parameters and rest segments by priority (the most specific matching pattern decides, whatever the method), decodes after splitting, answers 404 and 405 correctly, and lists the routes it was given.
import HTTP
import XCTest

final class RouterTests: XCTestCase {
    private func consulRouter() -> Router<String> {
        var router = Router<String>()
        router.add("GET", "/", "root")
        router.add("GET", "/v1/agent/self", "agent self")
        router.add("GET", "/v1/catalog/services", "services")
        router.add("GET", "/v1/catalog/service/:service", "service")
        router.add("GET", "/v1/health/service/:service", "health")
        router.add("PUT", "/v1/agent/service/register", "register")
        router.add("PUT", "/v1/agent/service/deregister/:id", "deregister")
        router.add("GET", "/v1/kv/*key", "kv get")
        router.add("PUT", "/v1/kv/*key", "kv put")
        router.add("DELETE", "/v1/kv/*key", "kv delete")
        router.add("GET", "/v1/kv/special/literal", "kv literal")
        router.add("GET", "/v1/session/info/:uuid/extra", "session extra")
        router.add("GET", "/v1/session/:action/list", "session list")
        return router
    }

    /// "handler k=v k=v" for found, "405 A,B" or "404".
    private func route(_ router: Router<String>, _ method: String, _ rawPath: String,
                       _ names: [String] = []) -> String {
        switch router.match(method: method, rawPath: rawPath) {
        case .found(let handler, let parameters):
            return ([handler] + names.map { "\($0)=\(parameters[$0] ?? "nil")" }).joined(separator: " ")
        case .methodNotAllowed(let allowed):
            return "405 " + allowed.joined(separator: ",")
        case .notFound:
            return "404"
        }
    }

    func testLiterals() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/"), "root")
        XCTAssertEqual(route(router, "GET", "/v1/agent/self"), "agent self")
        XCTAssertEqual(route(router, "GET", "/v1/catalog/services"), "services")
        XCTAssertEqual(route(router, "PUT", "/v1/agent/service/register"), "register")
        XCTAssertEqual(route(router, "GET", "/v1/agent/self/"), "404", "a trailing slash is another path")
        XCTAssertEqual(route(router, "GET", "/v1/agent"), "404")
        XCTAssertEqual(route(router, "GET", "/v1//agent/self"), "404")
        XCTAssertEqual(route(router, "GET", "/V1/agent/self"), "404", "literals are case-sensitive")
    }

    func testLiteralSegmentsCompareDecoded() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v1/%61gent/self"), "agent self")
        XCTAssertEqual(route(router, "GET", "/v1/agent%2Fself"), "404", "an encoded slash is not a separator")
    }

    func testParameters() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v1/health/service/web", ["service"]), "health service=web")
        XCTAssertEqual(route(router, "PUT", "/v1/agent/service/deregister/web-1", ["id", "other"]), "deregister id=web-1 other=nil")
        XCTAssertEqual(route(router, "GET", "/v1/health/service/", ["service"]), "404", "a parameter is never empty")
        XCTAssertEqual(route(router, "GET", "/v1/health/service/a/b"), "404")
    }

    func testEncodedSlashStaysInsideParameter() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v1/catalog/service/a%2Fb%20c", ["service"]), "service service=a/b c")
        XCTAssertEqual(route(router, "GET", "/v1/catalog/service/caf%C3%A9", ["service"]), "service service=café")
        XCTAssertEqual(route(router, "GET", "/v1/catalog/service/a+b", ["service"]), "service service=a+b", "'+' is no space in a path")
    }

    func testRestTakesTheRemainderDecoded() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v1/kv/config/app/db", ["key"]), "kv get key=config/app/db")
        XCTAssertEqual(route(router, "GET", "/v1/kv/a%2Fb/c%20d", ["key"]), "kv get key=a/b/c d")
        XCTAssertEqual(route(router, "GET", "/v1/kv/", ["key"]), "kv get key=")
        XCTAssertEqual(route(router, "GET", "/v1/kv", ["key"]), "kv get key=")
        XCTAssertEqual(route(router, "GET", "/v1/kv/dir/", ["key"]), "kv get key=dir/")
        XCTAssertEqual(route(router, "PUT", "/v1/kv/x", ["key"]), "kv put key=x")
    }

    func testPriorityAndBacktracking() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v1/kv/special/literal", ["key"]), "kv literal key=nil")
        XCTAssertEqual(route(router, "GET", "/v1/kv/special/other", ["key"]), "kv get key=special/other")
        XCTAssertEqual(route(router, "PUT", "/v1/kv/special/literal", ["key"]), "405 GET",
                       "the most specific pattern decides, as Go's mux does for Consul: no fall-back to the rest route")
        XCTAssertEqual(route(router, "GET", "/v1/session/info/abc/extra", ["uuid", "action"]), "session extra uuid=abc action=nil")
        XCTAssertEqual(route(router, "GET", "/v1/session/info/list", ["uuid", "action"]), "session list uuid=nil action=info",
                       "the literal branch fails deeper, the parameter branch matches")
    }

    func testMethodNotAllowedListsSortedUniqueMethods() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "POST", "/v1/kv/a"), "405 DELETE,GET,PUT")
        XCTAssertEqual(route(router, "POST", "/v1/kv/special/literal"), "405 GET", "the methods of the most specific matching pattern")
        XCTAssertEqual(route(router, "DELETE", "/v1/agent/self"), "405 GET")
        XCTAssertEqual(route(router, "get", "/v1/agent/self"), "405 GET", "methods are case-sensitive")
    }

    func testNotFound() {
        let router = consulRouter()
        XCTAssertEqual(route(router, "GET", "/v2/anything"), "404")
        XCTAssertEqual(route(router, "GET", "*"), "404")
        XCTAssertEqual(route(router, "GET", ""), "404")
        XCTAssertEqual(route(Router<String>(), "GET", "/"), "404")
    }

    func testRoutesListsWhatWasAddedInOrder() {
        let routes = consulRouter().routes
        XCTAssertEqual(routes.count, 13)
        XCTAssertEqual(routes.first?.method, "GET")
        XCTAssertEqual(routes.first?.pattern, "/")
        XCTAssertEqual(routes.map { "\($0.method) \($0.pattern)" }.suffix(2), ["GET /v1/session/info/:uuid/extra", "GET /v1/session/:action/list"])
    }

    func testManyLiteralSiblings() {
        var router = Router<Int>()
        let names = (0..<200).map { "n\($0 * 7919 % 1000)" }
        for (index, name) in names.enumerated() { router.add("GET", "/x/\(name)/:id", index) }
        for (index, name) in names.enumerated() {
            guard case .found(let handler, let parameters) = router.match(method: "GET", rawPath: "/x/\(name)/7") else {
                return XCTFail(name)
            }
            XCTAssertEqual(handler, index)
            XCTAssertEqual(parameters["id"], "7")
        }
        guard case .notFound = router.match(method: "GET", rawPath: "/x/n1001/7") else { return XCTFail("n1001") }
    }
}

/// Proves the router prefers a literal pattern that matches the path, even for another method.
final class RouterSpecificityTests: XCTestCase {
    func testLiteralMatchWithOtherMethodIs405NotAParameterRoute() {
        var router = Router<String>()
        router.add("GET", "/v1/agent/service/:id", "get-one")
        router.add("PUT", "/v1/agent/service/register", "register")
        switch router.match(method: "GET", rawPath: "/v1/agent/service/register") {
        case .methodNotAllowed(let allowed): XCTAssertEqual(allowed, ["PUT"])
        case .found(let handler, _): XCTFail("fell back to \(handler)")
        case .notFound: XCTFail("not found")
        }
        guard case .found("get-one", let parameters) = router.match(method: "GET", rawPath: "/v1/agent/service/web-1") else {
            return XCTFail("the parameter route still serves other IDs")
        }
        XCTAssertEqual(parameters["id"], "web-1")
    }
}
