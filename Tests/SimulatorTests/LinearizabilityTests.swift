// Proves the linearizability checker accepts histories that have a linearization and refuses
// ones that do not, including unknown outcomes and CAS by ModifyIndex.
import Simulator
import XCTest

final class LinearizabilityTests: XCTestCase {
    /// Builds entries from (request, outcome, invoke, complete) with times as orders.
    private func history(_ items: [(KVRequest, KVOutcome, UInt64, UInt64?)], key: String = "k") -> [HistoryEntry] {
        items.enumerated().map { position, item in
            HistoryEntry(client: position, node: 0, key: key, request: item.0, outcome: item.1,
                         invokedAt: item.2, invokeOrder: item.2, completedAt: item.3, completeOrder: item.3)
        }
    }

    func testSequentialWriteThenReadIsLinearizable() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testStaleReadAfterCompletedWriteIsNot() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.write("b"), .applied, 3, 4),
            (.read, .found("a", modifyIndex: 5), 5, 6),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("a stale read must be refused") }
    }

    func testConcurrentReadMaySeeEitherValue() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.write("b"), .applied, 3, 10),
            (.read, .found("a", modifyIndex: 5), 4, 5),
            (.read, .found("b", modifyIndex: 6), 6, 7),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testReadsMayNotGoBackInTime() {
        // b is seen, then a later read sees a again: no order explains it.
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.write("b"), .applied, 3, 20),
            (.read, .found("b", modifyIndex: 6), 4, 5),
            (.read, .found("a", modifyIndex: 5), 6, 7),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("time travel must be refused") }
    }

    func testReadOfMissingKeyBeforeAnyWrite() {
        let entries = history([
            (.read, .notFound, 1, 2),
            (.write("a"), .applied, 3, 4),
            (.read, .notFound, 5, 6),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("a lost write must be refused") }
    }

    func testUnknownWriteMayTakeEffectLate() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.write("b"), .unknown, 3, nil),
            (.read, .found("a", modifyIndex: 5), 4, 5),
            (.read, .found("b", modifyIndex: 9), 10, 11),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testUnknownWriteMayNeverTakeEffect() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.write("b"), .unknown, 3, nil),
            (.read, .found("a", modifyIndex: 5), 10, 11),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testUnknownWriteCannotTakeEffectBeforeItsInvocation() {
        let entries = history([
            (.read, .found("b", modifyIndex: 9), 1, 2),
            (.write("b"), .unknown, 3, nil),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("a value read before it was written") }
    }

    func testCASAgainstTheIndexReadSucceedsOnce() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.cas(expectedIndex: 5, value: "b"), .applied, 5, 6),
            (.cas(expectedIndex: 5, value: "c"), .refused, 7, 8),
            (.read, .found("b", modifyIndex: 7), 9, 10),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testTwoCASWithTheSameExpectationCannotBothSucceed() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.cas(expectedIndex: 5, value: "b"), .applied, 5, 8),
            (.cas(expectedIndex: 5, value: "c"), .applied, 6, 9),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("two CAS from one state both won") }
    }

    func testCASZeroCreatesOnlyAMissingKey() {
        let ok = history([
            (.cas(expectedIndex: 0, value: "a"), .applied, 1, 2),
            (.cas(expectedIndex: 0, value: "b"), .refused, 3, 4),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(ok), .linearizable)
        let bad = history([
            (.cas(expectedIndex: 0, value: "a"), .applied, 1, 2),
            (.cas(expectedIndex: 0, value: "b"), .applied, 3, 4),
        ])
        guard case .violation = LinearizabilityChecker.check(bad) else { return XCTFail("cas=0 on an existing key won") }
    }

    func testRefusedCASNeedsAStateThatExplainsIt() {
        // The key holds a (index 5) from the start and nothing else writes: the CAS must win.
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.cas(expectedIndex: 5, value: "b"), .refused, 5, 6),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("an unexplained CAS refusal") }
    }

    func testOneValueAtTwoIndexesIsAViolation() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.read, .found("a", modifyIndex: 6), 5, 6),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("a write applied twice") }
    }

    func testKeysAreCheckedIndependently() {
        let entries = history([(.write("a"), .applied, 1, 2)], key: "x")
            + history([(.read, .notFound, 3, 4)], key: "y")
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testManyConcurrentUnknownWritesStayTractable() {
        // Twelve writes that never answered, then reads of some of them: a search without
        // memoisation would try 12! orders; with it, at most 2^12 sets of writes. (Unknown
        // outcomes are what makes the problem exponential; the run's search budget turns a
        // blow-up into "undecided", never into a violation.)
        var items: [(KVRequest, KVOutcome, UInt64, UInt64?)] = []
        for value in 0..<12 { items.append((.write("v\(value)"), .unknown, UInt64(value + 1), nil)) }
        items.append((.read, .found("v7", modifyIndex: 100), 50, 51))
        items.append((.read, .found("v3", modifyIndex: 101), 52, 53))
        XCTAssertEqual(LinearizabilityChecker.check(history(items)), .linearizable)
    }
}

extension LinearizabilityTests {
    func testAnUnseenUnknownWriteMayExplainARefusedCAS() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.write("z"), .unknown, 5, nil),
            (.cas(expectedIndex: 5, value: "b"), .refused, 6, 7),
        ])
        XCTAssertEqual(LinearizabilityChecker.check(entries), .linearizable)
    }

    func testAnUnseenWriteInvokedAfterTheCASCannotExplainIt() {
        let entries = history([
            (.write("a"), .applied, 1, 2),
            (.read, .found("a", modifyIndex: 5), 3, 4),
            (.cas(expectedIndex: 5, value: "b"), .refused, 6, 7),
            (.write("z"), .unknown, 8, nil),
        ])
        guard case .violation = LinearizabilityChecker.check(entries) else { return XCTFail("a write from the future explained a refusal") }
    }

    func testHundredsOfUnseenUnknownWritesStayCheap() {
        var items: [(KVRequest, KVOutcome, UInt64, UInt64?)] = []
        for value in 0..<300 { items.append((.write("v\(value)"), .unknown, UInt64(value + 1), nil)) }
        items.append((.write("w"), .applied, 400, 401))
        items.append((.read, .found("w", modifyIndex: 9), 402, 403))
        XCTAssertEqual(LinearizabilityChecker.check(history(items)), .linearizable)
    }
}
