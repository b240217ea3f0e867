// Proves transactions apply all operations or none, answer Consul's Results (values only for reads) and collect every failure as Consul's Errors.
import Registry
@testable import Store
import XCTest

final class TxnApplyTests: StateTestCase {
    private func kv(_ verb: TxnKVVerb, _ key: String, _ value: String = "", index: UInt64 = 0, session: String? = nil) -> TxnOperation {
        .kv(TxnKVOperation(verb: verb, entry: KVEntry(key: key, value: Array(value.utf8)), index: index, session: session))
    }

    private func results(_ outcome: ApplyOutcome, file: StaticString = #filePath, line: UInt = #line) -> [TxnResult] {
        guard case .txn(.results(let results)) = outcome.result else {
            XCTFail("not a successful txn: \(outcome.result)", file: file, line: line)
            return []
        }
        return results
    }

    func testWritesAndReadsInOneTransaction() throws {
        accept(Fixture.set("existing", "old"))
        let outcome = accept(.txn([
            kv(.set, "a", "1"),
            kv(.get, "existing"),
            kv(.cas, "existing", "new", index: 1),
            kv(.getTree, "a"),
            kv(.checkNotExists, "zzz"),
            kv(.delete, "nothing"),
        ]))
        let results = results(outcome)
        let stripped = Indexed(value: KVEntry(key: "a"), createIndex: 2, modifyIndex: 2)
        XCTAssertEqual(results, [
            .kv(stripped),
            .kv(Indexed(value: KVEntry(key: "existing", value: Array("old".utf8)), createIndex: 1, modifyIndex: 1)),
            .kv(Indexed(value: KVEntry(key: "existing"), createIndex: 1, modifyIndex: 2)),
            .kv(Indexed(value: KVEntry(key: "a", value: Array("1".utf8)), createIndex: 2, modifyIndex: 2)),
        ])
        XCTAssertEqual(outcome.touched, [.kv("a"), .kv("existing")])
    }

    func testAFailedTransactionWritesNothingAndReportsEveryFailure() throws {
        accept(Fixture.set("a", "1"))
        let before = try dump()
        let outcome = apply(.txn([
            kv(.set, "b", "2"),
            kv(.cas, "a", "x", index: 99),
            kv(.get, "missing"),
            kv(.delete, "a"),
            kv(.checkIndex, "b", index: 1),
            kv(.lock, "c", session: "ghost"),
        ]))
        XCTAssertEqual(outcome.result, .txn(.errors([
            TxnError(opIndex: 1, what: #"failed to set key "a", index is stale"#),
            TxnError(opIndex: 2, what: #"key "missing" doesn't exist"#),
            TxnError(opIndex: 4, what: #"failed index check for key "b", current modify index 2 != 1"#),
            TxnError(opIndex: 5, what: #"invalid session "ghost""#),
        ])))
        XCTAssertEqual(outcome.touched, [])
        XCTAssertEqual(try dump(), before, "not even the successful operations remain")
        XCTAssertEqual(store.appliedIndex, 1)
    }

    func testSessionVerbs() throws {
        accept(Fixture.register(Fixture.node("n1")))
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("s2", node: "n1"), nowMilliseconds: 0))
        XCTAssertEqual(results(accept(.txn([kv(.lock, "k", "v", session: "s1"), kv(.checkSession, "k", session: "s1")]))).count, 2)
        XCTAssertEqual(
            apply(.txn([kv(.lock, "k", session: "s2")])).result,
            .txn(.errors([TxnError(opIndex: 0, what: #"failed to lock key "k", lock is already held"#)])))
        XCTAssertEqual(
            apply(.txn([kv(.checkSession, "k", session: "s2")])).result,
            .txn(.errors([TxnError(opIndex: 0, what: #"failed session check for key "k", current session "s1" != "s2""#)])))
        XCTAssertEqual(
            apply(.txn([kv(.unlock, "k", session: "s2")])).result,
            .txn(.errors([TxnError(opIndex: 0, what: #"failed to unlock key "k", lock isn't held, or is held by another session"#)])))
        accept(.txn([kv(.unlock, "k", session: "s1")]))
        XCTAssertNil(try store.kvEntry(key: "k").value?.value.session)
    }

    func testCatalogVerbs() throws {
        let node = Fixture.node("n1")
        let web = Fixture.service("web")
        let check = Fixture.ttlCheck("c", node: "n1", serviceID: "web")
        let outcome = accept(.txn([
            .node(TxnNodeOperation(verb: .set, node: node)),
            .service(TxnServiceOperation(verb: .set, node: "n1", service: web)),
            .check(TxnCheckOperation(verb: .set, check: check)),
        ]))
        var expectedCheck = check
        expectedCheck.serviceName = "web"
        XCTAssertEqual(results(outcome), [
            .node(Indexed(value: node, createIndex: 1, modifyIndex: 1)),
            .service(Indexed(value: web, createIndex: 1, modifyIndex: 1)),
            .check(Indexed(value: expectedCheck, createIndex: 1, modifyIndex: 1)),
        ])
        XCTAssertEqual(
            apply(.txn([.node(TxnNodeOperation(verb: .cas, node: Fixture.node("n1", address: "x"), index: 7))])).result,
            .txn(.errors([TxnError(opIndex: 0, what: #"failed to set node "n1", index is stale"#)])))
        XCTAssertEqual(
            apply(.txn([.service(TxnServiceOperation(verb: .get, node: "n1", service: Fixture.service("nope")))])).result,
            .txn(.errors([TxnError(opIndex: 0, what: #"service "nope" on node "n1" doesn't exist"#)])))
        XCTAssertEqual(
            apply(.txn([.service(TxnServiceOperation(verb: .set, node: "n9", service: web))])).result,
            .txn(.errors([TxnError(opIndex: 0, what: "Missing node registration")])))
        accept(.txn([.check(TxnCheckOperation(verb: .deleteCAS, check: check, index: 1))]))
        XCTAssertEqual(try store.checks(onNode: "n1").value, [])
        accept(.txn([.node(TxnNodeOperation(verb: .delete, node: node))]))
        XCTAssertEqual(try store.nodes().value, [])
    }
}
