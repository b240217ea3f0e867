// Probed checks through a whole node without sockets: the node asks for probes on schedule,
// damps results as Consul does, writes status changes at once and output-only changes at most
// once per check_update_interval, and deregisters a service left critical too long.
import HTTP
import Registry
@testable import Server
import Store
import XCTest

final class ProbeSchedulerTests: XCTestCase {
    private func checkStatus(_ harness: inout NodeHarness, _ id: String) throws -> (status: String, output: String) {
        let (_, response) = try harness.send("GET", "/v1/agent/checks")
        let checks = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(response).body)) as? [String: [String: Any]])
        let check = try XCTUnwrap(checks[id], "no check \(id)")
        return (try XCTUnwrap(check["Status"] as? String), check["Output"] as? String ?? "")
    }

    private struct NoProbe: Error {}
    /// Probes handed out so far (each test is a new instance).
    private var consumed = 0

    /// The next probe the node asked for, advancing in ticks until it does.
    private func nextProbe(_ harness: inout NodeHarness, within milliseconds: UInt64 = 20_000) throws -> (ProbeID, ProbeSpec) {
        var waited: UInt64 = 0
        while harness.probes.count <= consumed {
            _ = harness.advance(milliseconds: 50)
            waited += 50
            guard waited <= milliseconds else {
                XCTFail("no probe within \(milliseconds) ms")
                throw NoProbe()
            }
        }
        consumed += 1
        return harness.probes[consumed - 1]
    }

    private func answer(_ harness: inout NodeHarness, _ id: ProbeID, _ status: HealthStatus, _ output: String) {
        _ = harness.step(.probeFinished(id, ProbeResult(status: status, output: output, durationMilliseconds: 12)))
    }

    func testHTTPCheckIsProbedOnScheduleWithItsRequest() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"""
            {"Name":"web","ID":"web-1","Port":80,"Check":{"CheckID":"web-http","HTTP":"http://10.0.0.1/health","Method":"POST",
             "Header":{"X-B":["2"],"X-A":["1","3"]},"Body":"ping","Interval":"2s","Timeout":"500ms"}}
            """#)
        let (first, spec) = try nextProbe(&harness, within: 2_100)
        guard case .http(let http) = spec else { return XCTFail("\(spec)") }
        XCTAssertEqual(http.url, "http://10.0.0.1/health")
        XCTAssertEqual(http.method, "POST")
        XCTAssertEqual(http.headers.map { "\($0.name)=\($0.value)" }, ["X-A=1", "X-A=3", "X-B=2"])
        XCTAssertEqual(http.body, Array("ping".utf8))
        XCTAssertEqual(http.timeoutMilliseconds, 500)
        // While a run is in flight no second one starts, even past the interval.
        _ = harness.advance(milliseconds: 5_000)
        XCTAssertEqual(harness.probes.count, consumed)
        answer(&harness, first, .passing, "HTTP POST http://10.0.0.1/health: 200 OK Output: ok")
        XCTAssertEqual(try checkStatus(&harness, "web-http").status, "passing")
        // Then one run per interval.
        _ = try nextProbe(&harness, within: 2_100)
    }

    func testATCPCheckWithTLSAsksForAHandshake() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"""
            {"ID":"tls","Name":"tls","TCP":"10.0.0.9:443","TCPUseTLS":true,"TLSServerName":"db.internal","TLSSkipVerify":true,"Interval":"1s"}
            """#)
        let (_, spec) = try nextProbe(&harness)
        guard case .tcp(let probe) = spec else { return XCTFail("expected a TCP probe, got \(spec)") }
        XCTAssertEqual(probe.address, "10.0.0.9:443")
        XCTAssertTrue(probe.useTLS)
        XCTAssertEqual(probe.tlsServerName, "db.internal")
        XCTAssertTrue(probe.tlsSkipVerify)
    }

    func testGRPCCheckIsProbedWithItsTargetAndTLSSettings() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"""
            {"ID":"rpc","Name":"rpc","GRPC":"10.0.0.7:50051/billing","GRPCUseTLS":true,"TLSServerName":"rpc.internal",
             "Interval":"1s","Timeout":"750ms"}
            """#)
        let (first, spec) = try nextProbe(&harness)
        guard case .grpc(let probe) = spec else { return XCTFail("expected a gRPC probe, got \(spec)") }
        XCTAssertEqual(probe, GRPCProbe(target: "10.0.0.7:50051/billing", useTLS: true, tlsServerName: "rpc.internal",
                                        timeoutMilliseconds: 750))
        answer(&harness, first, .critical, "gRPC 10.0.0.7:50051/billing serving status: NOT_SERVING")
        XCTAssertEqual(try checkStatus(&harness, "rpc").status, "critical")
        _ = try nextProbe(&harness, within: 1_100)
    }

    func testH2PingCheckUsesTLSUnlessTurnedOff() throws {
        var harness = try NodeHarness()
        // Consul's CheckDefinition defaults H2PingUseTLS to true when H2PING is set.
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"{"ID":"a","Name":"a","H2PING":"10.0.0.8:443","Interval":"1s"}"#)
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"""
            {"ID":"b","Name":"b","H2PING":"10.0.0.8:80","H2PingUseTLS":false,"Interval":"1s"}
            """#)
        var seen: [String: H2PingProbe] = [:]
        while seen.count < 2 {
            let (_, spec) = try nextProbe(&harness)
            guard case .h2ping(let probe) = spec else { return XCTFail("expected an H2PING probe, got \(spec)") }
            seen[probe.address] = probe
        }
        XCTAssertEqual(seen["10.0.0.8:443"], H2PingProbe(address: "10.0.0.8:443", useTLS: true, timeoutMilliseconds: 10_000))
        XCTAssertEqual(seen["10.0.0.8:80"], H2PingProbe(address: "10.0.0.8:80", useTLS: false, timeoutMilliseconds: 10_000))
    }

    func testDampingAsConsulsStatusHandler() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"""
            {"ID":"api","Name":"api","TCP":"10.0.0.2:80","Interval":"1s","Status":"passing",
             "SuccessBeforePassing":2,"FailuresBeforeWarning":1,"FailuresBeforeCritical":3}
            """#)
        var (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "dial tcp 10.0.0.2:80: connect: connection refused")
        XCTAssertEqual(try checkStatus(&harness, "api").status, "warning", "first failure: warning")
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "refused")
        XCTAssertEqual(try checkStatus(&harness, "api").status, "warning", "second failure: still warning")
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "refused")
        XCTAssertEqual(try checkStatus(&harness, "api").status, "critical", "third failure: critical")
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .passing, "TCP connect 10.0.0.2:80: Success")
        XCTAssertEqual(try checkStatus(&harness, "api").status, "critical", "one success is not enough")
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .passing, "TCP connect 10.0.0.2:80: Success")
        let final = try checkStatus(&harness, "api")
        XCTAssertEqual([final.status, final.output], ["passing", "TCP connect 10.0.0.2:80: Success"])
    }

    func testOutputOnlyChangesAreWrittenAtMostOncePerUpdateInterval() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"{"ID":"c","Name":"c","HTTP":"http://10.0.0.3/","Interval":"1s"}"#)
        var (id, _) = try nextProbe(&harness)
        answer(&harness, id, .passing, "out 1")
        XCTAssertEqual(try checkStatus(&harness, "c").output, "out 1", "a status change writes the output with it")
        let index = harness.store.appliedIndex
        for n in 2...5 {
            (id, _) = try nextProbe(&harness)
            answer(&harness, id, .passing, "out \(n)")
        }
        XCTAssertEqual(harness.store.appliedIndex, index, "output-only changes within the interval write nothing")
        XCTAssertEqual(try checkStatus(&harness, "c").output, "out 1")
        _ = harness.advance(milliseconds: 5 * 60 * 1000)
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .passing, "out 6")
        XCTAssertEqual(try checkStatus(&harness, "c").output, "out 6")
    }

    func testServiceCriticalTooLongIsDeregistered() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"""
            {"Name":"web","ID":"web-1","Port":80,"Check":{"TCP":"10.0.0.4:80","Interval":"1s","DeregisterCriticalServiceAfter":"10s"}}
            """#)
        let (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "refused")
        XCTAssertEqual(try checkStatus(&harness, "service:web-1").status, "critical")
        // Later probes keep failing; it stays registered until 10 s after it turned critical.
        for _ in 0..<5 {
            let (next, _) = try nextProbe(&harness)
            answer(&harness, next, .critical, "refused")
        }
        var (_, services) = try harness.send("GET", "/v1/agent/services")
        XCTAssertTrue(try XCTUnwrap(services).text.contains("web-1"))
        _ = harness.advance(milliseconds: 6_000)
        (_, services) = try harness.send("GET", "/v1/agent/services")
        XCTAssertFalse(try XCTUnwrap(services).text.contains("web-1"), "deregistered after DeregisterCriticalServiceAfter")
    }

    func testDiscoveryRegistrationFollowsTheSeedStates() throws {
        var harness = try NodeHarness()
        let (_, created) = try harness.send("POST", "/api/v1/register", body: #"""
            {"service_name":"web","service_id":"w1","address":"10.0.0.5","port":80,
             "health_check":{"type":"http","url":"http://10.0.0.5/health","interval":"1s","deregister_critical_service_after":"30s"}}
            """#, listener: .discovery)
        XCTAssertEqual(created?.status, .created)
        var (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "HTTP GET http://10.0.0.5/health: 503 Service Unavailable Output: down")
        XCTAssertEqual(try checkStatus(&harness, "service:w1").status, "warning", "first failure: warning, still in the pool")
        let (_, pick) = try harness.send("GET", "/api/v1/services/web/instance", listener: .discovery)
        XCTAssertEqual(pick?.status, .ok)
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .critical, "HTTP GET http://10.0.0.5/health: 503 Service Unavailable Output: down")
        XCTAssertEqual(try checkStatus(&harness, "service:w1").status, "critical", "second failure: critical")
        let (_, none) = try harness.send("GET", "/api/v1/services/web/instance", listener: .discovery)
        XCTAssertEqual(none?.status, .notFound, "critical instances leave the pool")
        (id, _) = try nextProbe(&harness)
        answer(&harness, id, .passing, "HTTP GET http://10.0.0.5/health: 200 OK Output: up")
        XCTAssertEqual(try checkStatus(&harness, "service:w1").status, "passing", "recovered")
        let (_, metrics) = try harness.send("GET", "/metrics", listener: .discovery)
        XCTAssertTrue(try XCTUnwrap(metrics).text.contains(#"health_check_duration_seconds_count{service_name="web"} 3"#))
    }

    func testProbeOfADeregisteredCheckIsIgnored() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/check/register", body: #"{"ID":"gone","Name":"gone","TCP":"10.0.0.6:80","Interval":"1s"}"#)
        let (id, _) = try nextProbe(&harness)
        _ = try harness.send("PUT", "/v1/agent/check/deregister/gone")
        let index = harness.store.appliedIndex
        answer(&harness, id, .passing, "late")
        XCTAssertEqual(harness.store.appliedIndex, index)
    }

    func testProbeNowAnswersWithTheFreshResult() throws {
        var harness = try NodeHarness()
        _ = try harness.send("POST", "/api/v1/register", body: #"""
            {"service_name":"web","service_id":"w1","address":"10.0.0.7","port":80,
             "health_check":{"type":"http","url":"http://10.0.0.7/health","interval":"1m"}}
            """#, listener: .discovery)
        consumed = harness.probes.count
        let (request, immediate) = try harness.send("POST", "/api/v1/health/w1/check", listener: .discovery)
        XCTAssertNil(immediate, "answered when the run ends")
        let (id, spec) = try nextProbe(&harness, within: 0)
        guard case .http(let http) = spec else { return XCTFail("\(spec)") }
        XCTAssertEqual(http.url, "http://10.0.0.7/health")
        let responses = harness.step(.probeFinished(id, ProbeResult(status: .critical, output: "HTTP GET http://10.0.0.7/health: 500 Internal Server Error Output: boom", durationMilliseconds: 42)))
        let response = try XCTUnwrap(responses.first { $0.0 == request }?.1)
        let items = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])["data"] as? [[String: Any]]
        XCTAssertEqual(items?.count, 2, "the instance's check and its node's serfHealth")
        let data = items?.first { $0["check_id"] as? String == "service:w1" }
        XCTAssertEqual(data?["status"] as? String, "critical")
        XCTAssertEqual(data?["duration_ms"] as? Double, 42)
        XCTAssertEqual(data?["check_id"] as? String, "service:w1")
        XCTAssertEqual(try checkStatus(&harness, "service:w1").status, "warning", "the run counts: first failure is a warning")

        // A TTL instance answers with its recorded state at once.
        _ = try harness.send("POST", "/api/v1/register", body: #"{"service_name":"db","service_id":"d1","address":"h","port":1,"health_check":{"type":"ttl","interval":"30s"}}"#, listener: .discovery)
        let (_, ttl) = try harness.send("POST", "/api/v1/health/d1/check", listener: .discovery)
        XCTAssertEqual(ttl?.status, .ok)
    }

    func testAliasCheckMirrorsTheAliasedInstance() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"{"Name":"db","ID":"db-1","Port":5432,"Check":{"CheckID":"db-ttl","TTL":"30s","Status":"passing"}}"#)
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"{"Name":"app","ID":"app-1","Port":80,"Check":{"CheckID":"app-needs-db","AliasService":"db-1"}}"#)
        XCTAssertEqual(try checkStatus(&harness, "app-needs-db").status, "passing")
        _ = try harness.send("PUT", "/v1/agent/check/warn/db-ttl")
        XCTAssertEqual(try checkStatus(&harness, "app-needs-db").status, "warning")
        _ = try harness.send("PUT", "/v1/agent/check/fail/db-ttl")
        let critical = try checkStatus(&harness, "app-needs-db")
        XCTAssertEqual([critical.status, critical.output], ["critical", "At least one check is critical"])
        _ = try harness.send("PUT", "/v1/agent/service/deregister/db-1")
        let missing = try checkStatus(&harness, "app-needs-db")
        XCTAssertEqual([missing.status, missing.output], ["critical", "Service not found"])
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"{"Name":"db","ID":"db-1","Port":5432}"#)
        XCTAssertEqual(try checkStatus(&harness, "app-needs-db").status, "passing", "back, with no checks: passing")
    }

    func testScriptChecksAreRefusedThroughTheHTTPAPI() throws {
        var harness = try NodeHarness()
        let before = harness.store.appliedIndex
        let (_, check) = try harness.send("PUT", "/v1/agent/check/register", body: #"{"Name":"s","Args":["/bin/true"],"Interval":"10s"}"#)
        XCTAssertEqual(check?.status, .badRequest)
        XCTAssertEqual(check?.text, "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true")
        let (_, service) = try harness.send("PUT", "/v1/agent/service/register", body: #"{"Name":"w","Check":{"Args":["sh","-c","exit 0"],"Interval":"10s"}}"#)
        XCTAssertEqual(service?.status, .badRequest)
        XCTAssertEqual(harness.store.appliedIndex, before, "nothing written")
    }
}
