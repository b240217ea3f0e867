// Proves KV writes follow Consul: CAS on ModifyIndex (0 = absent), locks with LockIndex and holder checks, deletes with tombstones, true/false answers.
import Registry
@testable import Store
import XCTest

final class KVApplyTests: StateTestCase {
    private func entry(_ key: String) throws -> Indexed<KVEntry>? {
        try store.kvEntry(key: key).value
    }

    private func startSession(_ id: String = "s1", node: String = "n1") {
        if (try? store.node(named: node).value) == nil { accept(Fixture.register(Fixture.node(node))) }
        accept(.sessionCreate(Fixture.session(id, node: node), nowMilliseconds: 0))
    }

    func testSetWritesAndKeepsCreateIndex() throws {
        XCTAssertEqual(accept(Fixture.set("a", "1", flags: 42)).result, .bool(true))
        accept(Fixture.set("a", "2", flags: UInt64.max))
        let a = try XCTUnwrap(entry("a"))
        XCTAssertEqual(a.value, KVEntry(key: "a", flags: UInt64.max, value: Array("2".utf8)))
        XCTAssertEqual([a.createIndex, a.modifyIndex], [1, 2])
    }

    func testCASZeroMeansOnlyIfAbsentAndOtherwiseMustMatch() throws {
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "a", value: [1]), index: 0))).result, .bool(true))
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "a", value: [2]), index: 0))).result, .bool(false))
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "a", value: [3]), index: 7))).result, .bool(false))
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "a", value: [4]), index: 1))).result, .bool(true))
        XCTAssertEqual(try entry("a")?.value.value, [4])
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "b", value: [5]), index: 3))).result, .bool(false), "a missing key never matches N > 0")
    }

    func testLockAcquireReleaseAndLockIndex() throws {
        startSession("s1")
        startSession("s2")
        XCTAssertEqual(accept(Fixture.lock("k", "v1", session: "s1")).result, .bool(true))
        XCTAssertEqual(try entry("k")?.value.lockIndex, 1)
        XCTAssertEqual(try entry("k")?.value.session, "s1")

        XCTAssertEqual(accept(Fixture.lock("k", "v2", session: "s1")).result, .bool(true), "the holder may write again")
        XCTAssertEqual(try entry("k")?.value.lockIndex, 1, "no new acquisition")
        XCTAssertEqual(try entry("k")?.value.value, Array("v2".utf8))

        XCTAssertEqual(accept(Fixture.lock("k", "x", session: "s2")).result, .bool(false), "held by another session")
        XCTAssertEqual(accept(Fixture.unlock("k", session: "s2")).result, .bool(false), "only the holder releases")
        XCTAssertEqual(accept(Fixture.unlock("k", "v3", session: "s1")).result, .bool(true))
        XCTAssertNil(try entry("k")?.value.session)
        XCTAssertEqual(try entry("k")?.value.lockIndex, 1, "release keeps LockIndex")

        XCTAssertEqual(accept(Fixture.lock("k", session: "s2")).result, .bool(true))
        XCTAssertEqual(try entry("k")?.value.lockIndex, 2)
    }

    func testLockNeedsAValidSession() throws {
        XCTAssertEqual(apply(Fixture.lock("k", session: "ghost")).result, .refused(status: 500, message: #"invalid session "ghost""#))
        XCTAssertEqual(apply(Fixture.lock("k", session: "")).result, .refused(status: 500, message: "missing session"))
        XCTAssertNil(try entry("k"))
    }

    func testPlainSetIgnoresAndKeepsTheLock() throws {
        startSession("s1")
        accept(Fixture.lock("k", "v1", session: "s1"))
        XCTAssertEqual(accept(Fixture.set("k", "overwritten")).result, .bool(true))
        let k = try XCTUnwrap(entry("k")).value
        XCTAssertEqual(k.session, "s1")
        XCTAssertEqual(k.lockIndex, 1)
        XCTAssertEqual(k.value, Array("overwritten".utf8))
    }

    func testDeleteAnswersTrueAndLeavesATombstone() throws {
        accept(Fixture.set("a", "1"))
        XCTAssertEqual(accept(.kv(.delete(key: "a"))).result, .bool(true))
        XCTAssertEqual(accept(.kv(.delete(key: "never"))).result, .bool(true))
        XCTAssertNil(try entry("a"))
        XCTAssertTrue(try dump().contains("table kv_tombstones\nx'61' | 2\n"))
    }

    func testDeleteCAS() throws {
        accept(Fixture.set("a", "1"))
        XCTAssertEqual(accept(.kv(.deleteCAS(key: "a", index: 0))).result, .bool(false), "cas=0 never deletes an existing key")
        XCTAssertEqual(accept(.kv(.deleteCAS(key: "a", index: 9))).result, .bool(false))
        XCTAssertEqual(accept(.kv(.deleteCAS(key: "a", index: 1))).result, .bool(true))
        XCTAssertNil(try entry("a"))
        XCTAssertEqual(accept(.kv(.deleteCAS(key: "a", index: 1))).result, .bool(true), "a missing key answers true, as in Consul")
    }

    func testDeleteTreeRemovesOnlyThePrefixAndTombstonesEachKey() throws {
        for key in ["app/a", "app/b/c", "apple", "b"] { accept(Fixture.set(key, key)) }
        XCTAssertEqual(accept(.kv(.deleteTree(prefix: "app/"))).result, .bool(true))
        XCTAssertEqual(try store.kvKeys(prefix: "").value, ["apple", "b"])
        XCTAssertEqual(try store.kvEntries(prefix: "app/").index, 5, "the tombstones keep the prefix's index")
        accept(.kv(.deleteTree(prefix: "")))
        XCTAssertEqual(try store.kvKeys(prefix: "").value, [])
    }

    func testKeysWithAnyBytesSortByBytes() throws {
        for key in ["b", "a\u{0}z", "é", "a", "Z"] { accept(Fixture.set(key, "")) }
        XCTAssertEqual(try store.kvKeys(prefix: "").value, ["Z", "a", "a\u{0}z", "b", "é"])
        XCTAssertEqual(try store.kvKeys(prefix: "a").value, ["a", "a\u{0}z"])
    }
}
