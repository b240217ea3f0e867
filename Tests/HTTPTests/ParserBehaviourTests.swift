// Proves the parser's contract beyond the fixture table: 100-continue timing, idle/failed states, default limits, long pipelines.
import HTTP
import XCTest

final class ParserBehaviourTests: XCTestCase {
    private func request(_ event: HTTPParserEvent?, file: StaticString = #filePath, line: UInt = #line) -> HTTPRequest? {
        guard case .request(let request)? = event else {
            XCTFail("expected a request, got \(String(describing: event))", file: file, line: line)
            return nil
        }
        return request
    }

    func testParsedRequestEqualsOneBuiltInProcess() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("POST /a%20b?x=%41 HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nhi".utf8))
        guard case .request(let parsed)? = parser.next() else { return XCTFail("no request") }
        let built = try HTTPRequest(method: "POST", target: "/a%20b?x=%41", version: .http1_0,
                                    headers: parsed.headers, body: Array("hi".utf8))
        XCTAssertEqual(parsed, built)
    }

    func testExpectContinueComesOnceBetweenHeadAndBody() {
        var parser = HTTPRequestParser()
        parser.feed(Array("PUT /v1/kv/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n".utf8))
        XCTAssertEqual(parser.next(), .expectContinue)
        XCTAssertNil(parser.next())
        XCTAssertFalse(parser.isIdle)
        parser.feed(Array("he".utf8))
        XCTAssertNil(parser.next())
        parser.feed(Array("llo".utf8))
        XCTAssertEqual(request(parser.next())?.body, Array("hello".utf8))
        XCTAssertNil(parser.next())
        XCTAssertTrue(parser.isIdle)
    }

    func testExpectContinueNotSentWhenHeadIsIncomplete() {
        var parser = HTTPRequestParser()
        parser.feed(Array("PUT /a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n".utf8))
        XCTAssertNil(parser.next())
        parser.feed(Array("\r\nz".utf8))
        XCTAssertEqual(request(parser.next())?.body, [UInt8(ascii: "z")])
    }

    func testIdleOnlyBetweenRequests() {
        var parser = HTTPRequestParser()
        XCTAssertTrue(parser.isIdle)
        parser.feed(Array("\r\n".utf8))
        XCTAssertFalse(parser.isIdle, "bytes not yet looked at")
        XCTAssertNil(parser.next())
        XCTAssertTrue(parser.isIdle, "an empty line before a request is no request yet")
        parser.feed(Array("G".utf8))
        XCTAssertNil(parser.next())
        XCTAssertFalse(parser.isIdle)
        XCTAssertEqual(parser.bufferedBytes, 1)
        parser.feed(Array("ET / HTTP/1.1\r\nHost: x\r\n\r\nGET".utf8))
        XCTAssertNotNil(request(parser.next()))
        XCTAssertNil(parser.next())
        XCTAssertFalse(parser.isIdle, "the start of the next request is buffered")
        XCTAssertEqual(parser.bufferedBytes, 3)
    }

    func testFailedParserStaysSilent() {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET / HTTP/1.1\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(parser.next(), .error(HTTPParseError(status: .badRequest, message: "bare LF in request head")))
        XCTAssertTrue(parser.hasFailed)
        XCTAssertFalse(parser.isIdle)
        for _ in 0..<3 {
            parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            XCTAssertNil(parser.next())
        }
        XCTAssertEqual(parser.bufferedBytes, 0, "a failed parser keeps no bytes")
    }

    func testFieldsKeptInOrderWithTrimmedValues() throws {
        var parser = HTTPRequestParser()
        parser.feed(Array("GET /v1/kv/a?recurse&index=12 HTTP/1.1\r\nHost: h:8500\r\nX-Consul-Token:  secret \r\nhost-like: 1\r\n\r\n".utf8))
        let parsed = try XCTUnwrap(request(parser.next()))
        XCTAssertEqual(parsed.method, "GET")
        XCTAssertEqual(parsed.target, "/v1/kv/a?recurse&index=12")
        XCTAssertEqual(parsed.rawPath, "/v1/kv/a")
        XCTAssertEqual(parsed.version, .http1_1)
        XCTAssertEqual(parsed.headers.fields.map(\.name), ["Host", "X-Consul-Token", "host-like"])
        XCTAssertEqual(parsed.headers["x-consul-token"], "secret")
        XCTAssertEqual(parsed.queryValue("index"), "12")
        XCTAssertTrue(parsed.hasQuery("recurse"))
        XCTAssertTrue(parsed.keepAlive)
    }

    func testBodyBytesAreExactIncludingBinary() throws {
        let body: [UInt8] = (0...255).map { UInt8($0) } + [13, 10, 13, 10]
        var parser = HTTPRequestParser()
        parser.feed(Array("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        XCTAssertEqual(try XCTUnwrap(request(parser.next())).body, body)
        var chunked = HTTPRequestParser()
        chunked.feed(Array("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n104\r\n".utf8) + body
                     + Array("\r\n0\r\n\r\n".utf8))
        XCTAssertEqual(try XCTUnwrap(request(chunked.next())).body, body)
    }

    /// Default limits are too big to split at every byte; whole and byte by byte must agree.
    func testDefaultRequestLineLimitWhileIncomplete() {
        let line = Array("GET /".utf8) + Array(repeating: UInt8(ascii: "a"), count: 8 * 1024 - 5)
        var atLimit = HTTPRequestParser()
        atLimit.feed(line)
        XCTAssertNil(atLimit.next(), "8192 bytes without CRLF are still allowed")
        atLimit.feed([UInt8(ascii: "a")])
        XCTAssertEqual(atLimit.next(), .error(HTTPParseError(status: .uriTooLong, message: "request line too long")))
        let pieces = (line + [UInt8(ascii: "a")]).indices.map { (line + [UInt8(ascii: "a")])[$0...$0] }
        XCTAssertEqual(Harness.renderedEvents(pieces, limits: HTTPParserLimits()), ["414 request line too long"])
    }

    func testDefaultHeaderLimits() {
        var head = "GET / HTTP/1.1\r\nHost: x\r\n"
        for index in 0..<99 { head += "X-\(index): v\r\n" }
        XCTAssertEqual(Harness.renderedEvents([Array((head + "\r\n").utf8)[...]], limits: HTTPParserLimits()),
                       [#"GET / 1.1 h100 body="" keep"#])
        XCTAssertEqual(Harness.renderedEvents([Array((head + "X-Last: v\r\n\r\n").utf8)[...]], limits: HTTPParserLimits()),
                       ["431 too many header fields"])
        let big = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 32 * 1024)
        let bytes = Array(big.utf8)
        XCTAssertEqual(Harness.renderedEvents([bytes[...]], limits: HTTPParserLimits()), ["431 header section too large"])
        XCTAssertEqual(Harness.renderedEvents(bytes.indices.map { bytes[$0...$0] }, limits: HTTPParserLimits()),
                       ["431 header section too large"])
    }

    func testDefaultChunkLineLimit() {
        let head = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let atLimit = Array("1;".utf8) + Array(repeating: UInt8(ascii: "a"), count: 4 * 1024 - 2)
        XCTAssertEqual(Harness.renderedEvents([(head + atLimit + Array("\r\nx\r\n0\r\n\r\n".utf8))[...]], limits: HTTPParserLimits()),
                       [#"POST / 1.1 h2 body="x" keep"#])
        let over = head + atLimit + [UInt8(ascii: "a")]
        XCTAssertEqual(Harness.renderedEvents([over[...]], limits: HTTPParserLimits()), ["400 chunk-size line too long"])
        XCTAssertEqual(Harness.renderedEvents(over.indices.map { over[$0...$0] }, limits: HTTPParserLimits()),
                       ["400 chunk-size line too long"])
    }

    func testBodyOverLimitRefusedBeforeItArrives() {
        var parser = HTTPRequestParser()
        parser.feed(Array("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999999999\r\n\r\n".utf8))
        XCTAssertEqual(parser.next(), .error(HTTPParseError(status: .payloadTooLarge, message: "Content-Length over the body limit")))
        var limits = HTTPParserLimits()
        limits.maxBodyBytes = 10
        var chunked = HTTPRequestParser(limits: limits)
        chunked.feed(Array("PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n5\r\n".utf8))
        XCTAssertEqual(chunked.next(), .error(HTTPParseError(status: .payloadTooLarge, message: "chunked body over the body limit")))
    }

    /// A thousand pipelined requests of every kind, cut into pseudo-random pieces (fixed seed):
    /// checks leftovers carry over and buffer compaction loses nothing.
    func testLongPipelineInRandomPieces() throws {
        let requests = [
            "GET /a?i=1 HTTP/1.1\r\nHost: x\r\n\r\n",
            "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world",
            "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: 1\r\n\r\n",
            "\r\nDELETE /d%2Fe HTTP/1.1\r\nHost: x\r\n\r\n",
        ]
        let stream = Array((0..<1000).map { requests[$0 % requests.count] }.joined().utf8)
        var generator = SplitMix64(seed: 42)
        var parser = HTTPRequestParser()
        var rendered: [String] = []
        var offset = 0
        while offset < stream.count {
            let size = Int(generator.next() % 300) + 1
            let end = min(stream.count, offset + size)
            stream[offset..<end].withUnsafeBytes { parser.feed($0) }
            offset = end
            while let event = parser.next() { rendered.append(Harness.render(event)) }
        }
        XCTAssertTrue(parser.isIdle)
        let expected = [#"GET /a?i=1 1.1 h1 body="" keep"#, #"POST /b 1.1 h2 body="hello world" keep"#,
                        #"PUT /c 1.1 h2 body="abcde" keep"#, #"DELETE /d/e 1.1 h1 body="" keep"#]
        XCTAssertEqual(rendered, (0..<1000).map { expected[$0 % expected.count] })
    }

    func testLimitsCanBeRaised() {
        var limits = HTTPParserLimits()
        limits.maxBodyBytes = 4 * 1024 * 1024
        var parser = HTTPRequestParser(limits: limits)
        parser.feed(Array("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n".utf8))
        XCTAssertNil(parser.next())
        parser.feed([UInt8](repeating: 7, count: 2_000_000))
        XCTAssertEqual(request(parser.next())?.body.count, 2_000_000)
    }

    func testBytesAfterAnUpgradeRequestAreHandedOverUntouched() {
        var parser = HTTPRequestParser()
        let after: [UInt8] = [0x89, 0x80, 1, 2, 3, 4] + Array("GET / HT".utf8)
        parser.feed(Array("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n".utf8) + after)
        XCTAssertEqual(request(parser.next())?.path, "/ws")
        XCTAssertEqual(parser.takeUnconsumedBytes(), after)
        XCTAssertTrue(parser.isIdle)
        XCTAssertEqual(parser.bufferedBytes, 0)
        var empty = HTTPRequestParser()
        empty.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        _ = empty.next()
        XCTAssertEqual(empty.takeUnconsumedBytes(), [])
    }
}

/// A small deterministic generator (Steele, Lea, Flood 2014), so the test needs no global randomness.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
