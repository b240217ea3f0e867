// The 8761 discovery API through a whole node without sockets: registration seen by both
// APIs, load-balancing strategies over many picks, leases, configuration versions and their
// WebSocket pushes, and the error envelope for bad input (with the state unchanged).
@testable import API
import HTTP
import Registry
import Server
@testable import Store
import XCTest

final class DiscoveryEndpointTests: XCTestCase {
    private func discovery(_ harness: inout NodeHarness, _ method: String, _ target: String, _ body: String = "") throws -> (status: Int, json: [String: Any]) {
        let (_, answer) = try harness.send(method, target, body: body, listener: .discovery)
        let response = try XCTUnwrap(answer, "\(method) \(target) answered at once")
        let object = response.body.isEmpty ? [:] : try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        return (response.status.code, object)
    }

    private func register(_ harness: inout NodeHarness, _ id: String, name: String = "web", meta: String = "{}", check: String = #"{"type":"ttl","interval":"30s"}"#) throws {
        let body = #"{"service_name":"\#(name)","service_id":"\#(id)","address":"10.0.0.1","port":8080,"tags":["v1"],"metadata":\#(meta),"health_check":\#(check)}"#
        let answer = try discovery(&harness, "POST", "/api/v1/register", body)
        XCTAssertEqual(answer.status, 201, "\(answer.json)")
    }

