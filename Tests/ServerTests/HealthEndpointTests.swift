// Proves the health endpoints end to end: checks by node, service and state, health/service
// entries with the node-level checks, `passing` parsed as Go's ParseBool, repeated tags,
// node-meta, bad states, and blocking on a service's health.
import API
import HTTP
import Registry
import Server
import XCTest

final class HealthEndpointTests: XCTestCase {
    /// web on this agent with a TTL check, and redis on a catalog-only node (no serfHealth there).
    func makeHarness() throws -> NodeHarness {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Tags":["v1","blue"],"Check":{"TTL":"1m"}}"#)
        let response = try h.must("PUT", "/v1/catalog/register", body: """
            {"Node":"ext","Address":"10.1.1.1","NodeMeta":{"env":"prod"},"Service":{"Service":"redis"},
             "Checks":[{"Name":"redis alive","ServiceID":"redis","Status":"passing"},{"Name":"disk","Status":"warning"}]}
            """)
        XCTAssertEqual(response.text, "true")
        return h
    }

    func testNodeChecksHoldNodeAndServiceChecks() throws {
        var h = try makeHarness()
        let checks = items(try h.getJSON("/v1/health/node/n1"))
        XCTAssertEqual(checks.map { $0["CheckID"] }, ["serfHealth", "service:web"])
        XCTAssertEqual(checks.first?["Name"], "Serf Health Status")
        XCTAssertEqual(checks.first?["Output"], "Agent alive and reachable")
        XCTAssertNotEqual(checks.first?["CreateIndex"], .int(0), "catalog views carry the Raft indexes")
        XCTAssertEqual(items(try h.getJSON("/v1/health/node/nope")), [])
    }

    func testChecksOfAServiceWithNodeMeta() throws {
        var h = try makeHarness()
        XCTAssertEqual(items(try h.getJSON("/v1/health/checks/redis")).map { $0["CheckID"] }, ["redis alive"])
        XCTAssertEqual(items(try h.getJSON("/v1/health/checks/redis?node-meta=env:prod")).count, 1)
        XCTAssertEqual(items(try h.getJSON("/v1/health/checks/redis?node-meta=env:dev")), [])
        XCTAssertEqual(items(try h.getJSON("/v1/health/checks/nope")), [])
    }

    func testServiceEntriesIncludeNodeLevelChecks() throws {
        var h = try makeHarness()
        let entries = items(try h.getJSON("/v1/health/service/web"))
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(keys(entries.first), ["Node", "Service", "Checks"])
        XCTAssertEqual(entries.first?["Node"]?["Node"], "n1")
        XCTAssertEqual(entries.first?["Service"]?["Tags"], .array(["v1", "blue"]))
        XCTAssertEqual(items(entries.first?["Checks"]).map { $0["CheckID"] }, ["serfHealth", "service:web"])
        let redis = items(try h.getJSON("/v1/health/service/redis"))
        XCTAssertEqual(items(redis.first?["Checks"]).map { $0["CheckID"] }, ["disk", "redis alive"])
    }

    func testPassingDropsEntriesWithAnyCheckNotPassing() throws {
        var h = try makeHarness()
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?passing")), [], "the TTL check starts critical")
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?passing=false")).count, 1)
        try h.agentWrite("/v1/agent/check/pass/service:web")
        for flag in ["passing", "passing=1", "passing=true", "passing=T"] {
            XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?\(flag)")).count, 1, flag)
        }
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/redis?passing=1")), [], "warning counts as failing here")
        let junk = try h.must("GET", "/v1/health/service/web?passing=yes")
        XCTAssertEqual(junk.status, .badRequest)
        XCTAssertEqual(junk.text, "Invalid value for ?passing")
    }

    func testTagsMustAllMatchAndNodeMetaFilters() throws {
        var h = try makeHarness()
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?tag=v1&tag=blue")).count, 1)
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?tag=v1&tag=green")), [])
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/redis?node-meta=env:prod")).count, 1)
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/web?node-meta=env:prod")), [])
        XCTAssertEqual(items(try h.getJSON("/v1/health/service/nope")), [])
    }

    func testChecksInState() throws {
        var h = try makeHarness()
        XCTAssertEqual(items(try h.getJSON("/v1/health/state/any")).map { $0["CheckID"] }, ["disk", "redis alive", "serfHealth", "service:web"])
        XCTAssertEqual(items(try h.getJSON("/v1/health/state/passing")).map { $0["CheckID"] }, ["redis alive", "serfHealth"])
        XCTAssertEqual(items(try h.getJSON("/v1/health/state/warning")).map { $0["CheckID"] }, ["disk"])
        XCTAssertEqual(items(try h.getJSON("/v1/health/state/critical")).map { $0["CheckID"] }, ["service:web"])
        XCTAssertEqual(items(try h.getJSON("/v1/health/state/any?node-meta=env:prod")).map { $0["CheckID"] }, ["disk", "redis alive"])
        let bad = try h.must("GET", "/v1/health/state/maintenance")
        XCTAssertEqual(bad.status, .badRequest)
        XCTAssertEqual(bad.text, #"Invalid check state "maintenance": must be any, passing, warning or critical"#)
        XCTAssertEqual(try h.must("GET", "/v1/health/state/").text, "Missing check state")
    }

    func testReadsCarryIndexAndLeaderHeaders() throws {
        var h = try makeHarness()
        for target in ["/v1/health/node/n1", "/v1/health/node/nope", "/v1/health/checks/redis", "/v1/health/service/web",
                       "/v1/health/service/nope", "/v1/health/state/any", "/v1/health/state/any?node-meta=env:prod"] {
            let response = try h.must("GET", target)
            XCTAssertEqual(response.status, .ok, target)
            XCTAssertGreaterThanOrEqual(try h.consulIndex(response), 1, target)
            XCTAssertEqual(response.headers["X-Consul-KnownLeader"], "true", target)
            XCTAssertNotNil(response.headers["X-Consul-LastContact"], target)
        }
    }

    func testBlockingHealthQueryWakesWhenACheckOfTheServiceChanges() throws {
        var h = try makeHarness()
        let index = try h.consulIndex(try h.must("GET", "/v1/health/service/web"))
        let (waiting, immediate) = try h.send("GET", "/v1/health/service/web?index=\(index)&passing=1")
        XCTAssertNil(immediate)
        let (_, afterRedis) = try h.sendCollecting("PUT", "/v1/catalog/register",
                                                   body: #"{"Node":"ext","Address":"10.1.1.1","Check":{"Name":"disk","Status":"passing"}}"#)
        XCTAssertNil(afterRedis.first { $0.0 == waiting }, "another node's check is not web's health")
        let (_, afterPass) = try h.sendCollecting("PUT", "/v1/agent/check/pass/service:web")
        let woken = try XCTUnwrap(afterPass.first { $0.0 == waiting }?.1)
        XCTAssertGreaterThan(try h.consulIndex(woken), index)
        XCTAssertEqual(items(try JSONParser.parse(woken.body)).count, 1, "now passing")
    }
}
