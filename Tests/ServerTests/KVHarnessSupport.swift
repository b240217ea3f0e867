// Test support for the KV, session and txn endpoint tests: every response a request causes
// (its own and the blocking queries it wakes), JSON bodies, sessions.
import API
import HTTP
import Server
import XCTest

extension NodeHarness {
    /// Sends a request and returns every response that step produced, by request ID.
    mutating func exchange(_ method: String, _ target: String, body: String = "") throws -> (RequestID, [RequestID: HTTPResponse]) {
        sequence += 1
        let id = RequestID(connection: 1, sequence: sequence)
        let request = try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: Array(body.utf8))
        var answered: [RequestID: HTTPResponse] = [:]
        for (responseID, response) in step(.request(id, .consul, request)) { answered[responseID] = response }
        return (id, answered)
    }

    /// Sends a request that must be answered at once.
    mutating func answer(_ method: String, _ target: String, body: String = "",
                         file: StaticString = #filePath, line: UInt = #line) throws -> HTTPResponse {
        let (_, response) = try send(method, target, body: body)
        return try XCTUnwrap(response, "\(method) \(target) did not answer at once", file: file, line: line)
    }

    /// Creates a session (on `n1`, serfHealth, unless the body says otherwise) and returns its ID.
    mutating func createSession(_ body: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let response = try answer("PUT", "/v1/session/create", body: body, file: file, line: line)
        XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
        guard case .string(let id)? = try response.json()["ID"] else {
            XCTFail("no ID in \(response.text)", file: file, line: line)
            return ""
        }
        return id
    }
}

extension HTTPResponse {
    /// The body parsed as JSON.
    func json() throws -> JSON { try JSONParser.parse(body) }

    /// X-Consul-Index as a number.
    var consulIndex: UInt64? { headers["X-Consul-Index"].flatMap(UInt64.init) }
}

extension JSON {
    /// The items of an array (empty for anything else).
    var items: [JSON] {
        guard case .array(let items) = self else { return [] }
        return items
    }

    /// The number, when this is an integer.
    var intValue: Int64? {
        guard case .int(let value) = self else { return nil }
        return value
    }

    /// The text, when this is a string.
    var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }
}
