// Proves the in-memory index of instances by service name (`ServiceNameIndex`, migration 6)
// always matches the `services` table: through inserts, renames, deletes, refusals undone by a
// savepoint or by the whole batch, reopening and snapshot restores; and that migration 6 removes
// the on-disk index.
import Registry
@testable import Store
import XCTest

final class ServiceNameIndexTests: StateTestCase {
    private func assertInStep(_ message: String = "", file: StaticString = #filePath, line: UInt = #line) throws {
        let table = try store.connection.prepare("SELECT name || '|' || node || '|' || id FROM services").query { $0.text(at: 0) }
        XCTAssertEqual(store.names.entries, table.sorted(by: utf8Precedes), message, file: file, line: line)
        let nodes = try store.connection.prepare("SELECT DISTINCT node FROM services").query { $0.text(at: 0) }
        for node in nodes {
            let names = try store.connection.prepare("SELECT DISTINCT name FROM services WHERE node = ? ORDER BY name")
                .query([.text(node)]) { $0.text(at: 0) }
            XCTAssertEqual(store.names.names(onNode: node), names, "\(message) node \(node)", file: file, line: line)
        }
    }

    private func ids(_ name: String) throws -> [String] {
        try store.serviceInstances(named: name).value.map { "\($0.node.value.name)/\($0.service.value.id)" }
    }

    func testARenameMovesTheInstanceAndADeregistrationRemovesIt() throws {
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("a", name: "web")))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("b", name: "web")))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("a", name: "web")))
        XCTAssertEqual(try ids("web"), ["n1/a", "n1/b", "n2/a"], "by node, then ID")
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("a", name: "api")))
        XCTAssertEqual(try ids("web"), ["n1/b", "n2/a"])
        XCTAssertEqual(try ids("api"), ["n1/a"])
        XCTAssertEqual(store.names.names(onNode: "n1"), ["api", "web"])
        accept(.serviceDeregister(node: "n1", serviceID: "b"))
        XCTAssertEqual(try ids("web"), ["n2/a"])
        XCTAssertEqual(store.names.names(onNode: "n1"), ["api"])
        try assertInStep()
        accept(.catalogDeregister(CatalogDeregistration(node: "n1", serviceID: nil, checkID: nil)))
        XCTAssertEqual(try ids("api"), [])
        XCTAssertEqual(store.names.names(onNode: "n1"), [])
        try assertInStep()
    }

    /// A transaction that fails after registering an instance is undone by its batch's
    /// rollback; in a batch with accepted commands, by its own savepoint.
    func testARefusalLeavesNoEntryAloneOrInABatch() throws {
        accept(Fixture.register(Fixture.node("n1")))
        let failing = Command.txn([
            .service(TxnServiceOperation(verb: .set, node: "n1", service: Fixture.service("web"))),
            .service(TxnServiceOperation(verb: .get, node: "n1", service: Fixture.service("nope"))),
        ])
        XCTAssertTrue(apply(failing).result.isRefusal)
        XCTAssertEqual(try ids("web"), [])
        try assertInStep()
        let outcomes = store.apply([
            (lastIndex + 1, Fixture.register(Fixture.node("n1"), service: Fixture.service("a", name: "web"))),
            (lastIndex + 2, failing),
            (lastIndex + 3, Fixture.register(Fixture.node("n1"), service: Fixture.service("b", name: "web"))),
        ])
        XCTAssertEqual(outcomes.map(\.result.isRefusal), [false, true, false])
        XCTAssertEqual(try ids("web"), ["n1/a", "n1/b"])
        try assertInStep()
    }

    /// Seeded mixes of every command (refusals, failed transactions, node deletes), applied one
    /// by one and in batches of up to eight.
    func testStaysInStepThroughMixedCommands() throws {
        var sawInstances = 0
        var index: UInt64 = 0
        for seed: UInt64 in 1...20 {
            var generator = CommandGenerator(seed: seed)
            var batch: [IndexedCommand] = []
            for step in 0..<160 {
                index += 1
                let (command, now) = generator.next(index: index)
                batch.append(IndexedCommand(index: index, command: command, leaderMilliseconds: now))
                if seed % 2 == 0 || batch.count == 1 + step % 8 {
                    _ = store.apply(batch)
                    batch = []
                }
            }
            if !batch.isEmpty { _ = store.apply(batch) }
            try assertInStep("seed \(seed)")
            if !store.names.entries.isEmpty { sawInstances += 1 }
        }
        XCTAssertGreaterThan(sawInstances, 10, "the mixes leave instances to compare")
    }

    func testIsRebuiltOnOpenAndAfterARestore() throws {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("a", name: "web")))
        let info = try store.snapshot(to: path("snap.db"))
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("b", name: "web")))
        try reopen()
        XCTAssertEqual(try ids("web"), ["n1/a", "n2/b"])
        try store.restore(from: path("snap.db"), expectedChecksum: info.checksum)
        XCTAssertEqual(try ids("web"), ["n1/a"])
        XCTAssertEqual(store.names.names(onNode: "n2"), [])
        try assertInStep()
        accept(Fixture.register(Fixture.node("n3"), service: Fixture.service("c", name: "web")))
        XCTAssertEqual(try ids("web"), ["n1/a", "n3/c"])
        try assertInStep()
    }

    func testMigrationSixDropsTheIndexOnDisk() throws {
        let db = try SQLiteConnection(path: path("old.db"))
        defer { db.close() }
        let indexes = { () throws -> [String] in
            try db.prepare("SELECT name FROM sqlite_schema WHERE name = 'services_by_name'").query { $0.text(at: 0) }
        }
        try db.migrate(Array(StateStore.migrations.prefix(5)))
        XCTAssertEqual(try indexes(), ["services_by_name"])
        try db.migrate(StateStore.migrations)
        XCTAssertEqual(try db.userVersion(), 6)
        XCTAssertEqual(try indexes(), [])
    }
}

final class ServiceNameIndexInstanceTests: XCTestCase {
    typealias Instance = ServiceNameIndex.Instance

    /// The hash is made once from both strings; equality still compares the strings.
    func testInstancesAreEqualByNodeAndIDAndHashAlike() {
        let a = Instance(node: "n1", id: "x")
        XCTAssertEqual(a, Instance(node: "n1", id: "x"))
        XCTAssertEqual(a.hashValue, Instance(node: "n1", id: "x").hashValue)
        XCTAssertNotEqual(a, Instance(node: "n1x", id: ""), "the same bytes split differently")
        XCTAssertNotEqual(a, Instance(node: "x", id: "n1"))
        XCTAssertNotEqual(a, Instance(node: "n1", id: "X"))
    }

    func testASetThatGrowsKeepsEveryInstanceFindable() {
        var set = Set<Instance>()
        for n in 0..<20_000 { set.insert(Instance(node: "node-\(n % 7)", id: "svc-\(n)")) }
        XCTAssertEqual(set.count, 20_000)
        for n in stride(from: 0, to: 20_000, by: 97) {
            XCTAssertTrue(set.contains(Instance(node: "node-\(n % 7)", id: "svc-\(n)")))
            XCTAssertFalse(set.contains(Instance(node: "node-\((n + 1) % 7)", id: "svc-\(n)")))
        }
    }
}
