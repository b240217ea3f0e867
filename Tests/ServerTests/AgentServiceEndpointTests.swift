// Proves agent/services, agent/service/:id, service register and deregister end to end: Consul's
// shapes, case-insensitive bodies with aliases, generated check IDs, replace-existing-checks,
// the server's own entries kept out of the agent's view, and hash-based blocking.
import API
import HTTP
import Registry
import Server
import XCTest

final class AgentServiceEndpointTests: XCTestCase {
    func testPlainRegistrationHasConsulsExactAgentServiceShape() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web"}"#)
        let services = try h.getJSON("/v1/agent/services")
        XCTAssertEqual(keys(services), ["web"], "the server's own consul service is not the agent's")
        let web = services["web"]
        XCTAssertEqual(keys(web), ["ID", "Service", "Tags", "Meta", "Port", "Address", "Weights", "EnableTagOverride", "Datacenter"])
        XCTAssertEqual(web, .object([
            ("ID", "web"), ("Service", "web"), ("Tags", .array([])), ("Meta", .object([])), ("Port", 0), ("Address", ""),
            ("Weights", .object([("Passing", 1), ("Warning", 1)])), ("EnableTagOverride", false), ("Datacenter", "dc1"),
        ]))
    }

    func testLowercaseKeysAndSnakeCaseAliasesAreAccepted() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: """
            {"name":"api","id":"api-1","port":8080,"address":"10.0.0.5","tags":["a","b"],"meta":{"k":"v"},
             "enable_tag_override":true,"tagged_addresses":{"lan":{"address":"10.0.0.1","port":80}},
             "weights":{"passing":3,"warning":2},"kind":""}
            """)
        let service = try h.getJSON("/v1/agent/service/api-1")
        XCTAssertEqual(service["Service"], "api")
        XCTAssertEqual(service["Port"], .int(8080))
        XCTAssertEqual(service["Address"], "10.0.0.5")
        XCTAssertEqual(service["Tags"], .array(["a", "b"]))
        XCTAssertEqual(service["Meta"], .object([("k", "v")]))
        XCTAssertEqual(service["EnableTagOverride"], true)
        XCTAssertEqual(service["Weights"], .object([("Passing", 3), ("Warning", 2)]))
        XCTAssertEqual(service["TaggedAddresses"], .object([("lan", .object([("Address", "10.0.0.1"), ("Port", 80)]))]),
                       "tagged addresses come out CamelCase whatever the client sent")
    }

    func testSingleServiceCarriesContentHashInBodyAndHeader() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Port":80}"#)
        let response = try h.must("GET", "/v1/agent/service/web")
        XCTAssertEqual(response.status, .ok)
        let body = try JSONParser.parse(response.body)
        guard case .string(let hash)? = body["ContentHash"] else { return XCTFail("no ContentHash: \(response.text)") }
        XCTAssertEqual(response.headers["X-Consul-ContentHash"], hash)
        XCTAssertEqual(keys(body).last, "ContentHash")
        // Same service, same hash; a change gives another.
        XCTAssertEqual(try h.getJSON("/v1/agent/service/web")["ContentHash"], .string(hash))
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Port":81}"#)
        XCTAssertNotEqual(try h.getJSON("/v1/agent/service/web")["ContentHash"], .string(hash))
    }

    func testUnknownServiceIDIsConsuls404() throws {
        var h = try NodeHarness()
        let response = try h.must("GET", "/v1/agent/service/nope")
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.text, "unknown service ID: nope")
        XCTAssertEqual(try h.must("GET", "/v1/agent/service/consul").status, .notFound, "the server's own service is not the agent's")
    }

    func testServiceChecksGetGeneratedIDsAndNames() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Check":{"TTL":"10s"}}"#)
        try h.agentWrite("/v1/agent/service/register", body: """
            {"Name":"db","ID":"db-1","Checks":[{"TTL":"10s"},{"HTTP":"http://127.0.0.1:1/health","Interval":"5s"},{"CheckID":"own","Name":"mine","TTL":"1m"}]}
            """)
        let checks = try h.getJSON("/v1/agent/checks")
        XCTAssertEqual(keys(checks), ["own", "service:db-1:1", "service:db-1:2", "service:web"])
        XCTAssertEqual(checks["service:web"]?["Name"], "Service 'web' check")
        XCTAssertEqual(checks["service:web"]?["Status"], "critical", "new checks start critical")
        XCTAssertEqual(checks["service:web"]?["ServiceName"], "web")
        XCTAssertEqual(checks["service:db-1:1"]?["Name"], "Service 'db' check")
        XCTAssertEqual(checks["service:db-1:2"]?["Type"], "http")
        XCTAssertEqual(checks["service:db-1:2"]?["Interval"], "5s")
        XCTAssertEqual(checks["own"]?["Name"], "mine")
        XCTAssertEqual(checks["own"]?["Definition"]?["TTL"], "1m0s")
    }

    func testDurationsAcceptNanosecondNumbersAndAGivenStatus() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","check":{"ttl":10000000000,"status":"passing"}}"#)
        let check = try h.getJSON("/v1/agent/checks")["service:web"]
        XCTAssertEqual(check?["Definition"]?["TTL"], "10s")
        XCTAssertEqual(check?["Status"], "passing")
        XCTAssertEqual(check?["Type"], "ttl")
    }

    func testReregistrationKeepsOldChecksUnlessReplaceExistingChecks() throws {
        var h = try NodeHarness()
        let both = #"{"Name":"web","Checks":[{"CheckID":"a","TTL":"10s"},{"CheckID":"b","TTL":"10s"}]}"#
        let onlyA = #"{"Name":"web","Checks":[{"CheckID":"a","TTL":"10s"}]}"#
        try h.agentWrite("/v1/agent/service/register", body: both)
        try h.agentWrite("/v1/agent/service/register", body: onlyA)
        XCTAssertEqual(keys(try h.getJSON("/v1/agent/checks")), ["a", "b"])
        try h.agentWrite("/v1/agent/service/register?replace-existing-checks=false", body: onlyA)
        XCTAssertEqual(keys(try h.getJSON("/v1/agent/checks")), ["a", "b"], "only an empty value or true replaces")
        try h.agentWrite("/v1/agent/service/register?replace-existing-checks=true", body: onlyA)
        XCTAssertEqual(keys(try h.getJSON("/v1/agent/checks")), ["a"])
    }

    func testDeregisterRemovesTheInstanceAndItsChecks() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Check":{"TTL":"10s"}}"#)
        try h.agentWrite("/v1/agent/service/deregister/web")
        XCTAssertEqual(try h.getJSON("/v1/agent/services"), .object([]))
        XCTAssertEqual(try h.getJSON("/v1/agent/checks"), .object([]))
        let again = try h.must("PUT", "/v1/agent/service/deregister/web")
        XCTAssertEqual(again.status, .notFound)
        XCTAssertEqual(again.text, #"Unknown service ID "web". Ensure that the service ID is passed, not the service name."#)
    }

    func testTheServersOwnServiceCannotBeDeregisteredOrReplacedThroughTheAgent() throws {
        var h = try NodeHarness()
        let before = try h.catalogSnapshot()
        let deregister = try h.must("PUT", "/v1/agent/service/deregister/consul")
        XCTAssertEqual(deregister.status, .notFound)
        let register = try h.must("PUT", "/v1/agent/service/register", body: #"{"Name":"consul"}"#)
        XCTAssertEqual(register.status, .badRequest)
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testServiceIDsMayHoldSlashesAndAreDecoded() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","ID":"web/1 a"}"#)
        XCTAssertEqual(try h.getJSON("/v1/agent/service/web/1%20a")["ID"], "web/1 a")
        try h.agentWrite("/v1/agent/service/deregister/web%2F1%20a")
        XCTAssertEqual(try h.getJSON("/v1/agent/services"), .object([]))
    }

    func testBadServiceDefinitionsAreRefusedNamingTheProblemAndChangeNothing() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Port":80,"Check":{"TTL":"10s"}}"#)
        let before = try h.catalogSnapshot()
        let cases: [(String, String)] = [
            ("", "Request decode failed: EOF"),
            (#"{"Name":"#, "Request decode failed: unexpected end of JSON input"),
            (#"[1]"#, "Request decode failed: json: cannot unmarshal array into Go value of type structs.ServiceDefinition"),
            (#"{"Name":"web","Port":"80"}"#,
             "Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int"),
            (#"{"Name":"web","Port":80.5}"#,
             "Request decode failed: json: cannot unmarshal number 80.5 into Go struct field ServiceDefinition.Port of type int"),
            (#"{"Name":"web","Tags":"a"}"#,
             "Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Tags of type []string"),
            (#"{"Name":"web","Meta":{"a":1}}"#,
             "Request decode failed: json: cannot unmarshal number into Go struct field ServiceDefinition.Meta of type string"),
            (#"{"Name":"web","EnableTagOverride":"yes"}"#,
             "Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.EnableTagOverride of type bool"),
            (#"{"Name":"web","Check":{"TTL":"10x"}}"#,
             #"Request decode failed: time: invalid duration "10x" in ServiceDefinition.Check.TTL"#),
            (#"{"Name":"web","Checks":[{"Interval":true}]}"#,
             "Request decode failed: json: cannot unmarshal bool into Go struct field ServiceDefinition.Checks.Interval of type time.Duration"),
            (#"{"Port":80}"#, "Missing service name"),
            (#"{"Name":"web","Address":"0.0.0.0"}"#, "Invalid service address"),
            (#"{"Name":"web","Weights":{"Warning":1}}"#, "Invalid Weights: Passing must be greater than 0"),
            (#"{"Name":"web","Meta":{"a b":"x"}}"#,
             "Invalid Service Meta: Couldn't load metadata pair ('a b', 'x'): Key contains invalid characters"),
            (#"{"Name":"web","Port":70000}"#, "Invalid service port 70000: must be between 0 and 65535"),
            (#"{"Name":"web","Check":{"Name":"only a name"}}"#, "Invalid check: TTL must be > 0 for TTL checks"),
            (#"{"Name":"web","Check":{"TTL":"10s","Status":"bogus"}}"#, "Status for checks must 'passing', 'warning', 'critical'"),
        ]
        for (body, text) in cases {
            let response = try h.must("PUT", "/v1/agent/service/register", body: body)
            XCTAssertEqual(response.status, .badRequest, body)
            XCTAssertEqual(response.text, text, body)
        }
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testAnEmptyCheckObjectIsNoCheckAndUnknownFieldsAreIgnored() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register",
                         body: #"{"Name":"web","Check":{},"Checks":null,"Tags":null,"Token":"t","Connect":{"Native":false},"Bogus":1}"#)
        XCTAssertEqual(try h.getJSON("/v1/agent/checks"), .object([]))
        XCTAssertEqual(try h.getJSON("/v1/agent/services")["web"]?["Tags"], .array([]))
    }

    func testHashBlockingWaitsForAChangeAndTimesOutWithTheSameHash() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Port":80}"#)
        let hash = try XCTUnwrap(try h.must("GET", "/v1/agent/service/web").headers["X-Consul-ContentHash"])

        // Unchanged: it waits out `wait` (plus up to wait/16 of jitter) and answers the same hash.
        let (_, parked) = try h.send("GET", "/v1/agent/service/web?hash=\(hash)&wait=1s")
        XCTAssertNil(parked)
        XCTAssertTrue(h.advance(milliseconds: 900).isEmpty)
        let timedOut = h.advance(milliseconds: 200)
        XCTAssertEqual(timedOut.count, 1)
        XCTAssertEqual(timedOut.first?.1.headers["X-Consul-ContentHash"], hash)

        // A change to the service answers at once with the new hash.
        let (waiting, none) = try h.send("GET", "/v1/agent/service/web?hash=\(hash)")
        XCTAssertNil(none)
        let (_, responses) = try h.sendCollecting("PUT", "/v1/agent/service/register", body: #"{"Name":"web","Port":81}"#)
        let woken = try XCTUnwrap(responses.first { $0.0 == waiting }?.1)
        XCTAssertNotEqual(woken.headers["X-Consul-ContentHash"], hash)
        XCTAssertEqual(try JSONParser.parse(woken.body)["Port"], .int(81))
    }
}
