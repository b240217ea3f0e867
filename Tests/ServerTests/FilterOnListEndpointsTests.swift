// Proves ?filter= reaches every list endpoint of the catalog, agent and health families, on the
// JSON the client sees, and that a malformed expression is a 400 naming the problem.
import API
import Foundation
import HTTP
import Registry
import Server
import XCTest

final class FilterOnListEndpointsTests: XCTestCase {
    func makeHarness() throws -> NodeHarness {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","ID":"web-1","Port":80,"Tags":["prod"],"Meta":{"team":"a"},"Check":{"TTL":"1m"}}"#)
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","ID":"web-2","Port":81,"Tags":["dev"],"Check":{"TTL":"1m","Status":"passing"}}"#)
        let response = try h.must("PUT", "/v1/catalog/register",
                                  body: #"{"Node":"ext","Address":"10.0.0.2","NodeMeta":{"env":"prod"},"Service":{"Service":"db","Tags":["prod"]}}"#)
        XCTAssertEqual(response.text, "true")
        return h
    }

    func filtered(_ h: inout NodeHarness, _ path: String, _ expression: String) throws -> JSON {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        return try h.getJSON("\(path)\(path.contains("?") ? "&" : "?")filter=\(encoded)")
    }

    func testFilterAppliesToEachItemOfEveryList() throws {
        var h = try makeHarness()
        XCTAssertEqual(keys(try filtered(&h, "/v1/agent/services", #""prod" in Tags"#)), ["web-1"])
        XCTAssertEqual(keys(try filtered(&h, "/v1/agent/services", #"Meta.team == "a""#)), ["web-1"])
        XCTAssertEqual(keys(try filtered(&h, "/v1/agent/checks", #"Status == "passing""#)), ["service:web-2"])
        XCTAssertEqual(items(try filtered(&h, "/v1/catalog/nodes", #"Meta.env == "prod""#)).map { $0["Node"] }, ["ext"])
        XCTAssertEqual(items(try filtered(&h, "/v1/catalog/service/web", "ServicePort == 81")).map { $0["ServiceID"] }, ["web-2"])
        XCTAssertEqual(try filtered(&h, "/v1/catalog/services", #""prod" in ServiceTags"#),
                       .object([("db", .array(["prod"])), ("web", .array(["prod"]))]), "rebuilt from the matching instances")
        XCTAssertEqual(keys(try filtered(&h, "/v1/catalog/node/n1", #"ID == "web-2""#)["Services"]), ["web-2"])
        XCTAssertEqual(items(try filtered(&h, "/v1/catalog/node-services/n1", #"Port == 80"#)["Services"]).map { $0["ID"] }, ["web-1"])
        XCTAssertEqual(items(try filtered(&h, "/v1/health/service/web", #"Service.Port == 80"#)).map { $0["Service"]?["ID"] }, ["web-1"])
        XCTAssertEqual(items(try filtered(&h, "/v1/health/service/web", #"Checks.Status == "critical""#)).map { $0["Service"]?["ID"] }, ["web-1"])
        XCTAssertEqual(items(try filtered(&h, "/v1/health/node/n1", #"ServiceID == """#)).map { $0["CheckID"] }, ["serfHealth"])
        XCTAssertEqual(items(try filtered(&h, "/v1/health/checks/web", #"ServiceID == "web-2""#)).count, 1)
        XCTAssertEqual(items(try filtered(&h, "/v1/health/state/any", #"Node == "ext""#)), [])
    }

    func testMalformedFilterIsA400NamingTheProblem() throws {
        var h = try makeHarness()
        let response = try h.must("GET", "/v1/catalog/nodes?filter=Node%20%3D%3D")
        XCTAssertEqual(response.status, .badRequest)
        XCTAssertTrue(response.text.hasPrefix("invalid filter"), response.text)
        XCTAssertEqual(try h.must("GET", "/v1/agent/services?filter=%28").status, .badRequest)
    }
}
