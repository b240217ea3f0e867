// Proves that HTTPRequest.init checks and splits a target as documented, and that headers look up case-insensitively.
import HTTP
import XCTest

final class RequestTests: XCTestCase {
    func testInitSplitsAndDecodesTarget() throws {
        let request = try HTTPRequest(method: "GET", target: "/v1/kv/a%2Fb%20c?q=x+y%26z&q=2&flag", version: .http1_1,
                                      headers: HTTPHeaders([(name: "Host", value: "x")]), body: [])
        XCTAssertEqual(request.rawPath, "/v1/kv/a%2Fb%20c")
        XCTAssertEqual(request.path, "/v1/kv/a/b c")
        XCTAssertEqual(request.query, [HTTPQueryItem(name: "q", value: "x y&z"), HTTPQueryItem(name: "q", value: "2"),
                                       HTTPQueryItem(name: "flag", value: "")])
        XCTAssertEqual(request.queryValue("q"), "x y&z")
        XCTAssertNil(request.queryValue("missing"))
        XCTAssertTrue(request.hasQuery("flag"))
        XCTAssertFalse(request.hasQuery("Flag"), "query names are case-sensitive")
        XCTAssertTrue(request.keepAlive)
    }

    func testInitRefusesWhatParserRefuses() {
        let cases: [(String, String, String)] = [
            ("GET", "/a%zz", "invalid percent-encoding in request-target"),
            ("GET", "/a%00", "NUL (%00) in path"),
            ("GET", "a", "request-target is not origin-form, absolute-form or *"),
            ("GET", "*", "asterisk-form request-target without OPTIONS"),
            ("GET", "", "empty request-target"),
            ("GET", "/a b", "invalid byte in request-target"),
            ("GE T", "/", "method is not a token"),
        ]
        for (method, target, message) in cases {
            XCTAssertThrowsError(try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders(), body: [])) {
                XCTAssertEqual($0 as? HTTPParseError, HTTPParseError(status: .badRequest, message: message), target)
            }
        }
    }

    func testKeepAliveFollowsVersionAndConnection() throws {
        func keepAlive(_ version: HTTPVersion, _ connection: String?) throws -> Bool {
            let headers = HTTPHeaders(connection.map { [(name: "Connection", value: $0)] } ?? [])
            return try HTTPRequest(method: "GET", target: "/", version: version, headers: headers, body: []).keepAlive
        }
        XCTAssertTrue(try keepAlive(.http1_1, nil))
        XCTAssertFalse(try keepAlive(.http1_1, "close"))
        XCTAssertFalse(try keepAlive(.http1_1, "Upgrade, Close"))
        XCTAssertTrue(try keepAlive(.http1_1, "closed"))
        XCTAssertFalse(try keepAlive(.http1_0, nil))
        XCTAssertTrue(try keepAlive(.http1_0, " Keep-Alive "))
        XCTAssertFalse(try keepAlive(.http1_0, "keep-alive, close"))
    }

    func testHeadersLookupIsCaseInsensitiveAndOrdered() {
        var headers = HTTPHeaders([(name: "Accept", value: "a"), (name: "X-Tag", value: "1")])
        headers.add("x-tag", "2")
        headers.add("X-TAG", "3")
        XCTAssertEqual(headers["ACCEPT"], "a")
        XCTAssertEqual(headers["x-Tag"], "1")
        XCTAssertEqual(headers.values("X-tag"), ["1", "2", "3"])
        XCTAssertNil(headers["Missing"])
        XCTAssertEqual(headers.values("Missing"), [])
        XCTAssertEqual(headers.fields.map(\.name), ["Accept", "X-Tag", "x-tag", "X-TAG"])
        XCTAssertNotEqual(headers, HTTPHeaders([(name: "accept", value: "a")]))
        XCTAssertEqual(HTTPHeaders([(name: "A", value: "1")]), HTTPHeaders([(name: "A", value: "1")]))
        XCTAssertNotEqual(HTTPHeaders([(name: "A", value: "1")]), HTTPHeaders([(name: "a", value: "1")]))
    }
}
