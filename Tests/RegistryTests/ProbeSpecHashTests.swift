// Proves probe specs hash as they compare, so the shell's cache of prepared probes (keyed by spec) finds a check's plan again and never mixes two checks.
import Registry
import XCTest

final class ProbeSpecHashTests: XCTestCase {
    func testEqualSpecsHashAlikeAndEveryFieldTellsThemApart() {
        let base = HTTPProbe(url: "http://10.0.0.1/health", method: "GET", headers: [("X-A", "1"), ("X-B", "2")], body: [1],
                             tlsServerName: "", tlsSkipVerify: false, timeoutMilliseconds: 1000, maxOutputBytes: 4096)
        XCTAssertEqual(Set([ProbeSpec.http(base), .http(base)]).count, 1)
        var variants: [HTTPProbe] = []
        var probe = base; probe.url += "z"; variants.append(probe)
        probe = base; probe.method = "HEAD"; variants.append(probe)
        probe = base; probe.headers = [("X-B", "2"), ("X-A", "1")]; variants.append(probe)
        probe = base; probe.headers[0].value = "3"; variants.append(probe)
        probe = base; probe.body = []; variants.append(probe)
        probe = base; probe.tlsServerName = "x"; variants.append(probe)
        probe = base; probe.tlsSkipVerify = true; variants.append(probe)
        probe = base; probe.timeoutMilliseconds = 2000; variants.append(probe)
        probe = base; probe.maxOutputBytes = 1; variants.append(probe)
        let specs = Set(([base] + variants).map(ProbeSpec.http))
        XCTAssertEqual(specs.count, variants.count + 1, "each field change is another spec")
        XCTAssertNotEqual(ProbeSpec.tcp(TCPProbe(address: "10.0.0.1:80")), .h2ping(H2PingProbe(address: "10.0.0.1:80")))
    }
}
