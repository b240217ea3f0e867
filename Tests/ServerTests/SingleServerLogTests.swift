// Proves the single-voter log: indexes in order, one persist batch in flight (group commit),
// nothing applied before it is durable, replay from the applied index, and a bound on waiting writes.
import Server
import Store
import XCTest

final class SingleServerLogTests: XCTestCase {
    func testProposalsWaitForDurabilityAndShareABatch() {
        var log = SingleServerLog(lastIndex: 1, appliedIndex: 1, durable: [])
        XCTAssertEqual(log.propose(kind: .command, data: [1]), 2)
        let first = log.takeEntriesToPersist()
        XCTAssertEqual(first?.map(\.index), [2])
        XCTAssertEqual(log.propose(kind: .command, data: [2]), 3)
        XCTAssertEqual(log.propose(kind: .command, data: [3]), 4)
        XCTAssertNil(log.takeEntriesToPersist(), "one batch in flight at a time")
        XCTAssertEqual(log.takeCommitted(), [], "nothing applies before it is durable")
        log.persisted(through: 2)
        XCTAssertEqual(log.takeCommitted().map(\.index), [2])
        XCTAssertEqual(log.takeEntriesToPersist()?.map(\.index), [3, 4], "writes during the fsync share the next one")
        log.persisted(through: 4)
        XCTAssertEqual(log.takeCommitted().map(\.data), [[2], [3]])
        XCTAssertEqual(log.appliedIndex, 4)
        XCTAssertEqual(log.durableIndex, 4)
    }

    func testReplayStartsAfterTheAppliedIndex() {
        let durable = [LogEntryRecord(index: 6, term: 1, kind: 2, data: [6]), LogEntryRecord(index: 7, term: 1, kind: 2, data: [7])]
        var log = SingleServerLog(lastIndex: 7, appliedIndex: 5, durable: durable)
        XCTAssertEqual(log.takeCommitted(), durable)
        XCTAssertEqual(log.propose(kind: .command, data: []), 8)
    }

    func testWaitingWritesAreBounded() {
        var log = SingleServerLog(lastIndex: 1, appliedIndex: 1, durable: [], maxUnstableEntries: 2)
        XCTAssertNotNil(log.propose(kind: .command, data: []))
        XCTAssertNotNil(log.propose(kind: .command, data: []))
        XCTAssertNil(log.propose(kind: .command, data: []))
    }
}
