// Proves /v1/session end to end through a node: Consul's defaults and JSON, lowercase bodies,
// validation texts and statuses, destroy behaviours and lock-delay, renewals, TTL expiry on the
// node's clock, and blocking reads.
import API
import HTTP
import Registry
import Server
import XCTest

final class SessionEndpointTests: XCTestCase {
    func testCreateWithoutBodyUsesConsulsDefaults() throws {
        var h = try NodeHarness()
        let id = try h.createSession()
        XCTAssertEqual(id.count, 36)
        let info = try h.must("GET", "/v1/session/info/\(id)")
        XCTAssertEqual(info.status, .ok)
        let index = try XCTUnwrap(info.consulIndex)
        XCTAssertEqual(info.text, """
            [{"ID":"\(id)","Name":"","Node":"n1","LockDelay":15000000000,"Behavior":"release","TTL":"",\
            "NodeChecks":["serfHealth"],"ServiceChecks":null,"CreateIndex":\(index),"ModifyIndex":\(index)}]
            """)
    }

    func testLowercaseBodyAsPythonClientsSendIt() throws {
        var h = try NodeHarness()
        let id = try h.createSession(#"{"name":"my-lock","ttl":"20s","behavior":"delete","lockdelay":5}"#)
        let session = try XCTUnwrap(h.must("GET", "/v1/session/info/\(id)").json().items.first)
        XCTAssertEqual(session["Name"], .string("my-lock"))
        XCTAssertEqual(session["TTL"], .string("20s"))
        XCTAssertEqual(session["Behavior"], .string("delete"))
        XCTAssertEqual(session["LockDelay"], .int(5_000_000_000), "lock delays under 1000 are seconds")
    }

    func testLockDelayAsDurationTextOrNanoseconds() throws {
        var h = try NodeHarness()
        let text = try h.createSession(#"{"LockDelay":"10s"}"#)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(text)").json().items.first?["LockDelay"], .int(10_000_000_000))
        let number = try h.createSession(#"{"LockDelay":3000000000}"#)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(number)").json().items.first?["LockDelay"], .int(3_000_000_000))
    }

    func testAnExplicitChecksKeyReplacesTheSerfHealthDefault() throws {
        var h = try NodeHarness()
        let none = try h.createSession(#"{"Checks":[]}"#)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(none)").json().items.first?["NodeChecks"], .array([]))
        let explicit = try h.createSession(#"{"checks":["serfHealth"]}"#)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(explicit)").json().items.first?["NodeChecks"], .array(["serfHealth"]))
        let missing = try h.must("PUT", "/v1/session/create", body: #"{"Checks":["nope"]}"#)
        XCTAssertEqual(missing.status, .internalServerError)
        XCTAssertEqual(missing.text, "Missing check 'nope' registration")
    }

    func testValidationTextsAndStatuses() throws {
        var h = try NodeHarness()
        let cases: [(String, HTTPStatus, String)] = [
            (#"{"TTL":"5s"}"#, .internalServerError, "Invalid Session TTL '5000000000', must be between [10s=24h0m0s]"),
            (#"{"TTL":"25h"}"#, .internalServerError, "Invalid Session TTL '90000000000000', must be between [10s=24h0m0s]"),
            (#"{"TTL":"abc"}"#, .badRequest, #"Session TTL 'abc' invalid: time: invalid duration "abc""#),
            (#"{"LockDelay":"zz"}"#, .badRequest, #"Request decode failed: time: invalid duration "zz" in Session.LockDelay"#),
            (#"{"LockDelay":"2m"}"#, .badRequest, "Invalid LockDelay '2m0s', must be between [0s=1m0s]"),
            (#"{"Behavior":"explode"}"#, .badRequest, "Invalid Behavior setting 'explode'"),
            (#"{"Name":5}"#, .badRequest, "Request decode failed: json: cannot unmarshal number into Go struct field Session.Name of type string"),
            ("[]", .badRequest, "Request decode failed: json: cannot unmarshal array into Go value of type structs.Session"),
            ("{not json", .badRequest, "Request decode failed: invalid character 'n' looking for beginning of object key string"),
            (#"{"Node":"ghost"}"#, .internalServerError, "Missing node registration"),
            (#"{"Node":""}"#, .badRequest, "Missing node name"),
        ]
        for (body, status, text) in cases {
            let response = try h.must("PUT", "/v1/session/create", body: body)
            XCTAssertEqual(response.status, status, body)
            XCTAssertEqual(response.text, text, body)
        }
        XCTAssertEqual(try h.must("GET", "/v1/session/list").text, "[]", "refusals create nothing")
    }

    func testDestroyIsTrueIdempotentAndRefusesMalformedIDs() throws {
        var h = try NodeHarness()
        let id = try h.createSession()
        XCTAssertEqual(try h.must("PUT", "/v1/session/destroy/\(id)").text, "true")
        XCTAssertEqual(try h.must("PUT", "/v1/session/destroy/\(id)").text, "true")
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(id)").text, "[]")
        let malformed = try h.must("PUT", "/v1/session/destroy/not-a-uuid")
        XCTAssertEqual(malformed.status, .badRequest)
        XCTAssertEqual(malformed.text, #"Invalid session ID "not-a-uuid": must be a UUID"#)
    }

    func testDestroyWithReleaseKeepsKeysAndStartsLockDelay() throws {
        var h = try NodeHarness()
        let holder = try h.createSession()
        _ = try h.must("PUT", "/v1/kv/leader?acquire=\(holder)", body: "me")
        _ = try h.must("PUT", "/v1/session/destroy/\(holder)")
        let entry = try XCTUnwrap(h.must("GET", "/v1/kv/leader").json().items.first)
        XCTAssertNil(entry["Session"])
        XCTAssertEqual(entry["Value"], .string("bWU="))
        let next = try h.createSession()
        XCTAssertEqual(try h.must("PUT", "/v1/kv/leader?acquire=\(next)", body: "you").text, "false", "15 s lock-delay")
        _ = h.advance(milliseconds: 15_000)
        XCTAssertEqual(try h.must("PUT", "/v1/kv/leader?acquire=\(next)", body: "you").text, "true")
    }

    func testDestroyWithDeleteBehaviourRemovesHeldKeys() throws {
        var h = try NodeHarness()
        let holder = try h.createSession(#"{"Behavior":"delete"}"#)
        _ = try h.must("PUT", "/v1/kv/held?acquire=\(holder)", body: "x")
        _ = try h.must("PUT", "/v1/kv/free", body: "y")
        _ = try h.must("PUT", "/v1/session/destroy/\(holder)")
        XCTAssertEqual(try h.must("GET", "/v1/kv/held").status, .notFound)
        XCTAssertEqual(try h.must("GET", "/v1/kv/free").status, .ok)
    }

    func testRenewAnswersTheSessionOrConsuls404() throws {
        var h = try NodeHarness()
        let id = try h.createSession(#"{"TTL":"20s","Behavior":"delete"}"#)
        let renewed = try h.must("PUT", "/v1/session/renew/\(id)")
        XCTAssertEqual(renewed.status, .ok)
        let session = try XCTUnwrap(renewed.json().items.first)
        XCTAssertEqual(session["ID"], .string(id))
        XCTAssertEqual(session["TTL"], .string("20s"))
        XCTAssertEqual(session["Behavior"], .string("delete"))
        for unknown in ["00000000-0000-0000-0000-000000000000", String(repeating: "1", count: 36)] {
            let missing = try h.must("PUT", "/v1/session/renew/\(unknown)")
            XCTAssertEqual(missing.status, .notFound)
            XCTAssertEqual(missing.text, "Session id '\(unknown)' not found")
        }
    }

    func testTTLExpiryInvalidatesAfterTwiceTheTTLAndRenewalPostponesIt() throws {
        var h = try NodeHarness()
        let expiring = try h.createSession(#"{"TTL":"10s","Behavior":"delete"}"#)
        _ = try h.must("PUT", "/v1/kv/ephemeral?acquire=\(expiring)", body: "x")
        let renewed = try h.createSession(#"{"TTL":"10s"}"#)
        _ = h.advance(milliseconds: 15_000)
        XCTAssertEqual(try h.must("PUT", "/v1/session/renew/\(renewed)").status, .ok)
        _ = h.advance(milliseconds: 4_999)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(expiring)").json().items.count, 1, "not before 2 × TTL")
        _ = h.advance(milliseconds: 1)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(expiring)").text, "[]", "invalidated at 2 × TTL")
        XCTAssertEqual(try h.must("GET", "/v1/kv/ephemeral").status, .notFound, "its delete behaviour ran")
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(renewed)").json().items.count, 1, "renewed at 15 s: lives until 35 s")
        _ = h.advance(milliseconds: 15_000)
        XCTAssertEqual(try h.must("GET", "/v1/session/info/\(renewed)").text, "[]")
    }

    func testListNodeAndInfoReads() throws {
        var h = try NodeHarness()
        let unknown = try h.must("GET", "/v1/session/info/00000000-0000-0000-0000-000000000000")
        XCTAssertEqual(unknown.text, "[]")
        XCTAssertNotNil(unknown.consulIndex)
        let a = try h.createSession(#"{"Name":"a"}"#)
        let b = try h.createSession(#"{"Name":"b"}"#)
        let listed = try h.must("GET", "/v1/session/list").json().items.compactMap { $0["ID"]?.stringValue }
        XCTAssertEqual(Set(listed), [a, b])
        XCTAssertEqual(try h.must("GET", "/v1/session/node/n1").json().items.count, 2)
        XCTAssertEqual(try h.must("GET", "/v1/session/node/elsewhere").text, "[]")
    }

    func testBlockingListWakesOnCreate() throws {
        var h = try NodeHarness()
        let index = try XCTUnwrap(h.must("GET", "/v1/session/list").consulIndex)
        let (waiting, immediate) = try h.send("GET", "/v1/session/list?index=\(index)&wait=30s")
        XCTAssertNil(immediate)
        XCTAssertNil(answer(to: waiting, in: try h.sendCollecting("PUT", "/v1/kv/unrelated", body: "x").1))
        let woken = try XCTUnwrap(answer(to: waiting, in: h.sendCollecting("PUT", "/v1/session/create", body: #"{"Name":"new"}"#).1))
        XCTAssertEqual(try woken.json().items.first?["Name"], .string("new"))
        XCTAssertGreaterThan(try XCTUnwrap(woken.consulIndex), index)
    }
}
