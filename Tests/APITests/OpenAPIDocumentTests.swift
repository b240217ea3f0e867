// Proves that /openapi.json is an OpenAPI 3.1.0 document listing exactly the routes the 8761 router
// serves (plus the WebSocket watch the node serves), with every reference resolved, and that
// /docs names every path.
@testable import API
import HTTP
import Registry
import XCTest

final class OpenAPIDocumentTests: XCTestCase {
    private static let methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
    private static let metricsRoutes: Set<String> = ["GET /metrics", "GET /api/v1/metrics/services", "GET /api/v1/metrics/instances"]

    private func parsedDocument() throws -> [(String, JSON)] {
        guard case .object(let members) = try JSONParser.parse(OpenAPIDocument.encoded) else {
            XCTFail("the document is a JSON object")
            return []
        }
        return members
    }

    private func member(_ members: [(String, JSON)], _ key: String) -> JSON? {
        members.first { $0.0 == key }?.1
    }

    /// "GET /api/v1/services/{}" for a router pattern (":name") or a path template ("{service_name}").
    private func normalized(_ method: String, _ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix(":") || segment.hasPrefix("{") ? "{}" : String(segment)
        }
        return method.uppercased() + " " + segments.joined(separator: "/")
    }

    /// Every (method, path) of the document, normalized.
    private func documentedOperations() throws -> [String] {
        guard case .object(let paths)? = member(try parsedDocument(), "paths") else {
            XCTFail("paths is an object")
            return []
        }
        var operations: [String] = []
        for (path, item) in paths {
            guard case .object(let members) = item else { XCTFail("\(path) is a Path Item"); continue }
            for (key, _) in members where Self.methods.contains(key) { operations.append(normalized(key, path)) }
        }
        return operations
    }

    func testDocumentIsOpenAPI310() throws {
        let members = try parsedDocument()
        XCTAssertEqual(member(members, "openapi"), "3.1.0")
        XCTAssertEqual(members.map(\.0), ["openapi", "info", "servers", "tags", "paths", "components"])
        guard case .object(let info)? = member(members, "info") else { return XCTFail("info is an object") }
        XCTAssertNotNil(member(info, "title"))
        XCTAssertNotNil(member(info, "version"))
    }

    func testDocumentListsExactlyTheServedRoutes() throws {
        let served = DiscoveryAPI().routes.map { normalized($0.method, $0.pattern) }
        XCTAssertEqual(Set(served).count, served.count)
        var expected = Set(served)
        expected.insert(normalized("GET", DiscoveryAPI.configWatchPrefix + "{service_name}"))
        // The metrics routes are being written on another branch; until they are served, the
        // document describes them ahead of the router. Once any is served, all must match.
        if expected.isDisjoint(with: Self.metricsRoutes) { expected.formUnion(Self.metricsRoutes) }
        let documented = try documentedOperations()
        XCTAssertEqual(Set(documented).count, documented.count, "each operation once")
        XCTAssertEqual(Set(documented).subtracting(expected).sorted(), [], "documented but not served")
        XCTAssertEqual(expected.subtracting(documented).sorted(), [], "served but not documented")
    }

    func testOnlyTheWatchIsServedOutsideTheRouter() {
        let outside = DiscoveryRouteTable.all.filter { !$0.servedByRouter }.map { "\($0.method) \($0.path)" }
        XCTAssertEqual(outside, ["GET /api/v1/config/watch/{service_name}"])
        XCTAssertEqual(DiscoveryAPI.configWatchTarget("/api/v1/config/watch/web"), "web")
    }

    func testEveryReferenceResolves() throws {
        let members = try parsedDocument()
        guard case .object(let components)? = member(members, "components"),
              case .object(let schemas)? = member(components, "schemas") else { return XCTFail("components.schemas") }
        let names = Set(schemas.map(\.0))
        var references: [String] = []
        collectReferences(.object(members), into: &references)
        XCTAssertFalse(references.isEmpty)
        for reference in references {
            XCTAssertTrue(reference.hasPrefix("#/components/schemas/"), reference)
            XCTAssertTrue(names.contains(String(reference.dropFirst("#/components/schemas/".count))), "unresolved \(reference)")
        }
    }

    private func collectReferences(_ json: JSON, into references: inout [String]) {
        switch json {
        case .object(let members):
            for (key, value) in members {
                if key == "$ref", case .string(let target) = value { references.append(target) } else { collectReferences(value, into: &references) }
            }
        case .array(let items): for item in items { collectReferences(item, into: &references) }
        default: break
        }
    }

    func testEveryOperationHasAnIDAndAnswersWithASuccess() {
        for route in DiscoveryRouteTable.all {
            XCTAssertFalse(route.operationID.isEmpty)
            XCTAssertTrue(route.responses.contains { $0.status < 300 }, "\(route.method) \(route.path)")
            XCTAssertTrue(route.example.hasPrefix("curl "), route.example)
        }
    }

    func testErrorCodesAreTheOnesTheServerWrites() {
        for (status, codes) in DiscoverySchemas.errorCodes {
            XCTAssertTrue(codes.contains(DiscoveryError.forStatus(HTTPStatus.forCode(status), "x").code), "\(status)")
        }
        XCTAssertTrue(DiscoverySchemas.errorCodes.first { $0.status == 400 }?.codes.contains(DiscoveryError.invalid("f", "x").code) == true)
    }

    func testDurationPatternsAgreeWithTheParser() throws {
        let any = try Regex(DiscoverySchemas.durationPattern)
        let positive = try Regex(DiscoverySchemas.positiveDurationPattern)
        let samples = ["0", "0s", "30s", "1m30s", "1.5h", ".5ms", "+2µs", "3μs", "0s1ms", "00.000s", "100ns", "1h0m0s",
                       "", "5", "-1s", "1x", "s", "1.2.3s", "0.0", "00", "0s0", "1m-1s", " 1s", "1s "]
        for sample in samples {
            let nanoseconds = GoDuration.parseNanoseconds(sample)
            XCTAssertEqual(sample.firstMatch(of: any) != nil, nanoseconds.map { $0 >= 0 } ?? false, "duration \"\(sample)\"")
            XCTAssertEqual(sample.firstMatch(of: positive) != nil, nanoseconds.map { $0 > 0 } ?? false, "positive \"\(sample)\"")
        }
    }

    func testDocumentIsTheSameBytesEachTime() {
        XCTAssertEqual(OpenAPIDocument.make(DiscoveryRouteTable.all).encoded(), OpenAPIDocument.encoded)
    }

    func testDocsPageNamesEveryPathAndLoadsNothing() {
        let page = DocsPage.html
        XCTAssertTrue(page.hasPrefix("<!DOCTYPE html>"))
        for route in DiscoveryRouteTable.all {
            XCTAssertTrue(page.contains(DocsPage.escape(route.path)), route.path)
            XCTAssertTrue(page.contains(DocsPage.escape(route.example)), route.example)
        }
        XCTAssertFalse(page.contains("<script"))
        XCTAssertFalse(page.contains("src="))
        XCTAssertFalse(page.contains("https://"))
    }

    func testEscapeCoversMarkup() {
        XCTAssertEqual(DocsPage.escape(#"<a href="x">&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;")
    }
}
