// Proves the probe runner over real loopback sockets: Consul's statuses and output texts for HTTP and TCP checks, timeouts on time, each probe reported exactly once and never inline, limits, the link-local guard, and a clean loop after shutdown.
import CLibUV
import Foundation
import HTTP
import Loop
import Registry
import Server
import XCTest

@testable import Agent

final class ProbeRunnerTests: XCTestCase {
    /// A port nothing listens on: bound, then closed.
    private func closedPort(_ loop: EventLoop) throws -> Int {
        let listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
        let port = listener.localAddress!.port
        listener.close()
        return port
    }

    // MARK: HTTP answers

    func testHTTPAnswersMapToConsulStatusesAndOutputs() throws {
        try withHarness { h in
            let s = h.server
            let cases: [(ProbeSpec, HealthStatus, String)] = [
                (http(s.url("/ok")), .passing, "HTTP GET \(s.url("/ok")): 200 OK Output: ok"),
                (http(s.url("/busy")), .warning, "HTTP GET \(s.url("/busy")): 429 Too Many Requests Output: slow down"),
                (http(s.url("/down")), .critical, "HTTP GET \(s.url("/down")): 503 Service Unavailable Output: down"),
                (http(s.url("/redirect")), .critical, "HTTP GET \(s.url("/redirect")): 302 Found Output: moved"),
                (http(s.url("/missing")), .critical, "HTTP GET \(s.url("/missing")): 404 Not Found Output: "),
                (http(s.url("/close")), .passing, "HTTP GET \(s.url("/close")): 200 OK Output: until close"),
                (http(s.url("/chunked")), .passing, "HTTP GET \(s.url("/chunked")): 200 OK Output: hello, world"),
                (http(s.url("/interim")), .passing, "HTTP GET \(s.url("/interim")): 201 Created Output: made"),
                (http(s.url("/big"), maxOutput: 10), .passing, "HTTP GET \(s.url("/big")): 200 OK Output: xxxxxxxxxx"),
                (http(s.url("/ok"), method: "HEAD"), .passing, "HTTP HEAD \(s.url("/ok")): 200 OK Output: "),
                (http(s.url("/ok?x=1#top")), .passing, "HTTP GET \(s.url("/ok?x=1#top")): 200 OK Output: ok"),
            ]
            let ids = cases.map { h.start($0.0) }
            h.run { ids.allSatisfy { h.result($0) != nil } }
            h.linger(50)
            for (id, expected) in zip(ids, cases) {
                XCTAssertEqual(h.result(id)?.status, expected.1, expected.2)
                XCTAssertEqual(h.result(id)?.output, expected.2)
                XCTAssertLessThan(h.result(id)?.durationMilliseconds ?? .max, 3000)
            }
            XCTAssertEqual(h.runner.inFlightCount, 0)
        }
    }

    func testRequestCarriesConsulsHeadersTheChecksHeadersAndBody() throws {
        try withHarness { h in
            let headers = [(name: "X-Check", value: "1"), (name: "Host", value: "virtual.example"), (name: "X-Check", value: "2")]
            let id = h.start(http(h.server.url("/ok/../echo%20me?q=a b"), method: "POST", headers: headers, body: "ping"))
            h.run { h.result(id) != nil }
            let request = try XCTUnwrap(h.server.requests.first)
            XCTAssertEqual(request.method, "POST")
            XCTAssertEqual(request.target, "/ok/../echo%20me?q=a%20b")
            XCTAssertEqual(request.headers["Host"], "virtual.example")
            XCTAssertEqual(request.headers.values("Host").count, 1)
            XCTAssertEqual(request.headers["User-Agent"], "Consul Health Check")
            XCTAssertEqual(request.headers["Accept"], "text/plain, text/*, */*")
            XCTAssertNil(request.headers["Connection"], "no Connection field: the connection may be kept")
            XCTAssertEqual(request.headers.values("X-Check"), ["1", "2"])
            XCTAssertEqual(request.body, Array("ping".utf8))
            XCTAssertTrue(request.keepAlive)
        }
    }

    // MARK: Kept connections

    func testProbesOfOneAddressReuseOneKeptConnection() throws {
        try withHarness { h in
            for path in ["/keep", "/keep-1.0", "/keep"] {
                let result = h.probe(http(h.server.url(path)))
                XCTAssertEqual(result?.status, .passing, path)
                XCTAssertEqual(result?.output, "HTTP GET \(h.server.url(path)): 200 OK Output: kept")
            }
            XCTAssertEqual(h.server.connectionsAccepted, 1, "an HTTP/1.1 answer and an HTTP/1.0 keep-alive one keep the connection")
            XCTAssertEqual(h.server.requests.count, 3)
            XCTAssertEqual(h.runner.connections.idleCount, 1)
            // The server's idle timeout closes it: the pool lets it go, and the next probe dials.
            h.server.closeIdleConnections()
            h.run { h.runner.connections.idleCount == 0 }
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.server.connectionsAccepted, 2)
        }
    }

