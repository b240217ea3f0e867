// Proves /v1/kv end to end through a node: Consul's JSON and raw shapes, recurse and keys with
// separators, flags, CAS, locks with sessions, deletes, refusals in Consul's words, and blocking reads.
import API
import HTTP
import Registry
import Server
import XCTest

final class KVEndpointTests: XCTestCase {
    func testPutThenGetAnswersConsulsDirEntry() throws {
        var h = try NodeHarness()
        let put = try h.must("PUT", "/v1/kv/app/config", body: "hello")
        XCTAssertEqual(put.status, .ok)
        XCTAssertEqual(put.text, "true")
        let get = try h.must("GET", "/v1/kv/app/config")
        XCTAssertEqual(get.status, .ok)
        XCTAssertEqual(get.headers["Content-Type"], "application/json")
        let index = try XCTUnwrap(get.consulIndex)
        XCTAssertEqual(get.text, #"[{"LockIndex":0,"Key":"app/config","Flags":0,"Value":"aGVsbG8=","CreateIndex":\#(index),"ModifyIndex":\#(index)}]"#)
        XCTAssertEqual(get.headers["X-Consul-KnownLeader"], "true")
        XCTAssertEqual(get.headers["X-Consul-LastContact"], "0")
    }

    func testEmptyValueIsNullAndRawReturnsTheBareBytes() throws {
        var h = try NodeHarness()
        _ = try h.must("PUT", "/v1/kv/empty", body: "")
        XCTAssertEqual(try h.must("GET", "/v1/kv/empty").json().items.first?["Value"], .null)
        _ = try h.must("PUT", "/v1/kv/text", body: "{\"not\": \"json\"}")
        let raw = try h.must("GET", "/v1/kv/text?raw")
        XCTAssertEqual(raw.status, .ok)
        XCTAssertEqual(raw.text, "{\"not\": \"json\"}")
        XCTAssertEqual(raw.headers["Content-Type"], "text/plain")
        XCTAssertEqual(raw.headers["X-Content-Type-Options"], "nosniff")
        XCTAssertNotNil(raw.consulIndex)
    }

    func testMissIs404WithAnIndexAndNoBody() throws {
        var h = try NodeHarness()
        let miss = try h.must("GET", "/v1/kv/nothing")
        XCTAssertEqual(miss.status, .notFound)
        XCTAssertEqual(miss.text, "")
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(miss.consulIndex), 1)
        XCTAssertEqual(try h.must("GET", "/v1/kv/nothing?recurse").status, .notFound)
        XCTAssertEqual(try h.must("GET", "/v1/kv/nothing?raw").status, .notFound)
    }

    func testRecurseListsEntriesUnderThePrefixByKey() throws {
        var h = try NodeHarness()
        for key in ["web/b", "web/a", "db/x"] { _ = try h.must("PUT", "/v1/kv/\(key)", body: key) }
        let web = try h.must("GET", "/v1/kv/web/?recurse")
        XCTAssertEqual(try web.json().items.compactMap { $0["Key"]?.stringValue }, ["web/a", "web/b"])
        let all = try h.must("GET", "/v1/kv/?recurse=1")
        XCTAssertEqual(try all.json().items.compactMap { $0["Key"]?.stringValue }, ["db/x", "web/a", "web/b"])
        XCTAssertEqual(try h.must("GET", "/v1/kv?recurse").status, .ok, "no trailing slash is the root too")
    }

