// Proves refusals and failed transactions change nothing (every table, every index, applied_index), and that a batch commits the rest around them.
import Foundation
import Registry
@testable import Store
import XCTest

final class AtomicityTests: StateTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        accept(Fixture.register(
            Fixture.node("n1"), service: Fixture.service("web"),
            checks: [Fixture.ttlCheck("ttl", node: "n1"), Fixture.httpCheck("http", node: "n1", status: .critical)]))
        accept(.sessionCreate(Fixture.session("s1", node: "n1"), nowMilliseconds: 0))
        accept(Fixture.lock("locked", "v", session: "s1"))
    }

    /// Every command here is refused in the state set up above.
    private var refusals: [Command] {
        let badCheck = Fixture.ttlCheck("c", node: "n1", serviceID: "missing")
        return [
            .catalogRegister(CatalogRegistration(node: Fixture.node("n2"), service: Fixture.service("api"), checks: [badCheck])),
            .serviceRegister(ServiceRegistration(node: "ghost", service: Fixture.service("api"))),
            .serviceRegister(ServiceRegistration(node: "n1", service: Fixture.service("web", tags: ["new"]), checks: [badCheck])),
            .serviceDeregister(node: "n1", serviceID: "nope"),
            .checkRegister(badCheck),
            .checkDeregister(node: "n1", checkID: "nope"),
            .checkUpdate(CheckUpdate(node: "n1", checkID: "http", status: .passing)),
            .ttlExpired(TTLExpiry(node: "n1", checkID: "nope", output: "TTL expired")),
            Fixture.lock("k", session: "ghost"),
            .sessionCreate(Fixture.session("s2", node: "n1", checks: ["http"]), nowMilliseconds: 0),
            .sessionRenew(id: "ghost", nowMilliseconds: 1),
            .txn([
                .kv(TxnKVOperation(verb: .set, entry: KVEntry(key: "new", value: [1]))),
                .node(TxnNodeOperation(verb: .delete, node: Fixture.node("n1"))),
                .kv(TxnKVOperation(verb: .get, entry: KVEntry(key: "missing"))),
            ]),
        ]
    }

    func testEveryRefusalLeavesTheWholeDatabaseAsItWas() throws {
        for command in refusals {
            let before = try dump()
            let applied = store.appliedIndex
            let outcome = apply(command)
            XCTAssertTrue(outcome.result.isRefusal, "\(command.tag) was not refused: \(outcome.result)")
            XCTAssertEqual(outcome.touched, [])
            XCTAssertEqual(try dump(), before, "\(command.tag) left traces")
            XCTAssertEqual(store.appliedIndex, applied)
        }
    }

    func testARefusalInABatchUndoesOnlyItself() throws {
        let start = lastIndex
        let outcomes = store.apply([
            (start + 1, Fixture.set("a", "1")),
            (start + 2, .serviceDeregister(node: "n1", serviceID: "nope")),
            (start + 3, Fixture.set("b", "2")),
            (start + 4, .checkDeregister(node: "n1", checkID: "nope")),
        ])
        XCTAssertEqual(outcomes.map(\.result.isRefusal), [false, true, false, true])
        XCTAssertEqual(try store.kvKeys(prefix: "").value, ["a", "b", "locked"])
        XCTAssertEqual(store.appliedIndex, start + 3, "applied_index is the last command that was not refused")
        try reopen()
        XCTAssertEqual(store.appliedIndex, start + 3)
    }

    /// A command refused after it wrote (the node and service of a registration whose check
    /// names a missing service) is undone inside a batch too, and the commands around it, and a
    /// refusal that wrote nothing (an unknown ID), leave what they would leave one by one.
    func testARefusalAfterWritesInABatchUndoesOnlyItself() throws {
        let start = lastIndex
        let badCheck = Fixture.ttlCheck("c", node: "n2", serviceID: "missing")
        let commands: [Command] = [
            Fixture.set("a", "1"),
            .catalogRegister(CatalogRegistration(node: Fixture.node("n2"), service: Fixture.service("api"), checks: [badCheck])),
            .serviceDeregister(node: "n1", serviceID: "nope"),
            Fixture.set("b", "2"),
        ]
        store.close()
        try FileManager.default.copyItem(atPath: path("state.db"), toPath: path("one-by-one.db"))
        try reopen()
        let outcomes = store.apply(commands.enumerated().map { (start + 1 + UInt64($0.offset), $0.element) })
        XCTAssertEqual(outcomes.map(\.result.isRefusal), [false, true, true, false])
        XCTAssertEqual(outcomes[1].touched, [])
        XCTAssertEqual(try store.kvKeys(prefix: "").value, ["a", "b", "locked"])
        XCTAssertNil(try store.node(named: "n2").value, "the refused registration left its node behind")

        let oneByOne = try StateStore(path: path("one-by-one.db"))
        defer { oneByOne.close() }
        for (offset, command) in commands.enumerated() {
            XCTAssertEqual(oneByOne.apply(command, at: start + 1 + UInt64(offset)).result.isRefusal, outcomes[offset].result.isRefusal)
        }
        XCTAssertEqual(try dump(), try oneByOne.canonicalDump(), "the batch left what the commands leave one by one")
    }

    func testABatchOfRefusalsWritesNothing() throws {
        let before = try dump()
        let applied = store.appliedIndex
        let outcomes = store.apply([(applied + 1, .sessionRenew(id: "x", nowMilliseconds: 0)), (applied + 2, Fixture.lock("k", session: "x"))])
        XCTAssertTrue(outcomes.allSatisfy(\.result.isRefusal))
        XCTAssertEqual(try dump(), before)
        XCTAssertEqual(store.appliedIndex, applied)
    }

    func testAFalseAnswerChangesNoTableButCountsAsApplied() throws {
        let before = try dump()
        let outcome = apply(.kv(.cas(KVEntry(key: "locked", value: [9]), index: 1)))
        XCTAssertEqual(outcome.result, .bool(false))
        XCTAssertEqual(outcome.touched, [])
        XCTAssertEqual(store.appliedIndex, lastIndex)
        let withoutMeta = { (text: String) in text.components(separatedBy: "table meta")[0] }
        XCTAssertEqual(withoutMeta(try dump()), withoutMeta(before))
    }
}