    func testAnswersThatEndTheConnectionAreNotKept() throws {
        try withHarness { h in
            // Connection: close; a body delimited by the close; the server closing after answering.
            for path in ["/says-close", "/says-close", "/close", "/ok"] {
                XCTAssertEqual(h.probe(http(h.server.url(path)))?.status, .passing, path)
            }
            XCTAssertEqual(h.server.connectionsAccepted, 4)
            h.run { h.runner.connections.idleCount == 0 && h.server.connectionsEnded >= 2 }
            // The client closed the two that only said so.
            XCTAssertEqual(h.server.connectionsEnded, 2)
        }
    }

    func testAKeptConnectionClosedAsTheRequestWentOutIsRetriedOnAFreshOne() throws {
        try withHarness { h in
            XCTAssertEqual(h.probe(http(h.server.url("/keep-once")))?.output, "HTTP GET \(h.server.url("/keep-once")): 200 OK Output: once")
            XCTAssertEqual(h.runner.connections.idleCount, 1)
            // The kept connection is closed unanswered: the same request goes out again, once.
            let retried = h.probe(http(h.server.url("/keep-once")))
            XCTAssertEqual(retried?.status, .passing)
            XCTAssertEqual(retried?.output, "HTTP GET \(h.server.url("/keep-once")): 200 OK Output: once")
            XCTAssertEqual(h.server.connectionsAccepted, 2)
            XCTAssertEqual(h.server.requests.count, 3)
        }
    }

