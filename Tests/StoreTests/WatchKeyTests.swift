// Proves apply reports exactly the watch keys of what a command changed, sorted and without duplicates, and none for refusals or writes that change nothing.
import Registry
@testable import Store
import XCTest

final class WatchKeyTests: StateTestCase {
    func testARegistrationTouchesItsNodeServiceAndChecks() {
        let outcome = accept(Fixture.register(
            Fixture.node("n1"), service: Fixture.service("web"), checks: [Fixture.ttlCheck("c", node: "n1", serviceID: "web")]))
        XCTAssertEqual(outcome.touched, [.nodes, .node("n1"), .services, .service("web"), .checks])
    }

    func testANodeLevelCheckTouchesEveryServiceOnItsNode() {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("a")))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("b")))
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("c")))
        accept(.checkRegister(Fixture.ttlCheck("serfHealth", node: "n1")))
        let outcome = accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "serfHealth", status: .critical)))
        XCTAssertEqual(outcome.touched, [.node("n1"), .service("a"), .service("b"), .checks])
    }

    func testANodeChangeTouchesItsServices() {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web")))
        let outcome = accept(Fixture.register(Fixture.node("n1", address: "10.1.1.1")))
        XCTAssertEqual(outcome.touched, [.nodes, .node("n1"), .service("web")])
    }

    func testRenamingAServiceTouchesBothNames() {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("i1", name: "old")))
        let outcome = accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("i1", name: "new")))
        XCTAssertEqual(outcome.touched, [.node("n1"), .services, .service("new"), .service("old")])
    }

    func testKVWritesTouchTheirExactKeys() {
        XCTAssertEqual(accept(Fixture.set("a/1", "x")).touched, [.kv("a/1")])
        accept(Fixture.set("a/2", "x"))
        accept(Fixture.set("b", "x"))
        XCTAssertEqual(accept(.kv(.deleteTree(prefix: "a/"))).touched, [.kv("a/1"), .kv("a/2")])
        XCTAssertEqual(accept(.kv(.delete(key: "missing"))).touched, [])
        XCTAssertEqual(accept(Fixture.set("b", "x")).touched, [], "the same value again changes nothing")
        XCTAssertEqual(accept(.kv(.cas(KVEntry(key: "b"), index: 99))).touched, [])
    }

    func testSessionInvalidationTouchesReleasedKeysAndSessions() {
        accept(Fixture.register(Fixture.node("n1")))
        XCTAssertEqual(accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0)).touched, [.sessions])
        accept(Fixture.lock("k1", session: "s1"))
        accept(Fixture.lock("k2", session: "s1"))
        XCTAssertEqual(accept(.sessionDestroy(id: "s1")).touched, [.kv("k1"), .kv("k2"), .sessions])
        XCTAssertEqual(accept(.sessionDestroy(id: "s1")).touched, [])
    }

    func testDeregisteringANodeTouchesEverythingThatWasOnIt() {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web"), checks: [Fixture.ttlCheck("c", node: "n1")]))
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("k", session: "s1"))
        let outcome = accept(.catalogDeregister(CatalogDeregistration(node: "n1")))
        XCTAssertEqual(outcome.touched, [.nodes, .node("n1"), .services, .service("web"), .checks, .kv("k"), .sessions])
    }

    func testEventsAndRefusals() {
        XCTAssertEqual(accept(.eventFire(UserEvent(id: "1", name: "e"))).touched, [.events])
        XCTAssertEqual(apply(.serviceDeregister(node: "n1", serviceID: "x")).touched, [])
    }

    func testWatchKeysSortByKindThenBytes() {
        let keys: [WatchKey] = [.events, .kv("b"), .service("z"), .kv("a"), .nodes, .node("é"), .node("a"), .checks, .sessions, .services]
        XCTAssertEqual(keys.sorted(), [.nodes, .node("a"), .node("é"), .services, .service("z"), .checks, .kv("a"), .kv("b"), .sessions, .events])
    }
}
