// Proves gRPC and H2PING probes against an in-process nghttp2 h2c server on the test's loop: SERVING passes and every other answer (NOT_SERVING, an error status, a reset, a closed connection, silence) is critical with Consul's texts; the request is a well-formed Check call; PINGs pass when acknowledged and time out when not; refused ports and guarded addresses fail before any HTTP/2; every probe reports once and the loop closes clean.
import Loop
import Registry
import XCTest

@testable import Agent

final class GRPCProbeTests: XCTestCase {
    private func grpc(_ target: String, timeout: UInt64 = 3000) -> ProbeSpec {
        .grpc(GRPCProbe(target: target, timeoutMilliseconds: timeout))
    }

    private func h2ping(_ address: String, timeout: UInt64 = 3000) -> ProbeSpec {
        .h2ping(H2PingProbe(address: address, useTLS: false, timeoutMilliseconds: timeout))
    }

    private func closedPort(_ loop: EventLoop) throws -> Int {
        let listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
        let port = listener.localAddress!.port
        listener.close()
        return port
    }

    func testServingPassesAndOtherAnswersAreCritical() throws {
        try withHarness { h in
            let server = try HTTP2TestServer(loop: h.loop)
            let a = server.address
            let targets = [a, "\(a)/ok", "\(a)/extra", "\(a)/down", "\(a)/missing", "\(a)/reset"]
            let ids = targets.map { h.start(grpc($0)) }
            h.run { ids.allSatisfy { h.result($0) != nil } }
            let outputs = ids.map { h.result($0)?.output ?? "" }
            XCTAssertEqual(ids.map { h.result($0)?.status }, [.passing, .passing, .passing, .critical, .critical, .critical], "\(outputs)")
            XCTAssertEqual(outputs, [
                "gRPC check \(a): success",
                "gRPC check \(a)/ok: success",
                "gRPC check \(a)/extra: success",
                "gRPC \(a)/down serving status: NOT_SERVING",
                "rpc error: code = NotFound desc = unknown service",
                "rpc error: code = Internal desc = stream terminated by RST_STREAM with error code: 2",
            ])
            XCTAssertEqual(server.requests.map(\.service).sorted(), ["", "down", "extra", "missing", "ok", "reset"])
            let headers = try XCTUnwrap(server.requests.first?.headers)
            XCTAssertEqual(headers[":method"], "POST")
            XCTAssertEqual(headers[":scheme"], "http")
            XCTAssertEqual(headers[":path"], "/grpc.health.v1.Health/Check")
            XCTAssertEqual(headers[":authority"], a)
            XCTAssertEqual(headers["content-type"], "application/grpc")
            XCTAssertEqual(headers["te"], "trailers")
        }
    }

    func testSilenceTimesOutAndAClosedConnectionIsUnavailable() throws {
        try withHarness { h in
            let server = try HTTP2TestServer(loop: h.loop)
            let slow = h.start(grpc("\(server.address)/slow", timeout: 300))
            let closed = h.start(grpc("\(server.address)/hang-up"))
            h.run { h.result(slow) != nil && h.result(closed) != nil }
            XCTAssertEqual(h.result(slow)?.status, .critical)
            XCTAssertEqual(h.result(slow)?.output, "rpc error: code = DeadlineExceeded desc = context deadline exceeded")
            let took = try XCTUnwrap(h.result(slow)?.durationMilliseconds)
            XCTAssertTrue((290...2000).contains(took), "the timeout ends it: \(took) ms")
            XCTAssertEqual(h.result(closed)?.status, .critical)
            XCTAssertEqual(h.result(closed)?.output, "rpc error: code = Unavailable desc = error reading from server: EOF")
        }
    }

    func testH2PingPassesWhenAcknowledged() throws {
        try withHarness { h in
            let server = try HTTP2TestServer(loop: h.loop)
            let id = h.start(h2ping(server.address))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.status, .passing)
            XCTAssertEqual(h.result(id)?.output, "HTTP2 ping was successful")
            XCTAssertTrue(server.requests.isEmpty, "a ping sends no request")
        }
    }

    func testH2PingWithoutAcknowledgementTimesOut() throws {
        try withHarness { h in
            let server = try HTTP2TestServer(loop: h.loop, acknowledgesPings: false)
            let id = h.start(h2ping(server.address, timeout: 300))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.status, .critical)
            XCTAssertEqual(h.result(id)?.output, "HTTP2 ping failed: context deadline exceeded")
        }
    }

    func testH2PingToAnHTTP1ServerFails() throws {
        try withHarness { h in
            // The HTTP/1.1 test server rejects the connection preface and closes.
            let id = h.start(h2ping("127.0.0.1:\(h.server.port)"))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.status, .critical)
            let output = try XCTUnwrap(h.result(id)?.output)
            XCTAssertTrue(output.hasPrefix("HTTP2 ping failed: "), output)
        }
    }

    func testRefusedPortsUseEachChecksWords() throws {
        try withHarness { h in
            let port = try closedPort(h.loop)
            let call = h.start(grpc("127.0.0.1:\(port)/db"))
            let ping = h.start(h2ping("127.0.0.1:\(port)"))
            h.run { h.result(call) != nil && h.result(ping) != nil }
            let refused = "dial tcp 127.0.0.1:\(port): connect: connection refused"
            XCTAssertEqual(h.result(call)?.status, .critical)
            XCTAssertEqual(h.result(call)?.output,
                           "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: \(refused)\"")
            XCTAssertEqual(h.result(ping)?.status, .critical)
            XCTAssertEqual(h.result(ping)?.output, "Failed to dial to 127.0.0.1:\(port): \(refused)")
        }
    }

    func testLinkLocalAndMetadataTargetsAreRefused() throws {
        try withHarness { h in
            let call = h.start(grpc("169.254.169.254:50051/db"))
            let ping = h.start(h2ping("[fe80::1]:80"))
            h.run { h.result(call) != nil && h.result(ping) != nil }
            for (id, ip) in [(call, "169.254.169.254"), (ping, "fe80::1")] {
                XCTAssertEqual(h.result(id)?.status, .critical)
                let output = try XCTUnwrap(h.result(id)?.output)
                XCTAssertTrue(output.hasPrefix("refusing to probe \(ip): "), output)
                XCTAssertLessThan(h.result(id)?.durationMilliseconds ?? .max, 100, "refused before connecting")
            }
        }
    }
}
