// Proves a snapshot is a consistent, checksummed copy that restores into a fresh store (or, from another connection, into a live one) with every query answering the same, and that a damaged file or one of another index is refused by name with the live state untouched.
import Foundation
import Registry
@testable import Store
import XCTest

final class SnapshotTests: StateTestCase {
    /// A state with something in every table.
    private func buildState() {
        accept(Fixture.register(
            Fixture.node("n1", meta: ["rack": "r1"]), service: Fixture.service("web", tags: ["a", "b"]),
            checks: [Fixture.httpCheck("web-http", node: "n1", serviceID: "web"), Fixture.ttlCheck("serfHealth", node: "n1")]))
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("db")))
        var session = Fixture.session("s1", node: "n1", checks: ["serfHealth"], ttlSeconds: 30)
        session.serviceChecks = [ServiceCheckRef(id: "web-http")]
        accept(.sessionCreate(session, nowMilliseconds: 1_000))
        accept(.sessionCreate(Fixture.session("s2", node: "n2"), nowMilliseconds: 1_000))
        accept(Fixture.lock("locks/a", "held", session: "s1"))
        accept(Fixture.lock("locks/b", "held", session: "s2"))
        accept(Fixture.set("config/x", "1", flags: 7))
        accept(Fixture.set("config/y", "2"))
        accept(.kv(.delete(key: "config/y")))
        accept(.sessionDestroy(id: "s2"), now: 2_000)
        accept(.eventFire(UserEvent(id: "e1", name: "deploy", payload: [1, 2, 3])))
    }

    /// Asserts that every query gives `a` and `b` the same answer (index and value).
    private func assertSameAnswers(_ a: StateStore, _ b: StateStore, file: StaticString = #filePath, line: UInt = #line) throws {
        func same<T: Equatable>(_ query: (StateStore) throws -> StateStore.Answer<T>, _ name: String) throws {
            let (first, second) = (try query(a), try query(b))
            XCTAssertEqual(first.index, second.index, "index of \(name)", file: file, line: line)
            XCTAssertEqual(first.value, second.value, name, file: file, line: line)
        }
        try same({ try $0.nodes() }, "nodes")
        try same({ try $0.node(named: "n1") }, "node n1")
        try same({ try $0.services() }, "services")
        try same({ try $0.serviceInstances(named: "web") }, "instances of web")
        try same({ try $0.healthServiceEntries(named: "web") }, "health of web")
        try same({ try $0.checks(ofService: "web") }, "checks of web")
        try same({ try $0.checks(onNode: "n1") }, "checks on n1")
        try same({ try $0.checks(inState: nil) }, "all checks")
        try same({ try $0.kvEntry(key: "config/x") }, "config/x")
        try same({ try $0.kvEntry(key: "config/y") }, "config/y")
        try same({ try $0.kvEntries(prefix: "config/") }, "config/ entries")
        try same({ try $0.kvKeys(prefix: "", separator: "/") }, "keys")
        try same({ try $0.sessions() }, "sessions")
        try same({ try $0.session(id: "s1") }, "session s1")
        try same({ try $0.events() }, "events")
        try same({ try $0.agentServices(onNode: "n1") }, "agent services")
        XCTAssertEqual(try a.sessionTimers(), try b.sessionTimers(), file: file, line: line)
    }

    func testRoundTripIntoAFreshStoreAnswersEveryQueryTheSame() throws {
        buildState()
        let info = try store.snapshot(to: path("snap.db"))
        XCTAssertEqual(info.index, lastIndex)
        let attributes = try FileManager.default.attributesOfItem(atPath: path("snap.db"))
        XCTAssertEqual(info.bytes, (attributes[.size] as? Int) ?? -1)
        XCTAssertEqual(info.checksum, CRC32C.checksum(Array(try Data(contentsOf: URL(fileURLWithPath: path("snap.db"))))))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("snap.db.tmp")))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("snap.db-wal")), "a snapshot is one self-contained file")

        let fresh = try StateStore(path: path("fresh.db"))
        defer { fresh.close() }
        try fresh.restore(from: path("snap.db"), expectedChecksum: info.checksum)
        XCTAssertEqual(fresh.appliedIndex, info.index)
        try assertSameAnswers(fresh, store)
        XCTAssertEqual(try fresh.canonicalDump(), try dump())

        // The restored store carries on applying where the snapshot left off.
        let next = fresh.apply(Fixture.set("after", "1"), at: info.index + 1)
        XCTAssertEqual(next.result, .bool(true))
        XCTAssertEqual(fresh.appliedIndex, info.index + 1)
    }

    func testASnapshotFromAnotherConnectionIsTheStateItSawAndRestoresFromBytes() throws {
        // As the agent opens it: sharing the file with its checkpointer and snapshotter.
        store.close()
        store = try StateStore(path: path("shared.db"), checkpointsElsewhere: true)
        buildState()
        let snapshotter = try StateSnapshotter(path: path("shared.db"))
        defer { snapshotter.close() }
        let (info, data) = try snapshotter.take(to: path("snap.db"))
        XCTAssertEqual(info.index, lastIndex, "the copy's own applied_index")
        XCTAssertEqual(CRC32C.checksum(data), info.checksum)
        accept(Fixture.set("later", "1"))
        let fresh = try StateStore(path: path("fresh.db"))
        defer { fresh.close() }
        let checksum = try StateStore.writeSnapshot(data, to: path("installed.db"))
        XCTAssertEqual(checksum, info.checksum)
        try fresh.restore(from: path("installed.db"), expectedChecksum: checksum)
        XCTAssertEqual(fresh.appliedIndex, info.index)
        XCTAssertNil(try fresh.kvEntry(key: "later").value, "what came after the copy is not in it")
        XCTAssertNotNil(try store.kvEntry(key: "later").value)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("installed.db.install")))
    }

    /// A leader's snapshot copied into a live store from another connection (off the loop, as a
    /// follower installs it): the live store reads the old state until the copy commits, then
    /// the new one once reloaded; a file of another index or a damaged one is refused by name
    /// and changes nothing, unless the one kept beside it (`.prev`) is the right one.
    func testACopyIntoALiveStoreFromAnotherConnectionReplacesItsState() throws {
        buildState()
        let info = try store.snapshot(to: path("snap.db"))
        store.close()
        store = try StateStore(path: path("live.db"), checkpointsElsewhere: true)
        _ = store.apply(Fixture.register(Fixture.node("stranger")), at: 2)
        _ = store.apply(Fixture.set("mine", "1"), at: 3)
        let before = try store.canonicalDump()

        XCTAssertThrowsError(try StateStore.copySnapshot(at: path("snap.db"), intoStateAt: path("live.db"), index: info.index + 1)) { error in
            guard case .corrupt(let message)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(path("snap.db")) && message.contains("as of index \(info.index)"), message)
        }
        try Data("not a database at all".utf8).write(to: URL(fileURLWithPath: path("junk.db")))
        XCTAssertThrowsError(try StateStore.copySnapshot(at: path("junk.db"), intoStateAt: path("live.db"), index: info.index)) { error in
            XCTAssertTrue("\(error)".contains(path("junk.db")), "\(error)")
        }
        XCTAssertEqual(try store.canonicalDump(), before)

        // A copy of the live store's own state, finished meanwhile, moved the snapshot aside:
        // it is found there.
        try FileManager.default.moveItem(atPath: path("snap.db"), toPath: path("snap.db.prev"))
        try FileManager.default.copyItem(atPath: path("junk.db"), toPath: path("snap.db"))
        try StateStore.copySnapshot(at: path("snap.db"), intoStateAt: path("live.db"), index: info.index)
        XCTAssertEqual(store.appliedIndex, 3, "the live store has not reloaded yet")
        try store.reloadAfterRestore()
        XCTAssertEqual(store.appliedIndex, info.index)
        XCTAssertEqual(try store.nodes().value.map(\.value.name), ["n1", "n2"])
        let reference = try StateStore(path: path("reference.db"))
        defer { reference.close() }
        try reference.restore(from: path("snap.db.prev"), expectedChecksum: info.checksum)
        try assertSameAnswers(store, reference)
        XCTAssertEqual(try store.canonicalDump(), try reference.canonicalDump())
        // It applies on from the snapshot.
        XCTAssertEqual(store.apply(Fixture.set("after", "1"), at: info.index + 1).result, .bool(true))
    }

    func testRestoreReplacesWhateverWasThere() throws {
        buildState()
        let info = try store.snapshot(to: path("snap.db"))
        let other = try StateStore(path: path("other.db"))
        defer { other.close() }
        _ = other.apply(Fixture.register(Fixture.node("stranger")), at: 500)
        try other.restore(from: path("snap.db"), expectedChecksum: info.checksum)
        XCTAssertEqual(other.appliedIndex, info.index, "the index may go backwards: the snapshot is the state now")
        XCTAssertEqual(try other.nodes().value.map(\.value.name), ["n1", "n2"])
    }

    func testAWrongChecksumIsRefusedByNameAndChangesNothing() throws {
        buildState()
        let info = try store.snapshot(to: path("snap.db"))
        let target = try StateStore(path: path("target.db"))
        defer { target.close() }
        _ = target.apply(Fixture.set("mine", "1"), at: 3)
        let before = try target.canonicalDump()
        XCTAssertThrowsError(try target.restore(from: path("snap.db"), expectedChecksum: info.checksum ^ 1)) { error in
            guard case .corrupt(let message)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(path("snap.db")), message)
        }
        XCTAssertEqual(try target.canonicalDump(), before)
        XCTAssertEqual(target.appliedIndex, 3)
    }

    func testADamagedFileWithAMatchingChecksumIsStillRefused() throws {
        buildState()
        _ = try store.snapshot(to: path("snap.db"))
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path("snap.db"))))
        for offset in stride(from: 4096, to: bytes.count, by: 97) { bytes[offset] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path("damaged.db")))
        let target = try StateStore(path: path("target.db"))
        defer { target.close() }
        XCTAssertThrowsError(try target.restore(from: path("damaged.db"), expectedChecksum: CRC32C.checksum(bytes))) { error in
            guard case .corrupt(let message)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains(path("damaged.db")), message)
        }
        XCTAssertEqual(target.appliedIndex, 0)

        try Data("not a database at all".utf8).write(to: URL(fileURLWithPath: path("junk.db")))
        XCTAssertThrowsError(
            try target.restore(from: path("junk.db"), expectedChecksum: CRC32C.checksum(Array("not a database at all".utf8))))
    }

    func testAGradualSyncWritesEverySliceAndNamesAMissingFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-sync-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bytes = (0..<(3 * 1024 * 1024 + 123)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try FileSystem.syncFileGradually(path, sliceBytes: 1 << 20, pauseMicroseconds: 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data(bytes))
        XCTAssertThrowsError(try FileSystem.syncFileGradually(path + ".missing", sliceBytes: 1 << 20, pauseMicroseconds: 0)) { error in
            XCTAssertTrue("\(error)".contains(".missing"), "\(error)")
        }
    }

    func testSnapshotReplacesAnOlderFileAtomically() throws {
        accept(Fixture.set("a", "1"))
        let first = try store.snapshot(to: path("snap.db"))
        accept(Fixture.set("b", "2"))
        let second = try store.snapshot(to: path("snap.db"))
        XCTAssertEqual([first.index, second.index], [1, 2])
        let fresh = try StateStore(path: path("fresh.db"))
        defer { fresh.close() }
        try fresh.restore(from: path("snap.db"), expectedChecksum: second.checksum)
        XCTAssertEqual(try fresh.kvKeys(prefix: "").value, ["a", "b"])
    }

    /// A newer snapshot written but not yet recorded in raft.db when the node stopped: the one
    /// raft.db records is kept beside it and goes back in place before a restore. Taken and
    /// received snapshots alike.
    func testTheRecordedSnapshotIsFoundAfterANewerOneWasWrittenButNotRecorded() throws {
        accept(Fixture.set("a", "1"))
        let recorded = try store.snapshot(to: path("snap.db"))
        accept(Fixture.set("b", "2"))
        let newer = try store.snapshot(to: path("snap.db"))
        XCTAssertNotEqual(recorded.checksum, newer.checksum)
        // Recorded = the newer one: nothing moves.
        try StateStore.settleSnapshot(at: path("snap.db"), checksum: newer.checksum)
        XCTAssertEqual(try FileSystem.checksum(of: path("snap.db")).checksum, newer.checksum)
        // Recorded = the older one: it is put back.
        try StateStore.settleSnapshot(at: path("snap.db"), checksum: recorded.checksum)
        let fresh = try StateStore(path: path("fresh.db"))
        defer { fresh.close() }
        try fresh.restore(from: path("snap.db"), expectedChecksum: recorded.checksum)
        XCTAssertEqual(try fresh.kvKeys(prefix: "").value, ["a"])

        // A received snapshot keeps the previous file the same way.
        let bytes = try FileSystem.readFile(path("snap.db"), maxBytes: 1 << 24) ?? []
        accept(Fixture.set("c", "3"))
        let third = try store.snapshot(to: path("other.db"))
        let incoming = try FileSystem.readFile(path("other.db"), maxBytes: 1 << 24) ?? []
        XCTAssertEqual(try StateStore.writeSnapshot(incoming, to: path("snap.db")), third.checksum)
        XCTAssertEqual(try FileSystem.readFile(path("snap.db.prev"), maxBytes: 1 << 24), bytes)
        try StateStore.settleSnapshot(at: path("snap.db"), checksum: recorded.checksum)
        XCTAssertEqual(try FileSystem.checksum(of: path("snap.db")).checksum, recorded.checksum)
        // Neither file is the recorded one: left for the restore to refuse by name.
        try StateStore.settleSnapshot(at: path("snap.db"), checksum: 0xDEAD_BEEF)
        XCTAssertEqual(try FileSystem.checksum(of: path("snap.db")).checksum, recorded.checksum)
    }
}
