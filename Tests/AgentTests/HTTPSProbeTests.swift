// Proves HTTPS probes (and TCP checks with TLS) against a real TLS server (Python's, in a child process): skip-verify passes with the body, verification against the trust store by IP and by name, unknown authorities and name mismatches critical with Go-shaped texts, and a server that closes or stalls mid-handshake ends the probe cleanly and on time.
import Foundation
import Loop
import Registry
import XCTest

@testable import Agent

final class HTTPSProbeTests: XCTestCase {
    private var certificate: TestCertificate!
    private var server: TLSTestServer!

    override func setUpWithError() throws {
        certificate = try TestCertificate.make()
        server = try TLSTestServer(certificate: certificate)
    }

    override func tearDown() {
        server?.stop()
        certificate?.remove()
    }

    /// Runs `body` with OpenSSL's default trust store replaced by `file` (SSL_CERT_FILE and
    /// SSL_CERT_DIR, which Go honours too): the runner's contexts are made after this is set,
    /// on the first HTTPS probe of a fresh harness.
    private func withTrustStore(_ file: String, _ body: () throws -> Void) rethrows {
        let names = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        let previous = names.map { getenv($0).map { String(cString: $0) } }
        setenv("SSL_CERT_FILE", file, 1)
        setenv("SSL_CERT_DIR", certificate.folder.path, 1)
        defer {
            for (name, value) in zip(names, previous) {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        try body()
    }

    func testSkipVerifyPassesWithTheBodyAndKeepsConsulsStatuses() throws {
        try withHarness { h in
            let ok = h.start(http(server.url("/ok"), tlsSkipVerify: true))
            let down = h.start(http(server.url("/down"), tlsSkipVerify: true))
            let post = h.start(http(server.url("/echo"), method: "POST", headers: [(name: "X-Check", value: "h1")], body: "payload",
                                    tlsSkipVerify: true))
            let named = h.start(http(server.url("/ok"), tlsServerName: "any.example", tlsSkipVerify: true))
            h.run { [ok, down, post, named].allSatisfy { h.result($0) != nil } }
            XCTAssertEqual(h.result(ok)?.status, .passing)
            XCTAssertEqual(h.result(ok)?.output, "HTTP GET \(server.url("/ok")): 200 OK Output: secure ok")
            XCTAssertEqual(h.result(down)?.status, .critical)
            XCTAssertEqual(h.result(down)?.output, "HTTP GET \(server.url("/down")): 503 Service Unavailable Output: down")
            XCTAssertEqual(h.result(post)?.output, "HTTP POST \(server.url("/echo")): 200 OK Output: POST h1 payload")
            XCTAssertEqual(h.result(named)?.status, .passing, "skip-verify accepts any name")
        }
    }

    /// A kept HTTPS connection carries the next probe with the same TLS settings (past the TLS
    /// 1.3 tickets Python's server sends after the handshake), and never one with other settings.
    func testHTTPSConnectionsAreKeptForTheSameTLSSettings() throws {
        try withHarness { h in
            let first = h.probe(http(server.url("/peer"), tlsSkipVerify: true))
            XCTAssertEqual(first?.status, .passing)
            h.linger(100)  // the tickets, if late, arrive while the connection is idle
            let second = h.probe(http(server.url("/peer"), tlsSkipVerify: true))
            XCTAssertEqual(second?.status, .passing)
            XCTAssertEqual(second?.output, first?.output, "the same client port: the same connection")
            let renamed = h.probe(http(server.url("/peer"), tlsServerName: "other.example", tlsSkipVerify: true))
            XCTAssertEqual(renamed?.status, .passing)
            XCTAssertNotEqual(renamed?.output, first?.output, "another server name needs its own connection")
            XCTAssertEqual(h.runner.connections.idleCount, 2)
        }
    }

    /// A session the server ended (close_notify after the answer) is never parked or reused.
    func testAConnectionWhoseTLSSessionEndedIsNotReused() throws {
        try withHarness { h in
            let ended = h.probe(http(server.url("/notify-close"), tlsSkipVerify: true))
            XCTAssertEqual(ended?.status, .passing)
            h.run { h.runner.connections.idleCount == 0 }
            let next = h.probe(http(server.url("/peer"), tlsSkipVerify: true))
            XCTAssertEqual(next?.status, .passing)
            XCTAssertNotEqual(next?.output.split(separator: " ").last, ended?.output.split(separator: " ").last)
        }
    }

    func testUnknownAuthorityIsCritical() throws {
        let stranger = try TestCertificate.make()
        defer { stranger.remove() }
        try withTrustStore(stranger.certificatePath) {
            try withHarness { h in
                let web = h.start(http(server.url("/ok")))
                let socket = h.start(tlsTCP("127.0.0.1:\(server.port)"))
                h.run { h.result(web) != nil && h.result(socket) != nil }
                let failure = "tls: failed to verify certificate: x509: certificate signed by unknown authority ("
                XCTAssertEqual(h.result(web)?.status, .critical)
                let output = try XCTUnwrap(h.result(web)?.output)
                XCTAssertTrue(output.hasPrefix("Get \"\(server.url("/ok"))\": " + failure), output)
                XCTAssertEqual(h.result(socket)?.status, .critical)
                XCTAssertTrue(h.result(socket)?.output.hasPrefix(failure) == true, "a TCP check reports Go's error alone")
            }
        }
    }

    private func tlsTCP(_ address: String, serverName: String = "", skipVerify: Bool = false, timeout: UInt64 = 3000) -> ProbeSpec {
        .tcp(TCPProbe(address: address, timeoutMilliseconds: timeout, useTLS: true, tlsServerName: serverName, tlsSkipVerify: skipVerify))
    }

    func testTCPCheckWithTLSPassesOnceTheHandshakeCompletes() throws {
        try withTrustStore(certificate.certificatePath) {
            try withHarness { h in
                let skipping = h.start(tlsTCP("127.0.0.1:\(server.port)", serverName: "any.example", skipVerify: true))
                let verifying = h.start(tlsTCP("localhost:\(server.port)"))
                let wrongName = h.start(tlsTCP("127.0.0.1:\(server.port)", serverName: "wrong.example"))
                let plain = h.start(tlsTCP("127.0.0.1:\(h.server.port)", skipVerify: true))
                h.run { [skipping, verifying, wrongName, plain].allSatisfy { h.result($0) != nil } }
                XCTAssertEqual(h.result(skipping)?.output, "TCP connect 127.0.0.1:\(server.port): Success")
                XCTAssertEqual(h.result(verifying)?.output, "TCP connect localhost:\(server.port): Success")
                XCTAssertEqual(h.result(wrongName)?.output,
                               "tls: failed to verify certificate: x509: certificate is not valid for wrong.example (hostname mismatch)")
                XCTAssertEqual(h.result(plain)?.output, "EOF", "a plain HTTP server hangs up on a ClientHello")
                XCTAssertEqual([skipping, verifying, wrongName, plain].map { h.result($0)?.status }, [.passing, .passing, .critical, .critical])
            }
        }
    }

    func testTrustedCertificateIsVerifiedByIPAndByName() throws {
        try withTrustStore(certificate.certificatePath) {
            try withHarness { h in
                let byIP = h.start(http(server.url("/ok")))
                let byName = h.start(http(server.url("/ok", host: "localhost")))
                let wrongName = h.start(http(server.url("/ok"), tlsServerName: "wrong.example"))
                let wrongIP = h.start(http(server.url("/ok"), tlsServerName: "127.0.0.2"))
                h.run { [byIP, byName, wrongName, wrongIP].allSatisfy { h.result($0) != nil } }
                XCTAssertEqual(h.result(byIP)?.output, "HTTP GET \(server.url("/ok")): 200 OK Output: secure ok")
                XCTAssertEqual(h.result(byName)?.output, "HTTP GET \(server.url("/ok", host: "localhost")): 200 OK Output: secure ok")
                XCTAssertEqual(h.result(wrongName)?.output, "Get \"\(server.url("/ok"))\": tls: failed to verify certificate: "
                               + "x509: certificate is not valid for wrong.example (hostname mismatch)")
                XCTAssertEqual(h.result(wrongIP)?.output, "Get \"\(server.url("/ok"))\": tls: failed to verify certificate: "
                               + "x509: certificate is not valid for 127.0.0.2 (IP address mismatch)")
                XCTAssertEqual([byIP, byName, wrongName, wrongIP].map { h.result($0)?.status }, [.passing, .passing, .critical, .critical])
            }
        }
    }

    /// A loopback listener that does `onAccept` with each connection; closed with the loop.
    private func listen(_ loop: EventLoop, onAccept: @escaping (TCPStream) -> Void) throws -> Int {
        let listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0), onConnection: onAccept)
        return try XCTUnwrap(listener.localAddress?.port)
    }

