// Proves apply is a function of (state, command, index): the same commands give byte-identical databases whatever the batching, across restarts and snapshot restores, for a fixed script and for 1,000 seeded random commands.
import Registry
@testable import Store
import XCTest

final class DeterminismTests: StoreTestCase {
    private func open(_ name: String) throws -> StateStore {
        let store = try StateStore(path: path(name))
        // Speed only: fsync on every commit is not what these tests are about.
        try store.connection.setPragma("synchronous", to: "OFF")
        return store
    }

    private let script: [Command] = [
        Fixture.register(Fixture.node("n1", meta: ["b": "2", "a": "1"]), service: Fixture.service("web", tags: ["x", "y"]),
                         checks: [Fixture.httpCheck("h", node: "n1", serviceID: "web"), Fixture.ttlCheck("serfHealth", node: "n1")]),
        .sessionCreate(Fixture.session("s1", node: "n1", checks: ["serfHealth"], behavior: .delete), nowMilliseconds: 10),
        Fixture.lock("k/1", "v", session: "s1"),
        Fixture.set("k/2", "w", flags: 9),
        .txn([.kv(TxnKVOperation(verb: .set, entry: KVEntry(key: "k/3"))), .kv(TxnKVOperation(verb: .getTree, entry: KVEntry(key: "k/")))]),
        .checkUpdate(CheckUpdate(node: "n1", checkID: "serfHealth", status: .critical, output: "gone")),
        .eventFire(UserEvent(id: "e", name: "deploy")),
        .kv(.deleteTree(prefix: "k/")),
    ]

    func testTheSameScriptGivesIdenticalDatabases() throws {
        let first = try open("first.db")
        let second = try open("second.db")
        defer { first.close(); second.close() }
        for (offset, command) in script.enumerated() {
            let index = UInt64(offset + 1)
            XCTAssertEqual(first.apply(command, at: index, leaderMilliseconds: 100), second.apply(command, at: index, leaderMilliseconds: 100))
        }
        XCTAssertEqual(try first.canonicalDump(), try second.canonicalDump())
        XCTAssertTrue(try first.canonicalDump().hasSuffix("table sessions\n"), "the script ran to its end: s1 was invalidated")
    }

    func testReopeningKeepsStateAndAppliedIndex() throws {
        var store = try StateStore(path: path("state.db"))
        for (offset, command) in script.enumerated() { _ = store.apply(command, at: UInt64(offset + 1)) }
        let before = try store.canonicalDump()
        let answer = try store.kvEntries(prefix: "")
        store.close()
        store = try StateStore(path: path("state.db"))
        defer { store.close() }
        XCTAssertEqual(store.appliedIndex, UInt64(script.count))
        XCTAssertEqual(try store.canonicalDump(), before)
        XCTAssertEqual(try store.kvEntries(prefix: "").index, answer.index)
        XCTAssertEqual(store.apply(Fixture.set("z", "1"), at: UInt64(script.count + 1)).result, .bool(true))
    }

    func testAThousandSeededCommandsGiveIdenticalDatabasesWhateverTheBatching() throws {
        let seed: UInt64 = 0x6772_6176_6974_79
        var generator = CommandGenerator(seed: seed)
        var entries: [IndexedCommand] = []
        for index in UInt64(1)...1_000 {
            let (command, now) = generator.next(index: index)
            entries.append(IndexedCommand(index: index, command: command, leaderMilliseconds: now))
        }
        var batched = try open("batched.db")
        var single = try open("single.db")
        defer { batched.close(); single.close() }

        var batchedOutcomes: [ApplyOutcome] = []
        var sizes = SplitMix64(seed: seed ^ 1)
        var start = 0
        while start < entries.count {
            let end = min(entries.count, start + 1 + sizes.below(20))
            batchedOutcomes += batched.apply(Array(entries[start..<end]))
            start = end
        }
        var singleOutcomes: [ApplyOutcome] = []
        for (offset, entry) in entries.enumerated() {
            singleOutcomes += single.apply([entry])
            if offset == 499 {
                // Half-way: a restart, and a restore of its own snapshot, change nothing either.
                single.close()
                single = try open("single.db")
                let info = try single.snapshot(to: path("half.snap"))
                batched.close()
                batched = try open("batched.db")
                try single.restore(from: path("half.snap"), expectedChecksum: info.checksum)
            }
        }
        for offset in entries.indices where batchedOutcomes[offset] != singleOutcomes[offset] {
            XCTFail("seed \(seed): outcome of index \(offset + 1) differs: \(batchedOutcomes[offset]) vs \(singleOutcomes[offset])")
            break
        }
        XCTAssertEqual(try batched.canonicalDump(), try single.canonicalDump(), "seed \(seed): the databases differ")
        XCTAssertEqual(batched.appliedIndex, single.appliedIndex)

        // The workload must have exercised what it is meant to.
        let results = singleOutcomes.map(\.result)
        XCTAssertGreaterThan(results.filter(\.isRefusal).count, 50, "seed \(seed): too few refusals")
        XCTAssertGreaterThan(results.filter { $0 == .bool(false) }.count, 20, "seed \(seed): too few false answers")
        XCTAssertGreaterThan(results.filter { if case .txn(.results) = $0 { true } else { false } }.count, 10)
        XCTAssertGreaterThan(results.filter { if case .session = $0 { true } else { false } }.count, 10)
        XCTAssertGreaterThan(try single.kvKeys(prefix: "").value.count + single.nodes().value.count, 0)
    }
}