    func testUnsafeMethodsNeverGoOutOnAKeptConnection() throws {
        try withHarness { h in
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.probe(http(h.server.url("/keep"), method: "POST", body: "x"))?.status, .passing)
            XCTAssertEqual(h.server.connectionsAccepted, 2, "a POST could be sent twice on a connection the server closed")
            // Its connection is reusable all the same.
            XCTAssertEqual(h.runner.connections.idleCount, 2)
            XCTAssertEqual(h.probe(http(h.server.url("/keep"), method: "HEAD"))?.status, .passing)
            XCTAssertEqual(h.server.connectionsAccepted, 2)
        }
    }

    func testATimedOutExchangeDoesNotKeepItsConnection() throws {
        try withHarness { h in
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            let slow = h.probe(http(h.server.url("/slow"), timeout: 200))
            XCTAssertEqual(slow?.status, .critical)
            XCTAssertEqual(h.server.connectionsAccepted, 1, "the kept connection carried the slow request")
            XCTAssertEqual(h.runner.connections.idleCount, 0)
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.server.connectionsAccepted, 2)
        }
    }

    func testIdleConnectionsAgeOutAndThePoolIsBounded() throws {
        var limits = ProbeLimits()
        limits.idleConnectionMilliseconds = 100
        try withHarness(limits: limits) { h in
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.runner.connections.idleCount, 1)
            h.run { h.runner.connections.idleCount == 0 && h.server.connectionsEnded == 1 }
        }
        limits.maxIdleConnections = 0
        try withHarness(limits: limits) { h in
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.probe(http(h.server.url("/keep")))?.status, .passing)
            XCTAssertEqual(h.server.connectionsAccepted, 2)
            XCTAssertEqual(h.runner.connections.idleCount, 0)
        }
    }

    // MARK: Failures

    func testRefusedPortIsCriticalWithGosText() throws {
        try withHarness { h in
            let port = try closedPort(h.loop)
            let web = h.start(http("http://127.0.0.1:\(port)/"))
            let socket = h.start(tcp("127.0.0.1:\(port)"))
            h.run { h.result(web) != nil && h.result(socket) != nil }
            XCTAssertEqual(h.result(web)?.status, .critical)
            XCTAssertEqual(h.result(web)?.output,
                           "Get \"http://127.0.0.1:\(port)/\": dial tcp 127.0.0.1:\(port): connect: connection refused")
            XCTAssertEqual(h.result(socket)?.status, .critical)
            XCTAssertEqual(h.result(socket)?.output, "dial tcp 127.0.0.1:\(port): connect: connection refused")
        }
    }

    func testTCPConnectIsPassing() throws {
        try withHarness { h in
            let address = "127.0.0.1:\(h.server.port)"
            let id = h.start(tcp(address))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id), ProbeResult(status: .passing, output: "TCP connect \(address): Success",
                                                     durationMilliseconds: h.result(id)?.durationMilliseconds ?? 0))
        }
    }

    func testTimeoutEndsTheProbeOnTime() throws {
        try withHarness { h in
            let slow = h.start(http(h.server.url("/slow"), timeout: 200))
            let slowBody = h.start(http(h.server.url("/slow-body"), timeout: 200))
            let started = h.loop.nowMilliseconds
            h.run { h.result(slow) != nil && h.result(slowBody) != nil }
            let elapsed = h.loop.nowMilliseconds &- started
            XCTAssertEqual(h.result(slow)?.status, .critical)
            XCTAssertEqual(h.result(slow)?.output,
                           "Get \"\(h.server.url("/slow"))\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            let duration = try XCTUnwrap(h.result(slow)?.durationMilliseconds)
            XCTAssertGreaterThanOrEqual(duration, 200)
            XCTAssertLessThanOrEqual(duration, 250, "a probe ends within its timeout plus a few ms")
            XCTAssertLessThanOrEqual(elapsed, 250)
            // The head arrived before the timeout: Consul reports its status with the body so far.
            XCTAssertEqual(h.result(slowBody)?.status, .passing)
            XCTAssertEqual(h.result(slowBody)?.output, "HTTP GET \(h.server.url("/slow-body")): 200 OK Output: abc")
        }
    }

    /// A listener whose accept queue is full drops new SYNs, so connecting there hangs.
    private func withUnreachablePort(_ body: (Int) throws -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
        }
        XCTAssertTrue(bound && listen(listener, 0) == 0)
        let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) == 0 }
        }
        XCTAssertTrue(connected, "the filler takes the one place in the accept queue")
        defer {
            close(filler)
            close(listener)
        }
        try body(Int(UInt16(bigEndian: address.sin_port)))
    }

    func testConnectTimeoutUsesGosTexts() throws {
        try withUnreachablePort { port in
            try withHarness { h in
                let web = h.start(http("http://127.0.0.1:\(port)/", timeout: 200))
                let socket = h.start(tcp("127.0.0.1:\(port)", timeout: 200))
                h.run { h.result(web) != nil && h.result(socket) != nil }
                XCTAssertEqual(h.result(web)?.output, "Get \"http://127.0.0.1:\(port)/\": dial tcp 127.0.0.1:\(port): i/o timeout "
                                + "(Client.Timeout exceeded while awaiting headers)")
                XCTAssertEqual(h.result(socket)?.output, "dial tcp 127.0.0.1:\(port): i/o timeout")
                for id in [web, socket] {
                    XCTAssertEqual(h.result(id)?.status, .critical)
                    XCTAssertLessThanOrEqual(h.result(id)?.durationMilliseconds ?? .max, 250)
                }
            }
        }
    }

    func testMalformedAndMissingAnswersAreCritical() throws {
        try withHarness { h in
            let garbage = h.start(http(h.server.url("/garbage")))
            let empty = h.start(http(h.server.url("/empty")))
            h.run { h.result(garbage) != nil && h.result(empty) != nil }
            XCTAssertEqual(h.result(garbage)?.status, .critical)
            XCTAssertEqual(h.result(garbage)?.output,
                           "Get \"\(h.server.url("/garbage"))\": net/http: HTTP/1.x transport connection broken: malformed HTTP response")
            XCTAssertEqual(h.result(empty)?.status, .critical)
            XCTAssertEqual(h.result(empty)?.output, "Get \"\(h.server.url("/empty"))\": EOF")
        }
    }

    func testEndlessBodyStopsAtTheReadCap() throws {
        var limits = ProbeLimits()
        limits.maxOutputBytesCeiling = 4096
        limits.maxResponseBytes = 4096 + limits.response.maxHeadBytes
        try withHarness(limits: limits) { h in
            let id = h.start(http(h.server.url("/endless"), timeout: 3000, maxOutput: 1_000_000))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.status, .passing)
            XCTAssertEqual(h.result(id)?.output, "HTTP GET \(h.server.url("/endless")): 200 OK Output: " + String(repeating: "e", count: 4096))
            XCTAssertLessThan(h.result(id)?.durationMilliseconds ?? .max, 2000, "ended by the cap, not the timeout")
        }
    }

    func testSpecsThatCannotRunFinishAtOnceButNeverInline() throws {
        try withHarness { h in
            let ftp = h.start(http("ftp://example.com/"))
            let noPort = h.start(tcp("127.0.0.1"))
            let badHeader = h.start(http(h.server.url("/ok"), headers: [(name: "Bad Name", value: "x")]))
            h.run { [ftp, noPort, badHeader].allSatisfy { h.result($0) != nil } }
            XCTAssertEqual(h.result(ftp)?.output, "Get \"ftp://example.com/\": unsupported protocol scheme \"ftp\"")
            XCTAssertEqual(h.result(noPort)?.output, "dial tcp: address 127.0.0.1: missing port in address")
            XCTAssertEqual(h.result(badHeader)?.output,
                           "Get \"\(h.server.url("/ok"))\": net/http: invalid header field name \"Bad Name\"")
            for id in [ftp, noPort, badHeader] { XCTAssertEqual(h.result(id)?.status, .critical) }
            XCTAssertTrue(h.server.requests.isEmpty, "nothing was sent")
        }
    }

    // MARK: Guard and limits

    func testLinkLocalAndMetadataTargetsAreRefused() throws {
        try withHarness { h in
            let metadata = h.start(http("http://169.254.169.254/latest/meta-data/"))
            let alibaba = h.start(tcp("100.100.100.200:80"))
            let linkLocal6 = h.start(tcp("[fe80::1]:80"))
            let mapped = h.start(http("http://[::ffff:169.254.169.254]/"))
            h.run { [metadata, alibaba, linkLocal6, mapped].allSatisfy { h.result($0) != nil } }
            for (id, ip) in [(metadata, "169.254.169.254"), (alibaba, "100.100.100.200"), (linkLocal6, "fe80::1"),
                             (mapped, "::ffff:169.254.169.254")] {
                let output = try XCTUnwrap(h.result(id)?.output)
                XCTAssertEqual(h.result(id)?.status, .critical)
                XCTAssertTrue(output.hasPrefix("refusing to probe \(ip): "), output)
                XCTAssertTrue(output.contains("\"security\": {\"checks_allow_link_local_targets\": true}"), output)
            }
            XCTAssertLessThan(h.result(metadata)?.durationMilliseconds ?? .max, 100, "refused before connecting")
        }
    }

    func testLinkLocalTargetsAreProbedWhenAllowed() throws {
        try withHarness(allowLinkLocalTargets: true) { h in
            let id = h.start(tcp("169.254.0.1:9", timeout: 100))
            h.run { h.result(id) != nil }
            let output = try XCTUnwrap(h.result(id)?.output)
            // Whether anything answers there depends on the network; only the guard is tested.
            XCTAssertTrue(output.hasPrefix("dial tcp 169.254.0.1:9: ") || output == "TCP connect 169.254.0.1:9: Success", output)
        }
    }

    func testProbesPastTheInFlightLimitFinishAtOnceAndShutdownClosesTheRest() throws {
        var limits = ProbeLimits()
        limits.maxInFlight = 2
        try withHarness(limits: limits) { h in
            let first = h.start(http(h.server.url("/slow"), timeout: 60_000))
            let second = h.start(tcp("127.0.0.1:\(h.server.port)", timeout: 60_000))
            let third = h.start(http(h.server.url("/ok")))
            h.run { h.result(third) != nil }
            XCTAssertEqual(h.result(third)?.status, .critical)
            XCTAssertEqual(h.result(third)?.output, "too many probes in flight")
            h.run { h.result(second) != nil }
            XCTAssertEqual(h.runner.inFlightCount, 1, "the slow one still runs")
            h.runner.shutDown()
            XCTAssertEqual(h.runner.inFlightCount, 0)
            h.linger(20)
            XCTAssertNil(h.result(first), "a probe ended by shutdown is not reported")
            h.start(http(h.server.url("/ok")))
            h.linger(20)
            XCTAssertEqual(h.reports.count, 2, "nothing starts after shutdown")
        }
    }

    // MARK: Names

    func testNamesAreResolved() throws {
        try withHarness { h in
            // Where localhost also resolves to ::1 (nothing listens there), the next address is tried.
            let url = "http://localhost:\(h.server.port)/ok"
            let id = h.start(http(url))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.output, "HTTP GET \(url): 200 OK Output: ok")
        }
    }

    func testUnknownNamesAreCritical() throws {
        try withHarness { h in
            let id = h.start(tcp("no-such-host.invalid:80", timeout: 4000))
            h.run(timeoutMilliseconds: 6000) { h.result(id) != nil }
            let output = try XCTUnwrap(h.result(id)?.output)
            XCTAssertEqual(h.result(id)?.status, .critical)
            // No such host, or a resolver that cannot be reached before the timeout.
            XCTAssertTrue(output.hasPrefix("dial tcp: lookup no-such-host.invalid: "), output)
        }
    }

    func testShutdownWithLookupsInFlightStillClosesTheLoop() throws {
        var limits = ProbeLimits()
        limits.maxConcurrentLookups = 1
        try withHarness(limits: limits) { h in
            for index in 0..<4 { h.start(http("http://localhost:\(h.server.port)/slow?\(index)", timeout: 60_000)) }
            XCTAssertEqual(h.runner.inFlightCount, 4)
            h.runner.shutDown()
            h.linger(20)
            XCTAssertTrue(h.reports.isEmpty)
        }
    }
}
