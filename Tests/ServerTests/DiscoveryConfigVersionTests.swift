// Proves that ?version beyond what SQLite can hold is a 400 naming the field, not a stopped
// process, and that the largest storable version is an ordinary 404.
import Foundation
import HTTP
import Server
import XCTest

final class DiscoveryConfigVersionTests: XCTestCase {
    func testVersionBeyondInt64IsAValidationError() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/api/v1/config/web", body: #"{"timeout_ms":1}"#, listener: .discovery)
        for version in ["9223372036854775808", "18446744073709551614", "18446744073709551616"] {
            let response = try XCTUnwrap(try harness.send("GET", "/api/v1/config/web?version=" + version, listener: .discovery).1)
            XCTAssertEqual(response.status, .badRequest, version)
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            XCTAssertEqual(((json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String, "version")
        }
        let largest = try XCTUnwrap(try harness.send("GET", "/api/v1/config/web?version=9223372036854775807", listener: .discovery).1)
        XCTAssertEqual(largest.status, .notFound)
        let first = try XCTUnwrap(try harness.send("GET", "/api/v1/config/web?version=1", listener: .discovery).1)
        XCTAssertEqual(first.status, .ok, first.text)
    }
}
