// Proves sessions follow Consul: creation checks node and checks, invalidation releases or deletes held keys, lock-delay runs on leader time, renewals of unknown sessions are 404s.
import Registry
@testable import Store
import XCTest

final class SessionApplyTests: StateTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        accept(Fixture.register(
            Fixture.node("n1"), service: Fixture.service("db"),
            checks: [Fixture.ttlCheck("serfHealth", node: "n1"), Fixture.ttlCheck("db-check", node: "n1", serviceID: "db")]))
    }

    private func entry(_ key: String) throws -> KVEntry? {
        try store.kvEntry(key: key).value?.value
    }

    func testCreateRecordsTheSessionWithItsChecks() throws {
        var session = Fixture.session("s1", node: "n1", checks: ["serfHealth"], ttlSeconds: 20)
        session.serviceChecks = [ServiceCheckRef(id: "db-check")]
        XCTAssertEqual(accept(.sessionCreate(session, nowMilliseconds: 5_000)).result, .session(id: "s1"))
        let stored = try XCTUnwrap(store.session(id: "s1").value)
        XCTAssertEqual(stored.value, session)
        XCTAssertEqual([stored.createIndex, stored.modifyIndex], [2, 2])
        XCTAssertEqual(try store.sessions(onNode: "n1").value.map(\.value.id), ["s1"])
        XCTAssertEqual(try store.sessionTimers(), [SessionTimer(id: "s1", ttlNanoseconds: 20_000_000_000, renewedMilliseconds: 5_000)])
    }

    func testCreateRefusalsInConsulsWords() throws {
        XCTAssertEqual(
            apply(.sessionCreate(Fixture.session("s1", node: "n9"), nowMilliseconds: 0)).result,
            .refused(status: 500, message: "Missing node registration"))
        XCTAssertEqual(
            apply(.sessionCreate(Fixture.session("s1", node: "n1", checks: ["nope"]), nowMilliseconds: 0)).result,
            .refused(status: 500, message: "Missing check 'nope' registration"))
        accept(.ttlExpired(TTLExpiry(node: "n1", checkID: "serfHealth", output: "TTL expired")))
        XCTAssertEqual(
            apply(.sessionCreate(Fixture.session("s1", node: "n1", checks: ["serfHealth"]), nowMilliseconds: 0)).result,
            .refused(status: 500, message: "Check 'serfHealth' is in critical state"))
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        XCTAssertEqual(
            apply(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0)).result,
            .refused(status: 500, message: #"Session ID "s1" already exists"#))
    }

    func testRenew() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1", ttlSeconds: 10), nowMilliseconds: 1_000))
        let before = try XCTUnwrap(store.session(id: "s1").value)
        let renewed = accept(.sessionRenew(id: "s1", nowMilliseconds: 9_000))
        XCTAssertEqual(renewed.result, .done)
        XCTAssertEqual(renewed.touched, [], "a renewal changes nothing a client sees")
        XCTAssertEqual(try store.session(id: "s1").value, before)
        XCTAssertEqual(try store.sessionTimers().first?.renewedMilliseconds, 9_000)
        XCTAssertEqual(
            apply(.sessionRenew(id: "gone", nowMilliseconds: 1)).result,
            .refused(status: 404, message: "Session id 'gone' not found"))
    }

    func testDestroyReleasesHeldKeysAndIsIdempotent() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", "v", session: "s1"))
        XCTAssertEqual(accept(.sessionDestroy(id: "s1")).result, .done)
        let k = try XCTUnwrap(entry("k"))
        XCTAssertNil(k.session)
        XCTAssertEqual(k.value, Array("v".utf8), "release keeps the key")
        XCTAssertEqual(try store.kvEntry(key: "k").value?.modifyIndex, 4)
        XCTAssertNil(try store.session(id: "s1").value)
        XCTAssertEqual(accept(.sessionDestroy(id: "s1")).result, .done)
    }

    func testDeleteBehaviorDeletesHeldKeys() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1", behavior: .delete), nowMilliseconds: 0))
        accept(Fixture.lock("k", "v", session: "s1"))
        accept(Fixture.set("other", "x"))
        accept(.sessionDestroy(id: "s1"))
        XCTAssertNil(try entry("k"))
        XCTAssertNotNil(try entry("other"))
    }

    func testACriticalCheckInvalidatesTheSessionsBoundToIt() throws {
        accept(.sessionCreate(Fixture.session("bound", node: "n1", checks: ["serfHealth"]), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("free", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", session: "bound"))
        accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "serfHealth", status: .warning)))
        XCTAssertNotNil(try store.session(id: "bound").value, "warning is not critical")
        accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "serfHealth", status: .critical)))
        XCTAssertEqual(try store.sessions().value.map(\.value.id), ["free"])
        XCTAssertNil(try entry("k")?.session)
    }

    func testDeletingABoundCheckInvalidatesTheSession() throws {
        var session = Fixture.session("s1", node: "n1")
        session.serviceChecks = [ServiceCheckRef(id: "db-check")]
        accept(.sessionCreate(session, nowMilliseconds: 0))
        accept(.serviceDeregister(node: "n1", serviceID: "db"))
        XCTAssertNil(try store.session(id: "s1").value)
    }

    func testLockDelayRefusesAcquiresUntilItEndsOnLeaderTime() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1", lockDelaySeconds: 15), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("s2", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", session: "s1"), now: 1_000)
        accept(.sessionDestroy(id: "s1"), now: 10_000)
        XCTAssertEqual(accept(Fixture.lock("k", session: "s2"), now: 24_999).result, .bool(false), "still in lock-delay")
        XCTAssertEqual(accept(Fixture.lock("other", session: "s2"), now: 24_999).result, .bool(true), "other keys are free")
        XCTAssertEqual(accept(Fixture.lock("k", session: "s2"), now: 25_000).result, .bool(true))
    }

    func testAVoluntaryReleaseStartsNoLockDelay() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("s2", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", session: "s1"), now: 1_000)
        accept(Fixture.unlock("k", session: "s1"), now: 2_000)
        XCTAssertEqual(accept(Fixture.lock("k", session: "s2"), now: 2_001).result, .bool(true))
    }

    func testWithoutLeaderTimeNoLockDelayIsRecordedOrEnforced() throws {
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("s2", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", session: "s1"))
        accept(.sessionDestroy(id: "s1"))
        XCTAssertFalse(try dump().contains("table kv_lock_delays\nx'"), "no time, no lock-delay row")
        XCTAssertEqual(accept(Fixture.lock("k", session: "s2")).result, .bool(true))
    }
}
