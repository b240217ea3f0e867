// Proves node and service maintenance (reserved check IDs, default notes, idempotence, Consul's
// refusals), agent/health/service by ID and by name (status codes, text format), and
// agent/members.
import API
import HTTP
import Registry
import Server
import XCTest

final class AgentMaintenanceAndHealthTests: XCTestCase {
    func testNodeMaintenanceAddsAndRemovesTheReservedCheck() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/maintenance?enable=true&reason=patching")
        let check = try h.getJSON("/v1/agent/checks")["_node_maintenance"]
        XCTAssertEqual(check?["Name"], "Node Maintenance Mode")
        XCTAssertEqual(check?["Notes"], "patching")
        XCTAssertEqual(check?["Status"], "critical")
        XCTAssertEqual(check?["ServiceID"], "")

        let before = try h.catalogSnapshot()
        try h.agentWrite("/v1/agent/maintenance?enable=true&reason=other")
        XCTAssertEqual(try h.catalogSnapshot(), before, "enabling twice changes nothing, as in Consul")

        try h.agentWrite("/v1/agent/maintenance?enable=false")
        XCTAssertEqual(try h.getJSON("/v1/agent/checks"), .object([]))
        try h.agentWrite("/v1/agent/maintenance?enable=0")
    }

    func testMaintenanceWithoutReasonGetsConsulsDefaultNotes() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Tags":["a"]}"#)
        try h.agentWrite("/v1/agent/maintenance?enable=1")
        try h.agentWrite("/v1/agent/service/maintenance/web?enable=True")
        let checks = try h.getJSON("/v1/agent/checks")
        XCTAssertEqual(checks["_node_maintenance"]?["Notes"],
                       "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.")
        let service = checks["_service_maintenance:web"]
        XCTAssertEqual(service?["Name"], "Service Maintenance Mode")
        XCTAssertEqual(service?["Notes"],
                       "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.")
        XCTAssertEqual(service?["ServiceID"], "web")
        XCTAssertEqual(service?["ServiceName"], "web")
        XCTAssertEqual(service?["ServiceTags"], .array(["a"]))
    }

    func testEnableIsRequiredAndParsedAndUnknownServicesAre404() throws {
        var h = try NodeHarness()
        let before = try h.catalogSnapshot()
        let missing = try h.must("PUT", "/v1/agent/maintenance")
        XCTAssertEqual(missing.status, .badRequest)
        XCTAssertEqual(missing.text, "Missing value for enable")
        let junk = try h.must("PUT", "/v1/agent/maintenance?enable=maybe")
        XCTAssertEqual(junk.status, .badRequest)
        XCTAssertEqual(junk.text, #"Invalid value for enable: "maybe""#)
        XCTAssertEqual(try h.must("PUT", "/v1/agent/maintenance?enable").text, #"Invalid value for enable: """#)
        let unknown = try h.must("PUT", "/v1/agent/service/maintenance/nope?enable=true")
        XCTAssertEqual(unknown.status, .notFound)
        XCTAssertEqual(unknown.text, #"No service registered with ID "nope""#)
        XCTAssertEqual(try h.must("PUT", "/v1/agent/service/maintenance/consul?enable=true").status, .notFound)
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testAgentHealthByIDCarriesTheAggregateInTheStatusCode() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Check":{"TTL":"1m","Status":"passing"}}"#)
        let passing = try h.must("GET", "/v1/agent/health/service/id/web")
        XCTAssertEqual(passing.status, .ok)
        let body = try JSONParser.parse(passing.body)
        XCTAssertEqual(keys(body), ["AggregatedStatus", "Service", "Checks"])
        XCTAssertEqual(body["AggregatedStatus"], "passing")
        XCTAssertEqual(body["Service"]?["ID"], "web")
        XCTAssertEqual(items(body["Checks"]).count, 1)

        try h.agentWrite("/v1/agent/check/warn/service:web")
        XCTAssertEqual(try h.must("GET", "/v1/agent/health/service/id/web").status, .tooManyRequests)
        try h.agentWrite("/v1/agent/check/fail/service:web")
        let critical = try h.must("GET", "/v1/agent/health/service/id/web?format=text")
        XCTAssertEqual(critical.status, .serviceUnavailable)
        XCTAssertEqual(critical.text, "critical")

        try h.agentWrite("/v1/agent/check/pass/service:web")
        try h.agentWrite("/v1/agent/service/maintenance/web?enable=true&reason=deploy")
        let maintenance = try h.must("GET", "/v1/agent/health/service/id/web")
        XCTAssertEqual(maintenance.status, .serviceUnavailable)
        XCTAssertEqual(try JSONParser.parse(maintenance.body)["AggregatedStatus"], "maintenance")
    }

    func testNodeLevelChecksCountForEveryServiceOnTheAgent() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web"}"#)
        XCTAssertEqual(try h.must("GET", "/v1/agent/health/service/id/web").status, .ok, "no checks is passing")
        try h.agentWrite("/v1/agent/maintenance?enable=true")
        let response = try h.must("GET", "/v1/agent/health/service/id/web")
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(items(try JSONParser.parse(response.body)["Checks"]).first?["CheckID"], "_node_maintenance")
    }

    func testAgentHealthOfUnknownServicesIs404InConsulsShape() throws {
        var h = try NodeHarness()
        let json = try h.must("GET", "/v1/agent/health/service/id/nope")
        XCTAssertEqual(json.status, .notFound)
        XCTAssertEqual(json.text, #"{"AggregatedStatus":"critical","Service":null,"Checks":null}"#)
        let text = try h.must("GET", "/v1/agent/health/service/id/nope?format=text")
        XCTAssertEqual(text.status, .notFound)
        XCTAssertEqual(text.text, "ServiceId nope not found")
        let byName = try h.must("GET", "/v1/agent/health/service/name/nope")
        XCTAssertEqual(byName.status, .notFound)
        XCTAssertEqual(byName.text, "[]")
        XCTAssertEqual(try h.must("GET", "/v1/agent/health/service/name/nope?format=text").text, "ServiceName nope Not Found")
    }

    func testAgentHealthByNameTakesTheWorstInstance() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","ID":"web-1","Check":{"TTL":"1m","Status":"passing"}}"#)
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","ID":"web-2","Check":{"TTL":"1m","Status":"warning"}}"#)
        let response = try h.must("GET", "/v1/agent/health/service/name/web")
        XCTAssertEqual(response.status, .tooManyRequests)
        let entries = items(try JSONParser.parse(response.body))
        XCTAssertEqual(entries.map { $0["Service"]?["ID"] }, ["web-1", "web-2"])
        XCTAssertEqual(entries.map { $0["AggregatedStatus"] }, ["passing", "warning"])
        XCTAssertEqual(try h.must("GET", "/v1/agent/health/service/name/web?format=text").text, "warning")
    }

    func testMembersListsThisNodeAsAnAliveLANMember() throws {
        var h = try NodeHarness()
        let members = items(try h.getJSON("/v1/agent/members"))
        XCTAssertEqual(members.count, 1)
        XCTAssertEqual(keys(members.first), ["Name", "Addr", "Port", "Tags", "Status", "ProtocolMin", "ProtocolMax", "ProtocolCur",
                                             "DelegateMin", "DelegateMax", "DelegateCur"])
        XCTAssertEqual(members.first?["Name"], "n1")
        XCTAssertEqual(members.first?["Status"], .int(1))
        XCTAssertEqual(members.first?["Tags"]?["role"], "consul")
        XCTAssertEqual(members.first?["Tags"]?["dc"], "dc1")
        XCTAssertEqual(items(try h.getJSON("/v1/agent/members?wan=1")).first?["Name"], "n1.dc1")
        XCTAssertEqual(try h.must("GET", "/v1/agent/members?wan=1&segment=alpha").status, .badRequest)
    }
}
