// Proves agent/checks, check register and deregister, and the TTL updates end to end: IDs that
// default to names, the 404 and 500 texts clients match on, notes and outputs, TTL expiry, and
// the server's own serfHealth kept out of the agent's view.
import API
import HTTP
import Registry
import Server
import XCTest

final class AgentCheckEndpointTests: XCTestCase {
    func testRegisteredCheckIsListedByIDWithConsulsShape() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"mem","TTL":"15s","Notes":"memory"}"#)
        let checks = try h.getJSON("/v1/agent/checks")
        XCTAssertEqual(keys(checks), ["mem"], "the ID defaults to the name; serfHealth is the server's, not the agent's")
        let check = checks["mem"]
        XCTAssertEqual(keys(check), ["Node", "CheckID", "Name", "Status", "Notes", "Output", "ServiceID", "ServiceName", "ServiceTags",
                                     "Type", "Interval", "Timeout", "ExposedPort", "Definition", "CreateIndex", "ModifyIndex"])
        XCTAssertEqual(check?["Node"], "n1")
        XCTAssertEqual(check?["Status"], "critical")
        XCTAssertEqual(check?["Notes"], "memory")
        XCTAssertEqual(check?["ServiceTags"], .array([]))
        XCTAssertEqual(check?["Type"], "ttl")
        XCTAssertEqual(check?["CreateIndex"], .int(0), "agent-local entries show index 0, as in Consul")
        XCTAssertEqual(check?["Definition"]?["TTL"], "15s")
        XCTAssertEqual(check?["Definition"]?["Interval"], "0s")
    }

    func testLowercaseCheckBodyOnAServiceTakesTheServicesNameAndTags() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Tags":["v1"]}"#)
        try h.agentWrite("/v1/agent/check/register", body: #"{"name":"web alive","id":"web-ttl","ttl":"10s","serviceid":"web","status":"warning"}"#)
        let check = try h.getJSON("/v1/agent/checks")["web-ttl"]
        XCTAssertEqual(check?["ServiceID"], "web")
        XCTAssertEqual(check?["ServiceName"], "web")
        XCTAssertEqual(check?["ServiceTags"], .array(["v1"]))
        XCTAssertEqual(check?["Status"], "warning")
    }

    func testCheckOnAnUnknownServiceIs404AndChangesNothing() throws {
        var h = try NodeHarness()
        let before = try h.catalogSnapshot()
        let response = try h.must("PUT", "/v1/agent/check/register", body: #"{"Name":"c","TTL":"1s","ServiceID":"nope"}"#)
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.text, #"ServiceID "nope" does not exist"#)
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testInvalidDefinitionsAreRefusedInConsulsOrderAndWords() throws {
        var h = try NodeHarness()
        let before = try h.catalogSnapshot()
        let cases: [(String, String)] = [
            (#"{"TTL":"10s"}"#, "Missing check name"),
            (#"{"Name":"x","TTL":"10s","Status":"nope"}"#, "Bad check status"),
            (#"{"Name":"x"}"#, "Invalid check: TTL must be > 0 for TTL checks"),
            (#"{"Name":"x","Interval":"10s","TTL":"10s"}"#, "Invalid check: Interval and TTL cannot both be specified"),
            (#"{"Name":"x","HTTP":"http://a"}"#, "Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
        ]
        for (body, text) in cases {
            let response = try h.must("PUT", "/v1/agent/check/register", body: body)
            XCTAssertEqual(response.status, .badRequest, body)
            XCTAssertEqual(response.text, text, body)
        }
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testPassWarnFailSetStatusAndNoteAsOutput() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"t","TTL":"30s"}"#)
        for (verb, status) in [("pass", "passing"), ("warn", "warning"), ("fail", "critical")] {
            try h.agentWrite("/v1/agent/check/\(verb)/t?note=said+\(verb)")
            let check = try h.getJSON("/v1/agent/checks")["t"]
            XCTAssertEqual(check?["Status"], .string(status))
            XCTAssertEqual(check?["Output"], .string("said \(verb)"))
        }
    }

    func testUpdateTakesStatusAndOutputAndRefusesOtherStatuses() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"t","TTL":"30s"}"#)
        try h.agentWrite("/v1/agent/check/update/t", body: #"{"status":"warning","output":"disk 91%"}"#)
        let check = try h.getJSON("/v1/agent/checks")["t"]
        XCTAssertEqual(check?["Status"], "warning")
        XCTAssertEqual(check?["Output"], "disk 91%")
        let before = try h.catalogSnapshot()
        let bad = try h.must("PUT", "/v1/agent/check/update/t", body: #"{"Status":"bogus"}"#)
        XCTAssertEqual(bad.status, .badRequest)
        XCTAssertEqual(bad.text, "Invalid check status: 'bogus'")
        let missing = try h.must("PUT", "/v1/agent/check/update/t", body: #"{"Output":"x"}"#)
        XCTAssertEqual(missing.text, "Invalid check status: ''")
        let wrongType = try h.must("PUT", "/v1/agent/check/update/t", body: #"{"Status":"passing","Output":5}"#)
        XCTAssertEqual(wrongType.status, .badRequest)
        XCTAssertTrue(wrongType.text.hasPrefix("Request decode failed: ") && wrongType.text.contains("Output"), wrongType.text)
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testTTLUpdatesOfUnknownAndNonTTLChecksGetConsulsTexts() throws {
        var h = try NodeHarness()
        let unknown = try h.must("PUT", "/v1/agent/check/pass/nope")
        XCTAssertEqual(unknown.status, .notFound)
        XCTAssertEqual(unknown.text, #"Unknown check ID "nope". Ensure that the check ID is passed, not the check name."#)
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"h","HTTP":"http://127.0.0.1:1/","Interval":"10s"}"#)
        let notTTL = try h.must("PUT", "/v1/agent/check/pass/h")
        XCTAssertEqual(notTTL.status, .internalServerError)
        XCTAssertEqual(notTTL.text, #"CheckID "h" does not have associated TTL"#)
        let serf = try h.must("PUT", "/v1/agent/check/fail/serfHealth")
        XCTAssertEqual(serf.status, .notFound, "the server's liveness is not the agent's to flip")
        XCTAssertEqual(try h.store.checks(onNode: "n1").value.first { $0.value.checkID == "serfHealth" }?.value.status, .passing)
    }

    func testDeregisterRemovesTheCheckAndUnknownIDsAre404() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"t","TTL":"30s"}"#)
        try h.agentWrite("/v1/agent/check/deregister/t")
        XCTAssertEqual(try h.getJSON("/v1/agent/checks"), .object([]))
        let again = try h.must("PUT", "/v1/agent/check/deregister/t")
        XCTAssertEqual(again.status, .notFound)
        XCTAssertEqual(again.text, #"Unknown check ID "t". Ensure that the check ID is passed, not the check name."#)
        XCTAssertEqual(try h.must("PUT", "/v1/agent/check/deregister/serfHealth").status, .notFound)
    }

    func testATTLThatIsNotRenewedExpiresWithTheLastOutput() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/check/register", body: #"{"Name":"t","TTL":"1s"}"#)
        try h.agentWrite("/v1/agent/check/pass/t?note=fine")
        _ = h.advance(milliseconds: 900)
        XCTAssertEqual(try h.getJSON("/v1/agent/checks")["t"]?["Status"], "passing")
        _ = h.advance(milliseconds: 200)
        let check = try h.getJSON("/v1/agent/checks")["t"]
        XCTAssertEqual(check?["Status"], "critical")
        XCTAssertEqual(check?["Output"], "TTL expired (last output before timeout follows): fine")
    }
}
