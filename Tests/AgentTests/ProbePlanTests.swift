// Proves the probe's pure parts without sockets: URLs and addresses read as Go reads them, the exact request bytes, Consul's texts and statuses, the link-local guard's ranges, and its config key.
import CLibUV
import HTTP
import Loop
import Registry
import Server
import XCTest

@testable import Agent

final class ProbePlanTests: XCTestCase {
    // MARK: URLs and addresses

    func testURLParts() throws {
        let plain = try ProbeURL.parse("http://example.com").get()
        XCTAssertEqual(plain, ProbeURL(usesTLS: false, endpoint: ProbeEndpoint(host: "example.com", port: 80), authority: "example.com",
                                       requestTarget: "/", credentials: nil))
        let full = try ProbeURL.parse("HTTP://us%65r:p%40ss@[::1]:8080/a b/ü?x=1 2#frag").get()
        XCTAssertEqual(full.endpoint, ProbeEndpoint(host: "::1", port: 8080))
        XCTAssertEqual(full.authority, "[::1]:8080")
        XCTAssertEqual(full.requestTarget, "/a%20b/%C3%BC?x=1%202")
        XCTAssertEqual(full.credentials?.user, "user")
        XCTAssertEqual(full.credentials?.password, "p@ss")
        XCTAssertEqual(try ProbeURL.parse("http://h:8500?q").get().requestTarget, "/?q")
        XCTAssertEqual(try ProbeURL.parse("http://[fe80::1%25eth0]:80/").get().endpoint.host, "fe80::1%eth0")
        XCTAssertEqual(try ProbeURL.parse("http://10.0.0.1:0/").get().endpoint.port, 0)
        let secure = try ProbeURL.parse("HTTPS://example.com/health").get()
        XCTAssertEqual(secure, ProbeURL(usesTLS: true, endpoint: ProbeEndpoint(host: "example.com", port: 443), authority: "example.com",
                                        requestTarget: "/health", credentials: nil))
        XCTAssertEqual(try ProbeURL.parse("https://[::1]:8443").get().endpoint, ProbeEndpoint(host: "::1", port: 8443))
    }

    func testURLErrorsUseGosTexts() {
        let cases: [(String, ProbeURLError)] = [
            ("https:///health", .invalid("http: no Host in request URL", wrapped: true)),
            ("ftp://example.com/", .invalid("unsupported protocol scheme \"ftp\"", wrapped: true)),
            ("example.com/health", .invalid("unsupported protocol scheme \"\"", wrapped: true)),
            ("http:///health", .invalid("http: no Host in request URL", wrapped: true)),
            ("http:example.com", .invalid("http: no Host in request URL", wrapped: true)),
            ("http://h:99999/", .invalid("parse \"http://h:99999/\": invalid port \":99999\" after host", wrapped: false)),
            ("http://h:x/", .invalid("parse \"http://h:x/\": invalid port \":x\" after host", wrapped: false)),
            ("http://[::1/", .invalid("parse \"http://[::1/\": missing ']' in host", wrapped: false)),
            ("http://h/\u{7}", .invalid("parse \"http://h/\\a\": net/url: invalid control character in URL", wrapped: false)),
        ]
        for (url, expected) in cases {
            XCTAssertEqual(ProbeURL.parse(url), .failure(expected), url)
        }
    }

