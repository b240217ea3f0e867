// Proves the probe client's response parser: the same outcome whole, byte by byte and at every split; every body framing; bounded memory on hostile input; errors, never traps.
import HTTP
import XCTest

/// A response, how it is read, and what reading it whole must give.
private struct ResponseFixture {
    let name: String
    let input: [UInt8]
    var method = "GET"
    var maxKept = 64
    /// Whether the peer closes after the input (`finish()` is called).
    var endOfInput = false
    let expected: String

    init(_ name: String, _ input: String, method: String = "GET", maxKept: Int = 64, endOfInput: Bool = false, _ expected: String) {
        self.init(name, bytes: Array(input.utf8), method: method, maxKept: maxKept, endOfInput: endOfInput, expected)
    }

    init(_ name: String, bytes: [UInt8], method: String = "GET", maxKept: Int = 64, endOfInput: Bool = false, _ expected: String) {
        self.name = name
        self.input = bytes
        self.method = method
        self.maxKept = maxKept
        self.endOfInput = endOfInput
        self.expected = expected
    }
}

final class HTTPResponseParserTests: XCTestCase {
    /// Feeds `pieces`, then ends the input if asked; renders what the parser found. After an
    /// error, feeding more must do nothing.
    private func outcome(_ fixture: ResponseFixture, _ pieces: [ArraySlice<UInt8>],
                         file: StaticString = #filePath, line: UInt = #line) -> String {
        var parser = HTTPResponseParser(requestMethod: fixture.method, maxKeptBodyBytes: fixture.maxKept)
        do {
            for piece in pieces { try parser.feed(Array(piece)) }
            if fixture.endOfInput { try parser.finish() }
        } catch {
            XCTAssertTrue(parser.hasFailed, file: file, line: line)
            XCTAssertEqual(parser.error, error, file: file, line: line)
            XCTAssertNoThrow(try parser.feed(Array("HTTP/1.1 200 OK\r\n\r\n".utf8)), file: file, line: line)
            XCTAssertNoThrow(try parser.finish(), file: file, line: line)
            XCTAssertFalse(parser.isComplete, file: file, line: line)
            return "error \(error.message)"
        }
        XCTAssertLessThanOrEqual(parser.body.count, fixture.maxKept, file: file, line: line)
        guard let head = parser.head else { return "no head" }
        let version = head.version == .http1_1 ? "1.1" : "1.0"
        let body = String(decoding: parser.body, as: UTF8.self)
        return "\(version) \(head.statusText) h\(head.headers.fields.count) body=\"\(body)\" n=\(parser.bodyByteCount) "
            + (parser.isComplete ? "complete" : "incomplete")
    }

