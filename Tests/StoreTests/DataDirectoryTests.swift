// Proves the data folder is created private with both databases in it, the node ID is persisted once and reused, and bad IDs are refused.
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
