// Test support for the KV, session and txn endpoint tests (with ConsulHarnessSupport's `must`
// and `sendCollecting`): sessions, JSON bodies, and the answer a parked request received.
import API
import HTTP
import Server
import XCTest

extension NodeHarness {
    /// Creates a session (on `n1`, serfHealth, unless the body says otherwise) and returns its ID.
    mutating func createSession(_ body: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let response = try must("PUT", "/v1/session/create", body: body, file: file, line: line)
        XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
        guard case .string(let id)? = try response.json()["ID"] else {
            XCTFail("no ID in \(response.text)", file: file, line: line)
            return ""
        }
        return id
    }
}

/// The response `id` received among `responses`, if any.
func answer(to id: RequestID, in responses: [(RequestID, HTTPResponse)]) -> HTTPResponse? {
    responses.first { $0.0 == id }?.1
}

extension HTTPResponse {
    /// The body parsed as JSON.
    func json() throws -> JSON { try JSONParser.parse(body) }

    /// X-Consul-Index as a number.
    var consulIndex: UInt64? { headers["X-Consul-Index"].flatMap(UInt64.init) }
}

extension JSON {
    /// The items of an array (empty for anything else), for chains like `json().items.first`.
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