    private static let fixtures: [ResponseFixture] = [
        ResponseFixture("content-length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
                        "1.1 200 OK h2 body=\"hello\" n=5 complete"),
        ResponseFixture("content-length waits for the body", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
                        "1.1 200 OK h1 body=\"hel\" n=3 incomplete"),
        ResponseFixture("bytes after the message are ignored", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500 X\r\n\r\n",
                        "1.1 200 OK h1 body=\"ok\" n=2 complete"),
        ResponseFixture("zero length", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                        "1.1 503 Service Unavailable h1 body=\"\" n=0 complete"),
        ResponseFixture("no reason phrase", "HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n", "1.1 503 h1 body=\"\" n=0 complete"),
        ResponseFixture("empty reason phrase", "HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n", "1.1 200 h1 body=\"\" n=0 complete"),
        ResponseFixture("reason with spaces and tab", "HTTP/1.1 429 Too Many\tRequests \r\nContent-Length: 0\r\n\r\n",
                        "1.1 429 Too Many\tRequests  h1 body=\"\" n=0 complete"),
        ResponseFixture("HTTP/1.0 read until close", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it", endOfInput: true,
                        "1.0 200 OK h1 body=\"all of it\" n=9 complete"),
        ResponseFixture("until close is incomplete before the close", "HTTP/1.1 200 OK\r\n\r\nsome",
                        "1.1 200 OK h0 body=\"some\" n=4 incomplete"),
        ResponseFixture("until close with nothing", "HTTP/1.1 200 OK\r\n\r\n", endOfInput: true, "1.1 200 OK h0 body=\"\" n=0 complete"),
        ResponseFixture("chunked with extensions and trailers",
                        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n2 ; q=\"x; y\"\r\nde\r\n"
                            + "10\r\n0123456789abcdef\r\n0;last\r\nX-Trailer: 1\r\nY: two\r\n\r\nignored",
                        "1.1 200 OK h1 body=\"abcde0123456789abcdef\" n=21 complete"),
        ResponseFixture("chunked without trailers, upper-case hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
                        "1.1 200 OK h1 body=\"0123456789\" n=10 complete"),
        ResponseFixture("chunked waits for the last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
                        "1.1 200 OK h1 body=\"abc\" n=3 incomplete"),
        ResponseFixture("chunked is final after another coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
                        "1.1 200 OK h2 body=\"z\" n=1 complete"),
        ResponseFixture("another final coding reads until close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n1\r\nz", endOfInput: true,
                        "1.1 200 OK h1 body=\"1\r\nz\" n=4 complete"),
        ResponseFixture("Transfer-Encoding overrides Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                        "1.1 200 OK h2 body=\"ok\" n=2 complete"),
        ResponseFixture("identical Content-Lengths are one", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3, 3\r\n\r\nabc",
                        "1.1 200 OK h2 body=\"abc\" n=3 complete"),
        ResponseFixture("interim responses are skipped",
                        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                        "1.1 200 OK h1 body=\"ok\" n=2 complete"),
        ResponseFixture("101 is final and has no body", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nframes",
                        "1.1 101 Switching Protocols h1 body=\"\" n=0 complete"),
        ResponseFixture("204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", "1.1 204 No Content h1 body=\"\" n=0 complete"),
        ResponseFixture("304 has no body", "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "1.1 304 Not Modified h1 body=\"\" n=0 complete"),
        ResponseFixture("HEAD has no body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", method: "HEAD",
                        "1.1 200 OK h1 body=\"\" n=0 complete"),
        ResponseFixture("body kept up to the cap, counted to the end", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", maxKept: 4,
                        "1.1 200 OK h1 body=\"0123\" n=10 complete"),
        ResponseFixture("chunked body kept up to the cap", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n",
                        maxKept: 4, "1.1 200 OK h1 body=\"abcd\" n=6 complete"),
        ResponseFixture("a zero cap keeps nothing", "HTTP/1.0 200 OK\r\n\r\nabc", maxKept: 0, endOfInput: true,
                        "1.0 200 OK h0 body=\"\" n=3 complete"),
        ResponseFixture("bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", "1.1 200 OK h1 body=\"ok\" n=2 complete"),
        ResponseFixture("bare LF in chunked", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n", "1.1 200 OK h1 body=\"ok\" n=2 complete"),
        ResponseFixture("obs-text in a value", bytes: Array("HTTP/1.1 200 OK\r\nX: ".utf8) + [0xE9] + Array("\r\nContent-Length: 0\r\n\r\n".utf8),
                        "1.1 200 OK h2 body=\"\" n=0 complete"),

        ResponseFixture("not HTTP", "garbage\r\n", "error malformed HTTP response"),
        ResponseFixture("empty status line", "\r\nHTTP/1.1 200 OK\r\n\r\n", "error malformed HTTP response"),
        ResponseFixture("status code with a letter", "HTTP/1.1 2x0 OK\r\n\r\n", "error malformed HTTP status code"),
        ResponseFixture("four-digit status code", "HTTP/1.1 2000 OK\r\n\r\n", "error malformed HTTP status code"),
        ResponseFixture("status code below 100", "HTTP/1.1 099 Low\r\n\r\n", "error malformed HTTP status code"),
        ResponseFixture("HTTP/2.0", "HTTP/2.0 200 OK\r\n\r\n", "error unsupported HTTP version"),
        ResponseFixture("lower-case version", "http/1.1 200 OK\r\n\r\n", "error malformed HTTP version"),
        ResponseFixture("control byte in the reason", "HTTP/1.1 200 O\u{01}K\r\n\r\n", "error invalid byte in reason phrase"),
        ResponseFixture("bare CR in the head", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", "error bare CR in response"),
        ResponseFixture("field without colon", "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", "error header line without colon"),
        ResponseFixture("obs-fold", "HTTP/1.1 200 OK\r\nX: a\r\n  folded\r\n\r\n", "error obsolete line folding"),
        ResponseFixture("space before colon", "HTTP/1.1 200 OK\r\nX : a\r\n\r\n", "error header name followed by whitespace before colon"),
        ResponseFixture("NUL in a value", bytes: Array("HTTP/1.1 200 OK\r\nX: a".utf8) + [0] + Array("b\r\n\r\n".utf8),
                        "error invalid byte in header value"),
        ResponseFixture("conflicting Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
                        "error invalid or conflicting Content-Length"),
        ResponseFixture("negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "error invalid or conflicting Content-Length"),
        ResponseFixture("Content-Length past Int", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
                        "error invalid or conflicting Content-Length"),
        ResponseFixture("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "error invalid chunk size"),
        ResponseFixture("chunk size over 16 digits", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n",
                        "error invalid chunk size"),
        ResponseFixture("chunk size 0x prefix", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\n", "error invalid chunk size"),
        ResponseFixture("bad chunk extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;=\r\n", "error invalid chunk extension"),
        ResponseFixture("chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n",
                        "error chunk data not followed by CRLF"),
        ResponseFixture("CR CR after chunk data", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\r\n",
                        "error chunk data not followed by CRLF"),
        ResponseFixture("malformed trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n",
                        "error header line without colon"),
        ResponseFixture("too many interim responses", String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 6) + "HTTP/1.1 200 OK\r\n\r\n",
                        "error too many 1xx informational responses"),
        ResponseFixture("nothing at all, then the close", "", endOfInput: true, "error EOF"),
        ResponseFixture("head cut short", "HTTP/1.1 200 OK\r\nContent-Len", endOfInput: true, "error unexpected EOF"),
        ResponseFixture("body cut short", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", endOfInput: true, "error unexpected EOF"),
        ResponseFixture("chunked cut short", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", endOfInput: true,
                        "error unexpected EOF"),
    ]

    func testFixturesWhole() {
        for fixture in Self.fixtures {
            XCTAssertEqual(outcome(fixture, [fixture.input[...]]), fixture.expected, fixture.name)
        }
    }

    func testFixturesByteByByte() {
        for fixture in Self.fixtures {
            let pieces = fixture.input.indices.map { fixture.input[$0..<($0 + 1)] }
            XCTAssertEqual(outcome(fixture, pieces), fixture.expected, "\(fixture.name), byte by byte")
        }
    }

    func testFixturesAtEverySplit() {
        for fixture in Self.fixtures {
            for cut in 0...fixture.input.count {
                let pieces = [fixture.input[..<cut], fixture.input[cut...]]
                XCTAssertEqual(outcome(fixture, pieces), fixture.expected, "\(fixture.name), split at \(cut)")
            }
        }
    }

    func testHeadFieldsAreKeptInOrder() throws {
        var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 10)
        try parser.feed(Array("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\ncontent-length:  2 \r\nSet-Cookie: b=2\r\n\r\nok".utf8))
        let head = try XCTUnwrap(parser.head)
        XCTAssertEqual(head, HTTPResponseHead(version: .http1_1, statusCode: 200, reason: "OK", headers: HTTPHeaders([
            (name: "Set-Cookie", value: "a=1"), (name: "content-length", value: "2"), (name: "Set-Cookie", value: "b=2"),
        ])))
        XCTAssertEqual(head.headers.values("set-cookie"), ["a=1", "b=2"])
        XCTAssertTrue(parser.isComplete)
    }

    func testHeadLimitsAtTheirEdges() throws {
        var limits = HTTPResponseParserLimits()
        limits.maxHeadBytes = 64
        limits.maxHeaderCount = 2
        let status = "HTTP/1.1 200 OK\r\n"  // 17 bytes
        // 17 + a field line of 45 bytes + the final CRLF = 64: just fits.
        let fits = status + "X: " + String(repeating: "v", count: 40) + "\r\n\r\n"
        var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0, limits: limits)
        XCTAssertNoThrow(try parser.feed(Array(fits.utf8)))
        XCTAssertNotNil(parser.head)
        var over = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0, limits: limits)
        XCTAssertThrowsError(try over.feed(Array((status + "X: " + String(repeating: "v", count: 41) + "\r\n\r\n").utf8))) { error in
            XCTAssertEqual((error as? HTTPResponseParseError)?.message, "response head too large")
        }
        var many = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0, limits: limits)
        XCTAssertThrowsError(try many.feed(Array((status + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n").utf8))) { error in
            XCTAssertEqual((error as? HTTPResponseParseError)?.message, "too many header fields")
        }
    }

    /// A head that never ends is refused once it passes the limit, not buffered to the end.
    func testEndlessHeaderLineFailsAtTheLimit() {
        var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0)
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        var fed = 0
        do {
            try parser.feed(Array("HTTP/1.1 200 OK\r\nX: ".utf8))
            for _ in 0..<1000 {
                try parser.feed(piece)
                fed += piece.count
            }
            XCTFail("a 1 MB header line was accepted")
        } catch {
            XCTAssertEqual(error.message, "response head too large")
        }
        XCTAssertLessThanOrEqual(fed, HTTPResponseParserLimits().maxHeadBytes + piece.count)
    }

    func testEndlessChunkLineAndTrailerFail() {
        for (tail, message) in [("1;a=" + String(repeating: "b", count: 5000), "chunk-size line too long"),
                                ("0\r\nX: " + String(repeating: "b", count: 20000), "trailer section too large")] {
            var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0)
            XCTAssertThrowsError(try parser.feed(Array(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + tail).utf8))) { error in
                XCTAssertEqual((error as? HTTPResponseParseError)?.message, message)
            }
        }
    }

