// Proves the data folder is created private with both databases in it, the node ID is persisted once and reused, bad IDs are refused, and an unsynced state.db is kept across process stops and rebuilt after a machine stop.
import Foundation
import Glibc
import Store
import XCTest

final class DataDirectoryTests: StoreTestCase {
    private var opened: [DataDirectory] = []

    override func tearDownWithError() throws {
        opened.forEach { $0.close() }
        try super.tearDownWithError()
    }

    private func open(_ name: String = "data") throws -> DataDirectory {
        let directory = try DataDirectory(path: path(name))
        opened.append(directory)
        return directory
    }

    private func fileExists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    private func contents(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    func testCreatesAPrivateFolderWithBothDatabases() throws {
        let directory = try open()
        XCTAssertEqual(directory.path, path("data"))
        var info = stat()
        XCTAssertEqual(stat(path("data"), &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o700)
        XCTAssertTrue(fileExists(path("data/raft.db")))
        XCTAssertTrue(fileExists(path("data/state.db")))
        XCTAssertEqual(try directory.raftLog.lastIndex, 0)
        XCTAssertEqual(directory.state.appliedIndex, 0)
    }

    func testReopensAnExistingFolderAndAcceptsATrailingSlash() throws {
        let first = try open()
        try first.raftLog.append([LogEntryRecord(index: 1, term: 1, kind: 0, data: [7])])
        first.close()
        let again = try open("data/")
        XCTAssertEqual(again.path, path("data"))
        XCTAssertEqual(try again.raftLog.lastIndex, 1)
    }

    // MARK: state.db durability

    func testRecoveryDecision() {
        let keep = StateRecovery.Decision.keep, rebuild = StateRecovery.Decision.rebuild
        let cases: [(String?, String?, StateRecovery.Decision, String)] = [
            (nil, "boot-a", keep, "no marker: a new folder, or one last used synced"),
            ("clean", "boot-a", keep, "closed cleanly: the files were synced"),
            ("clean", nil, keep, "closed cleanly, boot unknown now"),
            ("boot-a", "boot-a", keep, "the process stopped, the machine did not"),
            ("boot-a", "boot-b", rebuild, "the machine restarted with unsynced writes"),
            ("boot-a", nil, rebuild, "cannot tell: assume the worst"),
            ("unknown", "unknown", rebuild, "the boot was unknown then: assume the worst"),
        ]
        for (marker, boot, expected, why) in cases {
            XCTAssertEqual(StateRecovery.decide(marker: marker, bootID: boot), expected, why)
        }
    }

    /// Opens an unsynced folder as the agent does.
    private func openUnsynced(boot: String?) throws -> DataDirectory {
        try DataDirectory(path: path("data"), stateCheckpointsElsewhere: true, stateDurability: .unsyncedUntilCleanStop(bootID: boot))
    }

    /// What a killed process leaves: connections gone, no clean close.
    private func crash(_ directory: DataDirectory) {
        directory.raftLog.close()
        directory.state.close()
    }

    private func applyBatch(_ directory: DataDirectory, at index: UInt64) throws {
        try directory.state.apply(batchAt: index) { (_) throws(StoreError) in }
    }

    func testUnsyncedStateIsKeptAcrossProcessStopsAndRebuiltAfterAMachineStop() throws {
        let marker = path("data/" + StateRecovery.markerFileName)
        let first = try openUnsynced(boot: "boot-a")
        XCTAssertFalse(first.stateRebuilt)
        XCTAssertEqual(try contents(marker), "boot-a\n", "the boot is on disk before any unsynced write")
        try applyBatch(first, at: 1)
        crash(first)

        // Same boot: the page cache held every write.
        let second = try openUnsynced(boot: "boot-a")
        XCTAssertFalse(second.stateRebuilt)
        XCTAssertEqual(second.state.appliedIndex, 1)
        try applyBatch(second, at: 2)
        try second.raftLog.append([LogEntryRecord(index: 1, term: 1, kind: 0, data: [7])])
        crash(second)

        // Another boot: the file may be torn, so it starts empty; raft.db is untouched.
        let third = try openUnsynced(boot: "boot-b")
        XCTAssertTrue(third.stateRebuilt)
        XCTAssertEqual(third.state.appliedIndex, 0)
        XCTAssertEqual(try third.raftLog.lastIndex, 1)
        XCTAssertEqual(try contents(marker), "boot-b\n")
        try applyBatch(third, at: 1)
        try applyBatch(third, at: 2)
        third.close()
        XCTAssertEqual(try contents(marker), "clean\n")
        XCTAssertFalse(fileExists(path("data/state.db-wal")), "the close checkpointed the WAL into the file")

        // A clean close synced everything: even a new boot keeps it.
        let fourth = try openUnsynced(boot: "boot-c")
        XCTAssertFalse(fourth.stateRebuilt)
        XCTAssertEqual(fourth.state.appliedIndex, 2)
        crash(fourth)

        // Unknown boot after an unclean stop: rebuilt.
        let fifth = try openUnsynced(boot: nil)
        XCTAssertTrue(fifth.stateRebuilt)
        XCTAssertEqual(fifth.state.appliedIndex, 0)
        crash(fifth)
        let sixth = try openUnsynced(boot: nil)
        XCTAssertTrue(sixth.stateRebuilt, "an unknown boot never matches")
        sixth.close()
    }

    func testSyncedFoldersWriteNoMarker() throws {
        let directory = try open()
        XCTAssertEqual(directory.stateDurability, .synced)
        directory.close()
        opened.removeAll()
        XCTAssertFalse(fileExists(path("data/" + StateRecovery.markerFileName)))
    }

    func testRefusesAFileInPlaceOfTheFolder() throws {
        XCTAssertTrue(FileManager.default.createFile(atPath: path("data"), contents: Data()))
        XCTAssertThrowsError(try DataDirectory(path: path("data"))) { error in
            guard case .io(let message)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.contains("not a directory"), message)
        }
    }

    func testRefusesAMissingParent() throws {
        XCTAssertThrowsError(try DataDirectory(path: path("missing/data"))) { error in
            guard case .io(let message)? = error as? StoreError else { return XCTFail("\(error)") }
            XCTAssertTrue(message.hasPrefix("mkdir \(self.path("missing/data")): "), message)
        }
    }

    func testNodeIDIsPersistedOnceAndReused() throws {
        let directory = try open()
        XCTAssertEqual(try directory.loadOrCreateNodeID(proposed: "node-1"), "node-1")
        XCTAssertEqual(try contents(path("data/node-id")), "node-1\n")
        XCTAssertFalse(fileExists(path("data/node-id.tmp")))
        XCTAssertEqual(try directory.loadOrCreateNodeID(proposed: "node-2"), "node-1")
        directory.close()

        let reopened = try open()
        XCTAssertEqual(try reopened.loadOrCreateNodeID(proposed: "node-3"), "node-1")
    }

    func testStoredNodeIDIsTrimmed() throws {
        let directory = try open()
        try " \tnode-x \r\n\n".write(toFile: path("data/node-id"), atomically: false, encoding: .utf8)
        XCTAssertEqual(try directory.loadOrCreateNodeID(proposed: "other"), "node-x")
    }

    func testBadProposedIDsAreRefusedAndNothingIsWritten() throws {
        let directory = try open()
        let longest = String(repeating: "a", count: 128)
        for bad in ["", String(repeating: "a", count: 129), "two words", "tab\there", "bell\u{7}", "délai", "nul\u{0}"] {
            XCTAssertThrowsError(try directory.loadOrCreateNodeID(proposed: bad), "\(bad.debugDescription)") { error in
                guard case .invalidNodeID? = error as? StoreError else { return XCTFail("\(error)") }
            }
            XCTAssertFalse(fileExists(path("data/node-id")))
        }
        XCTAssertEqual(try directory.loadOrCreateNodeID(proposed: longest), longest)
    }

    func testDamagedNodeIDFileIsReported() throws {
        let directory = try open()
        for content in ["", "  \n", "two words\n", String(repeating: "x", count: 2_000)] {
            try content.write(toFile: path("data/node-id"), atomically: false, encoding: .utf8)
            XCTAssertThrowsError(try directory.loadOrCreateNodeID(proposed: "node-1")) { error in
                guard case .corrupt? = error as? StoreError else { return XCTFail("\(error)") }
            }
        }
    }

    func testNodeIDFileLimitLeavesRoomForTheLongestID() {
        XCTAssertGreaterThan(StoreLimits.maxNodeIDFileBytes, StoreLimits.maxNodeIDBytes + 2)
    }
}
