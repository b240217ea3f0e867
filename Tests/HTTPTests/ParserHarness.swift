// Helpers that feed a parser in pieces and render its events as short comparable strings.
import HTTP
import XCTest

/// A request fed to the parser and the events expected when it is fed whole.
struct Fixture {
    let name: String
    let input: [UInt8]
    let expected: [String]
    var limits = HTTPParserLimits()

    init(_ name: String, _ input: String, _ expected: [String], limits: HTTPParserLimits = HTTPParserLimits()) {
        self.name = name
        self.input = Array(input.utf8)
        self.expected = expected
        self.limits = limits
    }

    init(_ name: String, bytes: [UInt8], _ expected: [String], limits: HTTPParserLimits = HTTPParserLimits()) {
        self.name = name
        self.input = bytes
        self.expected = expected
        self.limits = limits
    }
}

enum Harness {
    /// "GET /path?n=v&m=w 1.1 h2 body=\"...\" keep" for a request, "100-continue", or "400 message".
    static func render(_ event: HTTPParserEvent) -> String {
        switch event {
        case .request(let request): render(request)
        case .expectContinue: "100-continue"
        case .error(let error): "\(error.status.code) \(error.message)"
        }
    }

    static func render(_ request: HTTPRequest) -> String {
        let query = request.query.isEmpty ? "" : "?" + request.query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let version = request.version == .http1_1 ? "1.1" : "1.0"
        let body = String(decoding: request.body, as: UTF8.self)
        return "\(request.method) \(request.path)\(query) \(version) h\(request.headers.fields.count) "
            + "body=\"\(body)\" \(request.keepAlive ? "keep" : "close")"
    }

    /// Feeds `pieces` in order, draining events after each, and checks that nothing comes after an
    /// error, even when more bytes are fed.
    static func events(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits,
                       file: StaticString = #filePath, line: UInt = #line) -> [HTTPParserEvent] {
        var parser = HTTPRequestParser(limits: limits)
        var events: [HTTPParserEvent] = []
        for piece in pieces {
            parser.feed(Array(piece))
            while let event = parser.next() { events.append(event) }
        }
        if case .error = events.last {
            XCTAssertTrue(parser.hasFailed, file: file, line: line)
            parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            XCTAssertNil(parser.next(), "an event after an error", file: file, line: line)
        } else {
            XCTAssertFalse(parser.hasFailed, file: file, line: line)
        }
        return events
    }

    static func renderedEvents(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits) -> [String] {
        events(pieces, limits: limits).map(render)
    }

    /// The events without "100-continue", which depends on where the body was split from the head.
    static func withoutContinue(_ events: [String]) -> [String] {
        events.filter { $0 != "100-continue" }
    }
}