    func testServerClosingMidHandshakeIsCriticalAndPlainHTTPIsRefused() throws {
        try withHarness { h in
            let port = try listen(h.loop) { stream in
                // Reads the ClientHello, then hangs up.
                stream.onRead = { [unowned stream] _ in stream.close() }
                try? stream.startReading()  // a fresh stream can always start reading
            }
            let closed = h.start(http("https://127.0.0.1:\(port)/", tlsSkipVerify: true))
            let plain = h.start(http("https://127.0.0.1:\(h.server.port)/ok", tlsSkipVerify: true))
            h.run { h.result(closed) != nil && h.result(plain) != nil }
            XCTAssertEqual(h.result(closed)?.status, .critical)
            XCTAssertEqual(h.result(closed)?.output, "Get \"https://127.0.0.1:\(port)/\": EOF")
            XCTAssertEqual(h.result(plain)?.status, .critical)
            XCTAssertTrue(h.result(plain)?.output.hasPrefix("Get \"https://127.0.0.1:\(h.server.port)/ok\": ") == true)
        }
    }

    func testStalledHandshakeEndsAtTheTimeout() throws {
        try withHarness { h in
            let port = try listen(h.loop) { stream in try? stream.startReading() }  // reads, never answers
            let id = h.start(http("https://127.0.0.1:\(port)/", tlsSkipVerify: true, timeout: 200))
            let socket = h.start(tlsTCP("127.0.0.1:\(port)", skipVerify: true, timeout: 200))
            h.run { h.result(id) != nil && h.result(socket) != nil }
            XCTAssertEqual(h.result(id)?.status, .critical)
            XCTAssertEqual(h.result(id)?.output,
                           "Get \"https://127.0.0.1:\(port)/\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
            XCTAssertEqual(h.result(socket)?.status, .critical)
            XCTAssertEqual(h.result(socket)?.output, "tls: DialWithDialer timed out")
            for probe in [id, socket] {
                let duration = try XCTUnwrap(h.result(probe)?.durationMilliseconds)
                XCTAssertGreaterThanOrEqual(duration, 200)
                XCTAssertLessThanOrEqual(duration, 250, "a probe ends within its timeout plus a few ms")
            }
        }
    }
}