    func testKeysWithSeparatorCutAfterThePrefix() throws {
        var h = try NodeHarness()
        XCTAssertEqual(try h.must("GET", "/v1/kv/?keys").text, "[]", "an empty store lists no keys at the root")
        for key in ["base/base/foo", "base/foo", "base/bar/x", "base/bar/y", "other"] { _ = try h.must("PUT", "/v1/kv/\(key)", body: "v") }
        XCTAssertEqual(try h.must("GET", "/v1/kv/base/?keys&separator=/").text, #"["base/bar/","base/base/","base/foo"]"#)
        XCTAssertEqual(try h.must("GET", "/v1/kv/base/?keys=True&seperator=/").text, #"["base/bar/","base/base/","base/foo"]"#)
        XCTAssertEqual(try h.must("GET", "/v1/kv/?keys&separator=/").text, #"["base/","other"]"#)
        XCTAssertEqual(try h.must("GET", "/v1/kv/base/bar?keys").text, #"["base/bar/x","base/bar/y"]"#)
        XCTAssertEqual(try h.must("GET", "/v1/kv/nope/?keys").status, .notFound)
    }

    func testFlagsAreStoredAndMalformedFlagsAreRefused() throws {
        var h = try NodeHarness()
        XCTAssertEqual(try h.must("PUT", "/v1/kv/f?flags=42", body: "v").text, "true")
        XCTAssertEqual(try h.must("GET", "/v1/kv/f").json().items.first?["Flags"], .int(42))
        let bad = try h.must("PUT", "/v1/kv/f?flags=abc", body: "v")
        XCTAssertEqual(bad.status, .badRequest)
        XCTAssertEqual(bad.text, #"Invalid value for ?flags: "abc" is not an unsigned 64-bit integer"#)
        XCTAssertEqual(try h.must("PUT", "/v1/kv/f?cas=", body: "v").status, .badRequest)
        XCTAssertEqual(try h.must("GET", "/v1/kv/f").json().items.first?["Flags"], .int(42), "refusals change nothing")
    }

    func testCASZeroCreatesOnlyAndCASIndexMustMatch() throws {
        var h = try NodeHarness()
        XCTAssertEqual(try h.must("PUT", "/v1/kv/c?cas=0", body: "first").text, "true")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/c?cas=0", body: "second").text, "false")
        let modifyIndex = try XCTUnwrap(h.must("GET", "/v1/kv/c").json().items.first?["ModifyIndex"]?.intValue)
        XCTAssertEqual(try h.must("PUT", "/v1/kv/c?cas=\(modifyIndex + 100)", body: "stale").text, "false")
        XCTAssertEqual(try h.must("GET", "/v1/kv/c?raw").text, "first")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/c?cas=\(modifyIndex)", body: "third").text, "true")
        XCTAssertEqual(try h.must("GET", "/v1/kv/c?raw").text, "third")
    }

    func testConflictingFlagsAndMissingKeyInConsulsWords() throws {
        var h = try NodeHarness()
        let conflict = try h.must("PUT", "/v1/kv/k?cas=0&acquire=abc", body: "v")
        XCTAssertEqual(conflict.status, .badRequest)
        XCTAssertEqual(conflict.text, "Conflicting flags: acquire=abc&cas=0")
        let deleteConflict = try h.must("DELETE", "/v1/kv/k?recurse&cas=3")
        XCTAssertEqual(deleteConflict.text, "Conflicting flags: cas=3&recurse=")
        for (method, target) in [("PUT", "/v1/kv/"), ("DELETE", "/v1/kv/"), ("GET", "/v1/kv/"), ("PUT", "/v1/kv")] {
            let missing = try h.must(method, target, body: "v")
            XCTAssertEqual(missing.status, .badRequest, "\(method) \(target)")
            XCTAssertEqual(missing.text, "Missing key name", "\(method) \(target)")
        }
        let traversal = try h.must("PUT", "/v1/kv/a/%2E%2E/b", body: "v")
        XCTAssertEqual(traversal.status, .badRequest)
        XCTAssertTrue(traversal.text.contains("path traversal"), traversal.text)
    }

    func testOversizedValueIs413AndChangesNothing() throws {
        var h = try NodeHarness()
        let limit = RegistryLimits.maxKVValueBytes
        let refused = try h.must("PUT", "/v1/kv/big", body: String(repeating: "x", count: limit + 1))
        XCTAssertEqual(refused.status, .payloadTooLarge)
        XCTAssertEqual(refused.text, "Request body(\(limit + 1) bytes) too large, max size: 524288 bytes")
        XCTAssertEqual(try h.must("GET", "/v1/kv/big").status, .notFound)
        XCTAssertEqual(try h.must("PUT", "/v1/kv/big", body: String(repeating: "x", count: limit)).text, "true")
    }

    func testDeletePlainRecurseAndCAS() throws {
        var h = try NodeHarness()
        for key in ["d/a", "d/b", "d/c/x", "keep"] { _ = try h.must("PUT", "/v1/kv/\(key)", body: "v") }
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d/a").text, "true")
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d/a").text, "true", "deleting what is not there is still true")
        let modifyIndex = try XCTUnwrap(h.must("GET", "/v1/kv/d/b").json().items.first?["ModifyIndex"]?.intValue)
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d/b?cas=\(modifyIndex + 1)").text, "false")
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d/b?cas=0").text, "false", "cas=0 never deletes an existing key")
        XCTAssertEqual(try h.must("GET", "/v1/kv/d/b").status, .ok)
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d/b?cas=\(modifyIndex)").text, "true")
        XCTAssertEqual(try h.must("GET", "/v1/kv/d/b").status, .notFound)
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/d?recurse").text, "true")
        XCTAssertEqual(try h.must("GET", "/v1/kv/?keys").text, #"["keep"]"#)
        XCTAssertEqual(try h.must("DELETE", "/v1/kv/?recurse").text, "true", "recurse at the root deletes everything")
        XCTAssertEqual(try h.must("GET", "/v1/kv/?keys").text, "[]")
    }

    func testAcquireAndReleaseWithSessions() throws {
        var h = try NodeHarness()
        let s1 = try h.createSession()
        let s2 = try h.createSession()
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?acquire=\(s1)", body: "owner-1").text, "true")
        var entry = try XCTUnwrap(h.must("GET", "/v1/kv/lock").json().items.first)
        XCTAssertEqual(entry["Session"], .string(s1))
        XCTAssertEqual(entry["LockIndex"], .int(1))
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?acquire=\(s2)", body: "owner-2").text, "false", "held by another session")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?release=\(s2)", body: "x").text, "false", "only the holder releases")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?acquire=\(s1)", body: "again").text, "true", "the holder may re-acquire")
        XCTAssertEqual(try h.must("GET", "/v1/kv/lock").json().items.first?["LockIndex"], .int(1), "re-acquiring keeps LockIndex")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?release=\(s1)", body: "free").text, "true")
        entry = try XCTUnwrap(h.must("GET", "/v1/kv/lock").json().items.first)
        XCTAssertNil(entry["Session"], "Session is left out once released")
        XCTAssertEqual(entry["LockIndex"], .int(1))
        XCTAssertEqual(try h.must("PUT", "/v1/kv/lock?acquire=\(s2)", body: "owner-2").text, "true", "voluntary release has no lock-delay")
        XCTAssertEqual(try h.must("GET", "/v1/kv/lock").json().items.first?["LockIndex"], .int(2))
        let unknown = try h.must("PUT", "/v1/kv/lock2?acquire=00000000-0000-0000-0000-000000000000", body: "v")
        XCTAssertEqual(unknown.status, .internalServerError)
        XCTAssertEqual(unknown.text, #"invalid session "00000000-0000-0000-0000-000000000000""#)
    }

    func testPlainPutOverwritesALockedKeyAndKeepsTheLock() throws {
        var h = try NodeHarness()
        let session = try h.createSession()
        _ = try h.must("PUT", "/v1/kv/l?acquire=\(session)", body: "a")
        XCTAssertEqual(try h.must("PUT", "/v1/kv/l", body: "b").text, "true")
        let entry = try XCTUnwrap(h.must("GET", "/v1/kv/l").json().items.first)
        XCTAssertEqual(entry["Value"], .string("Yg=="))
        XCTAssertEqual(entry["Session"], .string(session))
    }

    func testBlockingGetReturnsWhenThatKeyChangesAndNotForAnotherKey() throws {
        var h = try NodeHarness()
        _ = try h.must("PUT", "/v1/kv/watched", body: "1")
        let index = try XCTUnwrap(h.must("GET", "/v1/kv/watched").consulIndex)
        let (waiting, immediate) = try h.send("GET", "/v1/kv/watched?index=\(index)&wait=10s")
        XCTAssertNil(immediate, "nothing newer than the index yet: the read blocks")
        let (_, unrelated) = try h.sendCollecting("PUT", "/v1/kv/other", body: "x")
        XCTAssertNil(answer(to: waiting, in: unrelated), "a write to another key does not answer it")
        let (_, related) = try h.sendCollecting("PUT", "/v1/kv/watched", body: "2")
        let woken = try XCTUnwrap(answer(to: waiting, in: related))
        XCTAssertEqual(woken.status, .ok)
        XCTAssertEqual(try woken.json().items.first?["Value"], .string("Mg=="))
        XCTAssertGreaterThan(try XCTUnwrap(woken.consulIndex), index)
    }

    func testBlockingGetTimesOutAfterItsWaitWithTheSameIndex() throws {
        var h = try NodeHarness()
        _ = try h.must("PUT", "/v1/kv/quiet", body: "1")
        let index = try XCTUnwrap(h.must("GET", "/v1/kv/quiet").consulIndex)
        let (waiting, immediate) = try h.send("GET", "/v1/kv/quiet?index=\(index)&wait=1600ms")
        XCTAssertNil(immediate)
        XCTAssertFalse(h.advance(milliseconds: 1_599).contains { $0.0 == waiting }, "not before the wait")
        // The wait gets up to wait/16 (100 ms) of jitter.
        let late = h.advance(milliseconds: 101)
        let timedOut = try XCTUnwrap(answer(to: waiting, in: late))
        XCTAssertEqual(timedOut.status, .ok)
        XCTAssertEqual(timedOut.consulIndex, index)
    }

    func testBlockingRecurseWakesForAnyKeyUnderThePrefix() throws {
        var h = try NodeHarness()
        _ = try h.must("PUT", "/v1/kv/tree/a", body: "1")
        let index = try XCTUnwrap(h.must("GET", "/v1/kv/tree/?recurse").consulIndex)
        let (waiting, immediate) = try h.send("GET", "/v1/kv/tree/?recurse&index=\(index)")
        XCTAssertNil(immediate)
        XCTAssertNil(answer(to: waiting, in: try h.sendCollecting("PUT", "/v1/kv/elsewhere", body: "x").1))
        let woken = try XCTUnwrap(answer(to: waiting, in: h.sendCollecting("PUT", "/v1/kv/tree/deep/b", body: "2").1))
        XCTAssertEqual(try woken.json().items.compactMap { $0["Key"]?.stringValue }, ["tree/a", "tree/deep/b"])
    }

    func testMethodsOtherThanGetPutDeleteAre405() throws {
        var h = try NodeHarness()
        let refused = try h.must("POST", "/v1/kv/a", body: "v")
        XCTAssertEqual(refused.status, .methodNotAllowed)
        XCTAssertEqual(refused.headers["Allow"], "OPTIONS,DELETE,GET,PUT")
    }
}
