// Proves gRPC and H2PING probes over TLS against a real TLS server that insists on ALPN "h2" (Python's ssl, in a child process): skip-verify and verification against the trust store pass, the serving status is read through TLS, and an unknown authority fails in each check's words (a dial error, not a call or ping error).
import Foundation
import Loop
import Registry
import XCTest

@testable import Agent

final class HTTP2TLSProbeTests: XCTestCase {
    private var certificate: TestCertificate!
    private var server: HTTP2TLSTestServer!

    override func setUpWithError() throws {
        certificate = try TestCertificate.make()
        server = try HTTP2TLSTestServer(certificate: certificate)
    }

    override func tearDown() {
        server?.stop()
        certificate?.remove()
    }

    /// OpenSSL's default trust store replaced by `file` while `body` runs (see HTTPSProbeTests).
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

    private func grpc(_ target: String, serverName: String = "", skipVerify: Bool = false) -> ProbeSpec {
        .grpc(GRPCProbe(target: target, useTLS: true, tlsServerName: serverName, tlsSkipVerify: skipVerify, timeoutMilliseconds: 3000))
    }

    private func h2ping(_ address: String, serverName: String = "", skipVerify: Bool = false) -> ProbeSpec {
        .h2ping(H2PingProbe(address: address, useTLS: true, tlsServerName: serverName, tlsSkipVerify: skipVerify, timeoutMilliseconds: 3000))
    }

    func testSkipVerifyReadsTheServingStatusAndPings() throws {
        try withHarness { h in
            let a = server.address
            let serving = h.start(grpc(a, skipVerify: true))
            let down = h.start(grpc("\(a)/down", skipVerify: true))
            let ping = h.start(h2ping(a, skipVerify: true))
            h.run { [serving, down, ping].allSatisfy { h.result($0) != nil } }
            XCTAssertEqual(h.result(serving)?.status, .passing, h.result(serving)?.output ?? "")
            XCTAssertEqual(h.result(serving)?.output, "gRPC check \(a): success")
            XCTAssertEqual(h.result(down)?.status, .critical)
            XCTAssertEqual(h.result(down)?.output, "gRPC \(a)/down serving status: NOT_SERVING")
            XCTAssertEqual(h.result(ping)?.status, .passing, h.result(ping)?.output ?? "")
            XCTAssertEqual(h.result(ping)?.output, "HTTP2 ping was successful")
        }
    }

    func testVerifiedByNameAgainstTheTrustStore() throws {
        try withTrustStore(certificate.certificatePath) {
            try withHarness { h in
                let call = h.start(grpc("localhost:\(server.port)/ok"))
                let ping = h.start(h2ping("127.0.0.1:\(server.port)", serverName: "localhost"))
                h.run { h.result(call) != nil && h.result(ping) != nil }
                XCTAssertEqual(h.result(call)?.status, .passing, h.result(call)?.output ?? "")
                XCTAssertEqual(h.result(ping)?.status, .passing, h.result(ping)?.output ?? "")
            }
        }
    }

    func testUnknownAuthorityIsADialFailure() throws {
        let stranger = try TestCertificate.make()
        defer { stranger.remove() }
        try withTrustStore(stranger.certificatePath) {
            try withHarness { h in
                let a = server.address
                let call = h.start(grpc(a))
                let ping = h.start(h2ping(a))
                h.run { h.result(call) != nil && h.result(ping) != nil }
                let failure = "tls: failed to verify certificate: x509: certificate signed by unknown authority ("
                XCTAssertEqual(h.result(call)?.status, .critical)
                let callOutput = try XCTUnwrap(h.result(call)?.output)
                XCTAssertTrue(callOutput.hasPrefix(
                    "rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication handshake failed: " + failure),
                              callOutput)
                XCTAssertEqual(h.result(ping)?.status, .critical)
                let pingOutput = try XCTUnwrap(h.result(ping)?.output)
                XCTAssertTrue(pingOutput.hasPrefix("Failed to dial to \(a): " + failure), pingOutput)
            }
        }
    }
}
