// Proves blocking-query waiters wake only for what they watch, expire on time, and come out sorted.
import Server
import XCTest

final class WaiterTableTests: XCTestCase {
    func id(_ n: UInt64) -> RequestID { RequestID(connection: n, sequence: 1) }

    func testWakesOnlyTheWatchersOfAChangedKey() {
        var table = WaiterTable<String>(capacity: 10)
        XCTAssertTrue(table.park(id(3), keys: ["service.web"], deadlineMilliseconds: 1000))
        XCTAssertTrue(table.park(id(1), keys: ["service.web", "nodes"], deadlineMilliseconds: 1000))
        XCTAssertTrue(table.park(id(2), keys: ["service.db"], deadlineMilliseconds: 1000))
        XCTAssertEqual(table.wake(["service.web"], covers: ==), [id(1), id(3)])
        XCTAssertEqual(table.count, 1)
        XCTAssertEqual(table.wake(["nodes"], covers: ==), [], "id(1) already left with its first wake")
    }

    func testPrefixCoverage() {
        var table = WaiterTable<String>(capacity: 10)
        _ = table.park(id(1), keys: ["kv:app/"], deadlineMilliseconds: 1000)
        _ = table.park(id(2), keys: ["kv:other/"], deadlineMilliseconds: 1000)
        XCTAssertEqual(table.wake(["kv:app/config/x"]) { watched, changed in changed.hasPrefix(watched) }, [id(1)])
    }

    func testExpiry() {
        var table = WaiterTable<String>(capacity: 10)
        _ = table.park(id(2), keys: ["a"], deadlineMilliseconds: 500)
        _ = table.park(id(1), keys: ["a"], deadlineMilliseconds: 100)
        _ = table.park(id(3), keys: ["b"], deadlineMilliseconds: 900)
        XCTAssertEqual(table.expire(now: 99), [])
        XCTAssertEqual(table.expire(now: 500), [id(1), id(2)])
        XCTAssertEqual(table.count, 1)
    }

    func testCapacityIsABound() {
        var table = WaiterTable<String>(capacity: 2)
        XCTAssertTrue(table.park(id(1), keys: ["a"], deadlineMilliseconds: 1))
        XCTAssertTrue(table.park(id(2), keys: ["a"], deadlineMilliseconds: 1))
        XCTAssertFalse(table.park(id(3), keys: ["a"], deadlineMilliseconds: 1))
        XCTAssertNotNil(table.remove(id(1)))
        XCTAssertTrue(table.park(id(3), keys: ["a"], deadlineMilliseconds: 1))
    }
}