    private func pickCounts(_ harness: inout NodeHarness, _ query: String, picks: Int = 1000) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<picks {
            let answer = try discovery(&harness, "GET", "/api/v1/services/web/instance?" + query)
            XCTAssertEqual(answer.status, 200, "\(answer.json)")
            let id = try XCTUnwrap((answer.json["data"] as? [String: Any])?["service_id"] as? String)
            counts[id, default: 0] += 1
        }
        return counts
    }

    func testRegisteredInstanceIsVisibleThroughTheConsulAPIAndBack() throws {
        var harness = try NodeHarness()
        let created = try discovery(&harness, "POST", "/api/v1/register",
            #"{"service_name":"web","service_id":"web-1","address":"10.0.0.1","port":8080,"tags":["v1"],"metadata":{"region":"eu"},"health_check":{"type":"http","url":"http://10.0.0.1:8080/health","interval":"5s","timeout":"1s","deregister_critical_service_after":"1m"}}"#)
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.json["success"] as? Bool, true)
        let data = try XCTUnwrap(created.json["data"] as? [String: Any])
        XCTAssertEqual(data["status"] as? String, "passing")
        XCTAssertEqual(data["url"] as? String, "http://10.0.0.1:8080")
        XCTAssertEqual(data["registered_at"] as? String, "2023-11-14T22:13:20.000Z")

        let (_, consul) = try harness.send("GET", "/v1/health/service/web")
        let entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(consul).body)) as? [[String: Any]])
        XCTAssertEqual((entries.first?["Service"] as? [String: Any])?["ID"] as? String, "web-1")
        let checks = try XCTUnwrap(entries.first?["Checks"] as? [[String: Any]])
        let check = try XCTUnwrap(checks.first { $0["CheckID"] as? String == "service:web-1" })
        XCTAssertEqual(check["Type"] as? String, "http")
        XCTAssertEqual((check["Definition"] as? [String: Any])?["DeregisterCriticalServiceAfter"] as? String, "1m0s")

        // Registered through Consul, seen through 8761.
        _ = try harness.send("PUT", "/v1/agent/service/register", body: #"{"Name":"web","ID":"web-2","Port":9090,"Meta":{"region":"us"}}"#)
        let listed = try discovery(&harness, "GET", "/api/v1/services/web/instances")
        XCTAssertEqual((listed.json["data"] as? [[String: Any]])?.compactMap { $0["service_id"] as? String }, ["web-1", "web-2"])
        let filtered = try discovery(&harness, "GET", "/api/v1/services/web/instances?metadata=region:us&status=passing")
        XCTAssertEqual((filtered.json["data"] as? [[String: Any]])?.compactMap { $0["service_id"] as? String }, ["web-2"])
        let tagged = try discovery(&harness, "GET", "/api/v1/services/web/instances?tag=v1")
        XCTAssertEqual((tagged.json["data"] as? [[String: Any]])?.count, 1)

        XCTAssertEqual(try discovery(&harness, "DELETE", "/api/v1/deregister/web-2").status, 204)
        XCTAssertEqual(try discovery(&harness, "DELETE", "/api/v1/deregister/web-2").status, 404)
        let (_, after) = try harness.send("GET", "/v1/catalog/service/web")
        XCTAssertFalse(try XCTUnwrap(after).text.contains("web-2"))
    }

    func testBadRegistrationsNameTheFieldAndChangeNothing() throws {
        var harness = try NodeHarness()
        let before = try harness.store.canonicalDump()
        let cases: [(String, String)] = [
            ("", "body"),
            ("[1]", "body"),
            ("{", "body"),
            (#"{"service_id":"a","address":"h","port":1}"#, "service_name"),
            (#"{"service_name":"web","address":"h","port":1}"#, "service_id"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":"80"}"#, "port"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":70000}"#, "port"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"tags":"x"}"#, "tags"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"metadata":{"k":1}}"#, "metadata"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"health_check":{"type":"smoke"}}"#, "health_check.type"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"health_check":{"type":"http","url":"ftp://x"}}"#, "health_check.url"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"health_check":{"type":"ttl","interval":"soon"}}"#, "health_check.interval"),
            (#"{"service_name":"web","service_id":"a","address":"h","port":80,"health_check":{"type":"script"}}"#, "health_check.type"),
        ]
        for (body, field) in cases {
            let answer = try discovery(&harness, "POST", "/api/v1/register", body)
            XCTAssertEqual(answer.status, 400, body)
            XCTAssertEqual(answer.json["success"] as? Bool, false, body)
            let error = try XCTUnwrap(answer.json["error"] as? [String: Any], body)
            XCTAssertEqual(error["code"] as? String, "validation_error", body)
            XCTAssertEqual((error["details"] as? [String: Any])?["field"] as? String, field, body)
            XCTAssertFalse((error["message"] as? String ?? "").isEmpty, body)
        }
        XCTAssertEqual(try discovery(&harness, "GET", "/api/v1/services/web/instance?strategy=fastest").status, 400)
        XCTAssertEqual(try discovery(&harness, "PUT", "/api/v1/config/web", "[1]").status, 400)
        XCTAssertEqual(try harness.store.canonicalDump(), before, "refused requests wrote nothing")
    }

    func testRoundRobinRotatesEvenly() throws {
        var harness = try NodeHarness()
        for id in ["a", "b", "c"] { try register(&harness, id) }
        let counts = try pickCounts(&harness, "strategy=round_robin", picks: 999)
        XCTAssertEqual(counts, ["a": 333, "b": 333, "c": 333])
    }

    func testWeightedFollowsWeightScaledByCPU() throws {
        var harness = try NodeHarness()
        try register(&harness, "light", meta: #"{"weight":"100"}"#)
        try register(&harness, "heavy", meta: #"{"weight":"300"}"#)
        try register(&harness, "busy", meta: #"{"weight":"400","cpu_usage":"75"}"#)  // 400 * 0.25 = 100
        let counts = try pickCounts(&harness, "strategy=weighted", picks: 1000)
        // Expected 200 / 600 / 200; five standard deviations of a binomial(1000, p) is <= 80.
        XCTAssertEqual(Double(counts["light", default: 0]), 200, accuracy: 70, "\(counts)")
        XCTAssertEqual(Double(counts["heavy", default: 0]), 600, accuracy: 80, "\(counts)")
        XCTAssertEqual(Double(counts["busy", default: 0]), 200, accuracy: 70, "\(counts)")
    }

    func testGeographicPrefersTheRegionThenFallsBack() throws {
        var harness = try NodeHarness()
        try register(&harness, "eu-1", meta: #"{"region":"eu"}"#)
        try register(&harness, "eu-2", meta: #"{"region":"eu"}"#)
        try register(&harness, "us-1", meta: #"{"region":"us"}"#)
        XCTAssertEqual(try pickCounts(&harness, "strategy=geographic&region=eu", picks: 100), ["eu-1": 50, "eu-2": 50])
        XCTAssertEqual(try pickCounts(&harness, "strategy=geographic&region=ap", picks: 99), ["eu-1": 33, "eu-2": 33, "us-1": 33])
    }

    func testCriticalInstancesLeaveThePoolAndNoneHealthyIs404() throws {
        var harness = try NodeHarness()
        try register(&harness, "a")
        try register(&harness, "b")
        _ = try harness.send("PUT", "/v1/agent/check/fail/service:a")
        XCTAssertEqual(try pickCounts(&harness, "", picks: 10), ["b": 10])
        _ = try harness.send("PUT", "/v1/agent/check/warn/service:b")
        XCTAssertEqual(try pickCounts(&harness, "", picks: 4), ["b": 4], "warning still receives traffic")
        _ = try harness.send("PUT", "/v1/agent/check/fail/service:b")
        let none = try discovery(&harness, "GET", "/api/v1/services/web/instance")
        XCTAssertEqual(none.status, 404)
        XCTAssertEqual((none.json["error"] as? [String: Any])?["message"] as? String, "no healthy instances of service web")
        let health = try discovery(&harness, "GET", "/api/v1/health/b")
        XCTAssertEqual((health.json["data"] as? [String: Any])?["status"] as? String, "critical")
    }

    func testLeastConnectionsCountsLeasesUntilReleasedOrExpired() throws {
        var harness = try NodeHarness()
        // HTTP checks: they are not probed here, so the instances stay passing while time passes.
        for id in ["a", "b", "c"] { try register(&harness, id, check: #"{"type":"http","url":"http://10.0.0.1:8080/"}"#) }
        var leases: [(id: String, lease: String)] = []
        for _ in 0..<6 {
            let (_, response) = try harness.send("GET", "/api/v1/services/web/instance?strategy=least_connections&lease_ttl=10s", listener: .discovery)
            let data = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(response).body)) as? [String: Any])["data"] as? [String: Any]
            leases.append((try XCTUnwrap(data?["service_id"] as? String), try XCTUnwrap((data?["lease"] as? [String: Any])?["lease_id"] as? String)))
        }
        XCTAssertEqual(leases.map(\.id), ["a", "b", "c", "a", "b", "c"], "fewest leases first, ties to the least granted")
        let aLease = try XCTUnwrap(leases.first { $0.id == "a" }?.lease)
        XCTAssertEqual(try discovery(&harness, "POST", "/api/v1/services/web/instances/b/release?lease=\(aLease)").status, 404,
                       "a lease is released through the instance that holds it")
        // Release both of b's: b has the fewest now.
        for lease in leases where lease.id == "b" {
            XCTAssertEqual(try discovery(&harness, "POST", "/api/v1/services/web/instances/b/release?lease=\(lease.lease)").status, 200)
        }
        XCTAssertEqual(try discovery(&harness, "POST", "/api/v1/services/web/instances/b/release?lease=\(leases[1].lease)").status, 404)
        let next = try discovery(&harness, "GET", "/api/v1/services/web/instance?strategy=least_connections")
        XCTAssertEqual((next.json["data"] as? [String: Any])?["service_id"] as? String, "b")
        // After the TTL every lease has lapsed: counts are equal again and ties rotate.
        _ = harness.advance(milliseconds: 31_000)
        let afterExpiry = try discovery(&harness, "GET", "/api/v1/services/web/instance?strategy=least_connections")
        XCTAssertEqual((afterExpiry.json["data"] as? [String: Any])?["service_id"] as? String, "a", "a and c were granted 2, b 3")
    }

    func testConfigVersionsAndWatchPushes() throws {
        var harness = try NodeHarness()
        let upgrade: [(name: String, value: String)] = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
                                                        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")]
        let (watcher, accepted) = try harness.send("GET", "/api/v1/config/watch/web", listener: .discovery, headers: upgrade)
        XCTAssertEqual(accepted?.status, .switchingProtocols)
        XCTAssertEqual(try discovery(&harness, "GET", "/api/v1/config/web").status, 404)
        for version in 1...25 {
            let put = try discovery(&harness, "PUT", "/api/v1/config/web", #"{"config":{"max":\#(version)},"environment":"staging"}"#)
            XCTAssertEqual(put.status, 200)
            XCTAssertEqual((put.json["data"] as? [String: Any])?["version"] as? String, String(version))
        }
        let pushed = harness.pushes.filter { $0.0 == watcher }.map(\.1)
        XCTAssertEqual(pushed.count, 25)
        for (offset, message) in pushed.enumerated() {
            XCTAssertTrue(message.contains(#""version":"\#(offset + 1)""#) && message.hasPrefix(#"{"event":"updated""#), message)
        }
        let latest = try discovery(&harness, "GET", "/api/v1/config/web")
        XCTAssertEqual(((latest.json["data"] as? [String: Any])?["config"] as? [String: Any])?["max"] as? Int, 25)
        XCTAssertEqual(try discovery(&harness, "GET", "/api/v1/config/web?version=6").status, 200)
        let gone = try discovery(&harness, "GET", "/api/v1/config/web?version=5")
        XCTAssertEqual(gone.status, 404)
        XCTAssertEqual((gone.json["error"] as? [String: Any])?["message"] as? String,
                       "version 5 of the configuration of web is not kept; versions 6 to 25 are")
        XCTAssertEqual(try discovery(&harness, "DELETE", "/api/v1/config/web").status, 204)
        XCTAssertTrue(harness.pushes.last?.1.hasPrefix(#"{"event":"deleted""#) ?? false)
        XCTAssertEqual(try discovery(&harness, "DELETE", "/api/v1/config/web").status, 404)
        // Numbering continues after a delete, so no watcher sees a version number twice.
        let reborn = try discovery(&harness, "PUT", "/api/v1/config/web", #"{"max":1}"#)
        XCTAssertEqual((reborn.json["data"] as? [String: Any])?["version"] as? String, "26")

        // A new watcher starts from the current configuration; a cancelled one gets nothing more.
        let (second, _) = try harness.send("GET", "/api/v1/config/watch/web", listener: .discovery, headers: upgrade)
        XCTAssertTrue(harness.pushes.last.map { $0.0 == second && $0.1.hasPrefix(#"{"event":"current""#) } ?? false)
        _ = harness.step(.cancel(watcher))
        let count = harness.pushes.count
        _ = try discovery(&harness, "PUT", "/api/v1/config/web", #"{"max":2}"#)
        XCTAssertEqual(harness.pushes.count, count + 1)
        XCTAssertEqual(harness.pushes.last?.0, second)
    }

    func testMetricsCountPicksFailuresAndRegistrations() throws {
        var harness = try NodeHarness()
        try register(&harness, "a")
        try register(&harness, "b")
        _ = try pickCounts(&harness, "strategy=round_robin", picks: 4)
        _ = try pickCounts(&harness, "strategy=weighted", picks: 2)
        XCTAssertEqual(try discovery(&harness, "GET", "/api/v1/services/nothing/instance").status, 404)
        XCTAssertEqual(try discovery(&harness, "GET", "/api/v1/services/nothing/instance?strategy=least_connections").status, 404)

        let (_, text) = try harness.send("GET", "/metrics", listener: .discovery)
        let body = try XCTUnwrap(text).text
        XCTAssertEqual(text?.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        for line in [
            #"service_registrations_total{service_name="web"} 2"#,
            #"service_discoveries_total{service_name="web",strategy="round_robin"} 4"#,
            #"service_discoveries_total{service_name="web",strategy="weighted"} 2"#,
            #"service_discovery_failures_total{service_name="nothing"} 2"#,
            #"active_service_instances{service_name="web"} 2"#,
            #"service_instances{service_name="web",status="critical"} 0"#,
            "# TYPE health_check_duration_seconds histogram",
        ] {
            XCTAssertTrue(body.contains(line + "\n") || body.contains(line), "missing \(line) in\n\(body)")
        }

        let services = try discovery(&harness, "GET", "/api/v1/metrics/services")
        let web = try XCTUnwrap((services.json["data"] as? [[String: Any]])?.first { $0["service_name"] as? String == "web" })
        XCTAssertEqual(web["total_requests"] as? Int, 6)
        XCTAssertEqual(web["healthy_instances"] as? Int, 2)
        XCTAssertEqual(web["error_rate"] as? Double, 0)
        let instances = try discovery(&harness, "GET", "/api/v1/metrics/instances")
        let picks = (instances.json["data"] as? [[String: Any]])?.filter { $0["service_name"] as? String == "web" }.compactMap { $0["picks"] as? Int }
        XCTAssertEqual(picks?.reduce(0, +), 6)
    }

    func testPrometheusLabelValuesAreEscaped() {
        XCTAssertEqual(PrometheusText.escape(#"a"b\c"# + "\n"), #"a\"b\\c\n"#)
    }
}
