// Proves the indexes queries report follow consul-api.md §1.5: KV misses and prefixes see tombstones, prefix indexes never go backwards, per-name indexes move only for their name, and nothing is ever 0.
import Registry
@testable import Store
import XCTest

final class IndexRuleTests: StateTestCase {
    func testAnEmptyStoreNeverReportsZero() throws {
        XCTAssertEqual(try store.nodes().index, 1)
        XCTAssertEqual(try store.node(named: "x").index, 1)
        XCTAssertEqual(try store.services().index, 1)
        XCTAssertEqual(try store.serviceInstances(named: "x").index, 1)
        XCTAssertEqual(try store.healthServiceEntries(named: "x").index, 1)
        XCTAssertEqual(try store.checks(inState: nil).index, 1)
        XCTAssertEqual(try store.checks(onNode: "x").index, 1)
        XCTAssertEqual(try store.kvEntry(key: "x").index, 1)
        XCTAssertEqual(try store.kvEntries(prefix: "x").index, 1)
        XCTAssertEqual(try store.kvKeys(prefix: "").index, 1)
        XCTAssertEqual(try store.sessions().index, 1)
        XCTAssertEqual(try store.events().index, 1)
    }

    func testAKVHitReportsItsModifyIndexAndAMissTheTablesIncludingDeletes() throws {
        accept(Fixture.set("a", "1"))
        accept(Fixture.set("b", "2"))
        XCTAssertEqual(try store.kvEntry(key: "a").index, 1)
        XCTAssertEqual(try store.kvEntry(key: "nope").index, 2)
        accept(.kv(.delete(key: "a")))
        XCTAssertEqual(try store.kvEntry(key: "a").index, 3, "the miss sees the delete")
    }

    func testAPrefixIndexSeesTombstonesAndIgnoresOtherPrefixes() throws {
        accept(Fixture.set("p/1", "x"))  // 1
        accept(Fixture.set("p/2", "x"))  // 2
        accept(Fixture.set("q", "x"))  // 3
        XCTAssertEqual(try store.kvEntries(prefix: "p/").index, 2)
        accept(.kv(.delete(key: "p/2")))  // 4
        XCTAssertEqual(try store.kvEntries(prefix: "p/").index, 4, "did not go back to 1")
        accept(Fixture.set("q", "y"))  // 5
        XCTAssertEqual(try store.kvKeys(prefix: "p/").index, 4, "a write elsewhere wakes nobody under p/")
        accept(.kv(.deleteTree(prefix: "p/")))  // 6
        XCTAssertEqual(try store.kvEntries(prefix: "p/").index, 6)
        XCTAssertEqual(try store.kvEntries(prefix: "p/").value, [])
        XCTAssertEqual(try store.kvEntries(prefix: "never/").index, 6, "nothing under it: the table's index")
        XCTAssertEqual(try store.kvEntries(prefix: "").index, 6)
    }

    func testPrefixIndexesNeverGoBackwardsUnderChurn() throws {
        var random = SplitMix64(seed: 7)
        var seen: [String: UInt64] = [:]
        let prefixes = ["", "a", "a/", "a/b", "b/"]
        for _ in 0..<150 {
            let key = ["a/1", "a/2", "a/b/1", "a/b/2", "b/1", "c"][random.below(6)]
            switch random.below(3) {
            case 0: accept(.kv(.delete(key: key)))
            case 1: accept(.kv(.deleteTree(prefix: String(key.prefix(2)))))
            default: accept(Fixture.set(key, String(random.next())))
            }
            for prefix in prefixes {
                let index = try store.kvEntries(prefix: prefix).index
                XCTAssertGreaterThanOrEqual(index, seen[prefix] ?? 1, "prefix \(prefix) went backwards at \(lastIndex)")
                seen[prefix] = index
            }
        }
    }

    func testServiceIndexesMoveOnlyForTheirService() throws {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web")))  // 1
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("api")))  // 2
        XCTAssertEqual(try store.serviceInstances(named: "web").index, 1)
        XCTAssertEqual(try store.healthServiceEntries(named: "api").index, 2)
        XCTAssertEqual(try store.services().index, 2)

        accept(.checkRegister(Fixture.ttlCheck("node-level", node: "n1")))  // 3
        XCTAssertEqual(try store.healthServiceEntries(named: "web").index, 3, "node checks are part of web's health")
        XCTAssertEqual(try store.healthServiceEntries(named: "api").index, 2)
        XCTAssertEqual(try store.checks(inState: .passing).index, 3)

        accept(Fixture.register(Fixture.node("n2", address: "10.9.9.9")))  // 4
        XCTAssertEqual(try store.serviceInstances(named: "api").index, 4, "instances carry their node's address")
        XCTAssertEqual(try store.node(named: "n2").index, 4)
        XCTAssertEqual(try store.node(named: "n1").index, 3)

        accept(.serviceDeregister(node: "n1", serviceID: "web"))  // 5
        XCTAssertEqual(try store.serviceInstances(named: "web").index, 5, "a vanished service falls back to the table")
        XCTAssertEqual(try store.serviceInstances(named: "web").value, [])
        XCTAssertFalse(try dump().contains("\"service.web\""), "per-name rows go with their last instance")
    }
}
