// Proves the exact bytes the response writer produces: status line, headers in order, computed Content-Length, close, Date, HEAD and bodiless statuses.
import HTTP
import XCTest

final class ResponseTests: XCTestCase {
    private func wire(_ response: HTTPResponse, keepAlive: Bool = true, headOnly: Bool = false, date: String? = nil) -> String {
        var buffer: [UInt8] = []
        response.write(into: &buffer, keepAlive: keepAlive, headOnly: headOnly, date: date)
        return String(decoding: buffer, as: UTF8.self)
    }

    func testTextResponse() {
        XCTAssertEqual(wire(.text(.ok, "hi")),
                       "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 2\r\n\r\nhi")
    }

    func testJSONWithCloseAndDate() {
        XCTAssertEqual(wire(.json(Array(#"{"a":1}"#.utf8)), keepAlive: false, date: "Sun, 06 Nov 1994 08:49:37 GMT"),
                       "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n"
                           + "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n\r\n{\"a\":1}")
        XCTAssertEqual(wire(.json(.created, Array("[]".utf8))),
                       "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]")
    }

    func testHeadOnlyKeepsLengthDropsBody() {
        XCTAssertEqual(wire(.text(.notFound, "no such key"), headOnly: true),
                       "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 11\r\n\r\n")
    }

    func testHeadersInOrderAndFramingFieldsComputed() {
        let headers = HTTPHeaders([(name: "X-Consul-Index", value: "42"), (name: "content-length", value: "999"),
                                   (name: "Vary", value: "a"), (name: "Transfer-Encoding", value: "chunked"),
                                   (name: "Vary", value: "b")])
        XCTAssertEqual(wire(HTTPResponse(status: .ok, headers: headers, body: Array("abc".utf8))),
                       "HTTP/1.1 200 OK\r\nX-Consul-Index: 42\r\nVary: a\r\nVary: b\r\nContent-Length: 3\r\n\r\nabc")
    }

    func testEmptyBodyStillHasLength() {
        XCTAssertEqual(wire(HTTPResponse(status: .ok)), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(wire(HTTPResponse(status: .methodNotAllowed, headers: HTTPHeaders([(name: "Allow", value: "GET, PUT")]))),
                       "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, PUT\r\nContent-Length: 0\r\n\r\n")
    }

    func testBodilessStatuses() {
        XCTAssertEqual(wire(HTTPResponse(status: .noContent, body: Array("ignored".utf8))), "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(wire(HTTPResponse(status: .continue)), "HTTP/1.1 100 Continue\r\n\r\n")
        XCTAssertEqual(wire(HTTPResponse(status: .noContent), keepAlive: false), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
    }

    func testValuesCannotSplitTheResponse() {
        let headers = HTTPHeaders([(name: "Location", value: "/a\r\nSet-Cookie: x=1\0\n")])
        XCTAssertEqual(wire(HTTPResponse(status: .created, headers: headers)),
                       "HTTP/1.1 201 Created\r\nLocation: /a  Set-Cookie: x=1  \r\nContent-Length: 0\r\n\r\n")
    }

    func testAppendsAfterExistingBytesAndLargeLengths() {
        var buffer = Array("previous".utf8)
        HTTPResponse(status: .ok, body: [UInt8](repeating: 65, count: 1_234_567)).write(into: &buffer, keepAlive: true)
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 1234567\r\n\r\n"
        XCTAssertEqual(String(decoding: buffer.prefix(8 + head.utf8.count), as: UTF8.self), "previous" + head)
        XCTAssertEqual(buffer.count, 8 + head.utf8.count + 1_234_567)
    }

    func testStatusesAndCustomStatus() {
        XCTAssertEqual(wire(HTTPResponse(status: HTTPStatus(code: 418, reason: "I'm a teapot"))),
                       "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n")
        let statuses: [HTTPStatus] = [.continue, .ok, .created, .noContent, .badRequest, .unauthorized, .forbidden, .notFound,
                                      .methodNotAllowed, .requestTimeout, .conflict, .payloadTooLarge, .uriTooLong,
                                      .expectationFailed, .tooManyRequests, .requestHeaderFieldsTooLarge, .internalServerError,
                                      .notImplemented, .serviceUnavailable, .httpVersionNotSupported]
        XCTAssertEqual(statuses.map(\.code), [100, 200, 201, 204, 400, 401, 403, 404, 405, 408, 409, 413, 414, 417, 429, 431,
                                              500, 501, 503, 505])
        XCTAssertTrue(statuses.allSatisfy { !$0.reason.isEmpty })
    }

    /// A parser error maps straight to the response that closes the connection.
    func testParseErrorAnswer() {
        let error = HTTPParseError(status: .badRequest, message: "bare LF in request head")
        XCTAssertEqual(wire(.text(error.status, error.message), keepAlive: false),
                       "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 23\r\n"
                           + "Connection: close\r\n\r\nbare LF in request head")
    }
}