    func testTCPAddresses() {
        XCTAssertEqual(try ProbeEndpoint.parseTCPAddress("127.0.0.1:8080").get(), ProbeEndpoint(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try ProbeEndpoint.parseTCPAddress("[::1]:22").get(), ProbeEndpoint(host: "::1", port: 22))
        XCTAssertEqual(try ProbeEndpoint.parseTCPAddress("db.internal:5432").get(), ProbeEndpoint(host: "db.internal", port: 5432))
        let failures: [(String, String)] = [
            ("db.internal", "address db.internal: missing port in address"),
            ("::1", "address ::1: too many colons in address"),
            ("[::1]", "address [::1]: missing port in address"),
            ("h:http", "address h:http: invalid port"),
            ("h:65536", "address h:65536: invalid port"),
        ]
        for (address, message) in failures {
            XCTAssertEqual(ProbeEndpoint.parseTCPAddress(address), .failure(HostPortError(message)), address)
        }
    }

    // MARK: Request

    /// As Consul sends them, except for `Connection: close`: our probes keep their connections.
    func testRequestBytesAsConsulSendsThem() throws {
        let url = try ProbeURL.parse("http://127.0.0.1:8080/health?full").get()
        let plain = try HTTPProbeRequest.bytes(method: "GET", url: url, headers: [], body: []).get()
        XCTAssertEqual(String(decoding: plain, as: UTF8.self),
                       "GET /health?full HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: Consul Health Check\r\n"
                        + "Accept: text/plain, text/*, */*\r\n\r\n")
        let custom = try HTTPProbeRequest.bytes(method: "PUT", url: url, headers: [
            (name: "host", value: "svc.local"), (name: "Accept", value: "application/json"), (name: "X-A", value: "1"),
            (name: "Connection", value: "keep-alive"), (name: "Content-Length", value: "99"),
        ], body: Array("{}".utf8)).get()
        XCTAssertEqual(String(decoding: custom, as: UTF8.self),
                       "PUT /health?full HTTP/1.1\r\nHost: svc.local\r\nUser-Agent: Consul Health Check\r\nAccept: application/json\r\n"
                        + "X-A: 1\r\nContent-Length: 2\r\n\r\n{}")
        let post = try HTTPProbeRequest.bytes(method: "POST", url: url, headers: [], body: []).get()
        XCTAssertTrue(String(decoding: post, as: UTF8.self).contains("\r\nContent-Length: 0\r\n"))
    }

    func testRequestCarriesURLCredentialsUnlessTheCheckAuthorizes() throws {
        let url = try ProbeURL.parse("http://admin:s%3Acret@h/").get()
        let basic = String(decoding: try HTTPProbeRequest.bytes(method: "GET", url: url, headers: [], body: []).get(), as: UTF8.self)
        XCTAssertTrue(basic.contains("\r\nAuthorization: Basic \(Base64.encode(Array("admin:s:cret".utf8)))\r\n"), basic)
        XCTAssertTrue(basic.contains("\r\nHost: h\r\n"), "user information stays out of Host")
        let own = String(decoding: try HTTPProbeRequest.bytes(method: "GET", url: url, headers: [(name: "Authorization", value: "Bearer t")],
                                                              body: []).get(), as: UTF8.self)
        XCTAssertFalse(own.contains("Basic"))
        XCTAssertTrue(own.contains("\r\nAuthorization: Bearer t\r\n"))
    }

    func testRequestsGoWouldRefuse() throws {
        let url = try ProbeURL.parse("http://h/").get()
        XCTAssertEqual(HTTPProbeRequest.bytes(method: "G ET", url: url, headers: [], body: []),
                       .failure(HTTPProbeRequestError(message: "net/http: invalid method \"G ET\"", wrapped: false)))
        XCTAssertEqual(HTTPProbeRequest.bytes(method: "GET", url: url, headers: [(name: "X", value: "a\r\nInjected: 1")], body: []),
                       .failure(HTTPProbeRequestError(message: "net/http: invalid header field value for \"X\"", wrapped: true)))
        XCTAssertEqual(HTTPProbeRequest.bytes(method: "GET", url: url, headers: [(name: "", value: "a")], body: []),
                       .failure(HTTPProbeRequestError(message: "net/http: invalid header field name \"\"", wrapped: true)))
    }

    // MARK: Plan

    func testPlanDefaultsAndCeilings() {
        var limits = ProbeLimits()
        limits.maxOutputBytesCeiling = 8192
        guard case .run(let plan) = ProbePlan.make(.http(HTTPProbe(url: "http://h/", method: "", timeoutMilliseconds: 0, maxOutputBytes: 0)),
                                                   limits: limits),
              case .http(let exchange) = plan.kind else { return XCTFail("not run") }
        XCTAssertEqual(plan.timeoutMilliseconds, 10_000, "0 means Consul's 10 s")
        XCTAssertEqual(exchange.method, "GET")
        XCTAssertEqual(exchange.maxOutputBytes, RegistryLimits.defaultCheckOutputMaxSize)
        guard case .run(let big) = ProbePlan.make(.http(HTTPProbe(url: "http://h/", maxOutputBytes: 1 << 30)), limits: limits),
              case .http(let capped) = big.kind else { return XCTFail("not run") }
        XCTAssertEqual(capped.maxOutputBytes, 8192)
        XCTAssertEqual(ProbePlan.make(.http(HTTPProbe(url: "http://h:1/", method: "POST", headers: [(name: "a b", value: "")])), limits: limits),
                       .finish(.critical, "Post \"http://h:1/\": net/http: invalid header field name \"a b\""))
    }

    func testTLSPlansNameTheServerAndTheVerification() {
        func tls(_ probe: HTTPProbe) -> ProbePlan.TLS? {
            guard case .run(let plan) = ProbePlan.make(.http(probe), limits: ProbeLimits()) else { return nil }
            return plan.tls
        }
        XCTAssertNil(tls(HTTPProbe(url: "http://web.local/", tlsServerName: "ignored.example")), "plain HTTP has no TLS")
        XCTAssertEqual(tls(HTTPProbe(url: "https://web.local:8443/")), ProbePlan.TLS(serverName: "web.local", verifiesPeer: true))
        XCTAssertEqual(tls(HTTPProbe(url: "https://[::1]/")), ProbePlan.TLS(serverName: "::1", verifiesPeer: true))
        XCTAssertEqual(tls(HTTPProbe(url: "https://10.0.0.5/", tlsServerName: "web.example", tlsSkipVerify: true)),
                       ProbePlan.TLS(serverName: "web.example", verifiesPeer: false))
        func tcpTLS(_ probe: TCPProbe) -> ProbePlan.TLS? {
            guard case .run(let plan) = ProbePlan.make(.tcp(probe), limits: ProbeLimits()) else { return nil }
            return plan.tls
        }
        XCTAssertNil(tcpTLS(TCPProbe(address: "db.local:5432", tlsServerName: "ignored")), "TLS only with TCPUseTLS")
        XCTAssertEqual(tcpTLS(TCPProbe(address: "db.local:5432", useTLS: true)), ProbePlan.TLS(serverName: "db.local", verifiesPeer: true))
        XCTAssertEqual(tcpTLS(TCPProbe(address: "[::1]:5432", useTLS: true, tlsServerName: "db.example", tlsSkipVerify: true)),
                       ProbePlan.TLS(serverName: "db.example", verifiesPeer: false))
    }

    // MARK: Texts

    func testStatusesFollowConsul() {
        for code in [200, 201, 204, 299] { XCTAssertEqual(ProbeOutput.status(httpStatusCode: code), .passing, "\(code)") }
        XCTAssertEqual(ProbeOutput.status(httpStatusCode: 429), .warning)
        for code in [101, 199, 300, 302, 304, 400, 404, 500, 503] {
            XCTAssertEqual(ProbeOutput.status(httpStatusCode: code), .critical, "\(code)")
        }
    }

    func testGoTexts() {
        XCTAssertEqual(GoText.quoted("a\"b\\c\nd\u{1}\u{7}é"), "\"a\\\"b\\\\c\\nd\\x01\\aé\"")
        XCTAssertEqual(GoText.urlErrorOperation("GET"), "Get")
        XCTAssertEqual(GoText.urlErrorOperation("DELETE"), "Delete")
        XCTAssertEqual(GoText.passwordRedacted("http://u:secret@h:1/p?x@y"), "http://u:***@h:1/p?x@y")
        XCTAssertEqual(GoText.passwordRedacted("http://u@h/"), "http://u@h/")
        XCTAssertEqual(GoText.passwordRedacted("http://h/a:b@c"), "http://h/a:b@c")
        XCTAssertEqual(ProbeOutput.httpError(method: "POST", url: "http://u:pw@h/", "EOF"), "Post \"http://u:***@h/\": EOF")
        XCTAssertEqual(ProbeOutput.httpAnswer(method: "GET", url: "http://h/x", statusText: "200 OK", body: Array("fine".utf8)),
                       "HTTP GET http://h/x: 200 OK Output: fine")
        XCTAssertEqual(GoText.errorText(LoopError(code: UV_ECONNREFUSED.rawValue, operation: "connect")), "connection refused")
    }

    // MARK: Guard

    func testRefusedRanges() throws {
        let refused = ["169.254.169.254", "169.254.0.0", "169.254.255.255", "100.100.100.200", "168.63.129.16",
                       "fe80::1", "febf:ffff::1", "fd00:ec2::254", "::ffff:169.254.169.254", "::ffff:100.100.100.200"]
        let allowed = ["169.253.255.255", "169.255.0.1", "100.100.100.201", "168.63.129.17", "10.0.0.1", "127.0.0.1",
                       "fec0::1", "fd00:ec2::253", "::1", "::ffff:10.0.0.1", "2001:db8::1"]
        for ip in refused {
            XCTAssertNotNil(ProbeAddressPolicy.refusedRange(try SocketAddress(ip: ip, port: 80).ipBytes), ip)
        }
        for ip in allowed {
            XCTAssertNil(ProbeAddressPolicy.refusedRange(try SocketAddress(ip: ip, port: 80).ipBytes), ip)
        }
    }

    func testConfigFileKeyForTheGuard() throws {
        var config = AgentConfig()
        XCTAssertFalse(config.checksAllowLinkLocalTargets, "off by default")
        try ConfigFile.apply(["security": ["checks_allow_link_local_targets": true]], to: &config, file: "f.json")
        XCTAssertTrue(config.checksAllowLinkLocalTargets)
        XCTAssertThrowsError(try ConfigFile.apply(["security": ["checks_allow_link_local_targets": "yes"]], to: &config, file: "f.json")) {
            XCTAssertEqual("\($0)", "configuration error: f.json: \"security.checks_allow_link_local_targets\" must be true or false")
        }
        XCTAssertThrowsError(try ConfigFile.apply(["security": ["allow": true]], to: &config, file: "f.json")) {
            XCTAssertEqual("\($0)", "configuration error: f.json: unknown key \"security.allow\"")
        }
    }
}