    /// Ten megabytes of body cost the kept bytes only, and the end of the message is still found.
    func testLargeBodiesAreCountedNotKept() throws {
        var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 100)
        let total = 10 * 1024 * 1024
        try parser.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: \(total)\r\n\r\n".utf8))
        let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for _ in 0..<(total / piece.count) { try parser.feed(piece) }
        XCTAssertTrue(parser.isComplete)
        XCTAssertEqual(parser.body.count, 100)
        XCTAssertEqual(parser.bodyByteCount, total)
        XCTAssertEqual(parser.discardedBodyBytes, total - 100)

        var chunked = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 3)
        try chunked.feed(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFF\r\n".utf8))
        for _ in 0..<16 { try chunked.feed(piece) }
        XCTAssertFalse(chunked.isComplete)
        XCTAssertEqual(chunked.body, Array("xxx".utf8))
        XCTAssertEqual(chunked.bodyByteCount, 16 * piece.count)
    }

    func testCutBodyKeepsTheHeadAndWhatArrived() throws {
        var parser = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 10)
        try parser.feed(Array("HTTP/1.1 503 Busy\r\nContent-Length: 5\r\n\r\nab".utf8))
        XCTAssertThrowsError(try parser.finish())
        XCTAssertEqual(parser.head?.statusCode, 503, "the head stays readable after the error")
        XCTAssertEqual(parser.body, Array("ab".utf8))
    }

    /// Random bytes and random mutations of the fixtures, fed in random pieces: errors or
    /// outcomes, never a trap, and the kept body never passes its cap.
    /// Whether a connection may carry another request after the answer: only a whole answer
    /// delimited by its length or chunks, nothing after it, no protocol switch, and a version and
    /// Connection header that keep the connection. The same whole and byte by byte.
    func testReusableConnectionsAfterAnAnswer() throws {
        let cases: [(String, String, String, Bool)] = [
            ("HTTP/1.1 with a length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", true),
            ("HTTP/1.1 chunked", "GET", "HTTP/1.1 503 No\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n", true),
            ("HTTP/1.1 no body", "GET", "HTTP/1.1 204 No Content\r\n\r\n", true),
            ("HEAD", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", true),
            ("after an interim answer", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true),
            ("HTTP/1.0 keep-alive", "GET", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok", true),
            ("Connection: close", "GET", "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 2\r\n\r\nok", false),
            ("HTTP/1.0", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false),
            ("switching protocols", "GET", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false),
            ("bytes after the answer", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n", false),
            ("unfinished body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok", false),
            ("unfinished chunks", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n", false),
            ("malformed", "GET", "HTTP/1.1 2xx OK\r\n\r\n", false),
        ]
        for (name, method, text, reusable) in cases {
            var whole = HTTPResponseParser(requestMethod: method, maxKeptBodyBytes: 64)
            try? whole.feed(Array(text.utf8))
            XCTAssertEqual(whole.leavesConnectionReusable, reusable, name)
            var bytewise = HTTPResponseParser(requestMethod: method, maxKeptBodyBytes: 64)
            for byte in text.utf8 { try? bytewise.feed([byte]) }
            XCTAssertEqual(bytewise.leavesConnectionReusable, reusable, name + ", byte by byte")
        }
        // A body delimited by the close is whole only once the connection is over.
        var untilClose = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 64)
        try untilClose.feed(Array("HTTP/1.1 200 OK\r\n\r\nbody".utf8))
        try untilClose.finish()
        XCTAssertTrue(untilClose.isComplete)
        XCTAssertFalse(untilClose.leavesConnectionReusable)
        // A byte arriving in a later read after a whole answer spoils it too.
        var late = HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 64)
        try late.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8))
        XCTAssertTrue(late.leavesConnectionReusable)
        XCTAssertFalse(late.isUntouched)
        try late.feed([0x0A])
        XCTAssertFalse(late.leavesConnectionReusable)
        XCTAssertTrue(HTTPResponseParser(requestMethod: "GET", maxKeptBodyBytes: 0).isUntouched)
    }

    func testHostileInputNeverTraps() {
        var random = TestRandom(seed: 0x5EED_1234)
        var inputs = Self.fixtures.map(\.input)
        for _ in 0..<200 {
            inputs.append((0..<random.below(300)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
        for round in 0..<2000 {
            var input = inputs[round % inputs.count]
            for _ in 0..<random.below(4) where !input.isEmpty {
                input[random.below(input.count)] = [0x0D, 0x0A, 0x20, 0x3A, 0x30, 0x46, 0x00, 0xFF][random.below(8)]
            }
            var parser = HTTPResponseParser(requestMethod: round % 7 == 0 ? "HEAD" : "GET", maxKeptBodyBytes: random.below(16))
            var start = 0
            while start < input.count {
                let end = min(input.count, start + 1 + random.below(20))
                _ = try? parser.feed(Array(input[start..<end]))  // errors are an expected outcome here
                start = end
            }
            _ = try? parser.finish()  // likewise
            XCTAssertLessThanOrEqual(parser.body.count, parser.maxKeptBodyBytes)
            XCTAssertFalse(parser.isComplete && parser.hasFailed)
        }
    }
}

/// SplitMix64: a reproducible stream of numbers for the hostile-input test.
private struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int {
        bound <= 0 ? 0 : Int(next() % UInt64(bound))
    }
}
