// Test support for the agent, catalog and health endpoint tests: JSON answers, the responses
// that parked requests receive later, and a snapshot of the catalog to prove refusals change
// nothing.
import API
import HTTP
import Registry
import Server
import Store
import XCTest

extension NodeHarness {
    /// Sends a request and returns every response the step produced (a write can also answer
    /// requests parked earlier), with the new request's ID.
    mutating func sendCollecting(_ method: String, _ target: String, body: String = "") throws -> (RequestID, [(RequestID, HTTPResponse)]) {
        sequence += 1
        let id = RequestID(connection: 1, sequence: sequence)
        let request = try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: Array(body.utf8))
        return (id, step(.request(id, .consul, request)))
    }

    /// A request that must be answered at once; fails the test otherwise.
    mutating func must(_ method: String, _ target: String, body: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> HTTPResponse {
        let (_, response) = try send(method, target, body: body)
        return try XCTUnwrap(response, "\(method) \(target) was not answered at once", file: file, line: line)
    }

    /// A 200 JSON answer, parsed.
    mutating func getJSON(_ target: String, file: StaticString = #filePath, line: UInt = #line) throws -> JSON {
        let response = try must("GET", target, file: file, line: line)
        XCTAssertEqual(response.status, .ok, "GET \(target): \(response.text)", file: file, line: line)
        return try JSONParser.parse(response.body)
    }

    /// A write that must succeed with Consul's agent answer: 200 and an empty body.
    mutating func agentWrite(_ target: String, body: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try must("PUT", target, body: body, file: file, line: line)
        XCTAssertEqual(response.status, .ok, "PUT \(target): \(response.text)", file: file, line: line)
        XCTAssertEqual(response.text, "", file: file, line: line)
    }

    /// Everything the catalog holds, with indexes: equal snapshots mean nothing changed.
    func catalogSnapshot() throws -> CatalogSnapshot {
        CatalogSnapshot(
            nodes: try store.nodes().value, services: try store.services().value,
            checks: try store.checks(inState: nil).value)
    }

    /// The X-Consul-Index of a response, which every read must carry.
    func consulIndex(_ response: HTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> UInt64 {
        let text = try XCTUnwrap(response.headers["X-Consul-Index"], "no X-Consul-Index", file: file, line: line)
        return try XCTUnwrap(UInt64(text), file: file, line: line)
    }
}

struct CatalogSnapshot: Equatable {
    var nodes: [Indexed<Node>]
    var services: [ServiceTags]
    var checks: [Indexed<Check>]
}

/// The keys of a JSON object, in order.
func keys(_ json: JSON?) -> [String] {
    guard case .object(let members)? = json else { return [] }
    return members.map(\.0)
}

/// The members of a JSON array.
func items(_ json: JSON?) -> [JSON] {
    guard case .array(let items)? = json else { return [] }
    return items
}
