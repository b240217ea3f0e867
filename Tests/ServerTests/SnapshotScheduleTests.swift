// Proves the node staggers its snapshots: once the threshold is reached, each gap between two
// asks is drawn anew between the configured interval and twice it, and servers seeded apart ask
// at different moments instead of all copying their state at once.
import Server
import XCTest

final class SnapshotScheduleTests: XCTestCase {
    /// Writes one KV entry per 50 ms for `seconds` and returns when the node asked for snapshots.
    private func snapshotAsks(seed: UInt64, seconds: Int) throws -> [UInt64] {
        var harness = try NodeHarness(seed: seed) { config in
            config.snapshotThreshold = 16
            config.snapshotIntervalMilliseconds = 1_000
        }
        for n in 0..<(seconds * 20) {
            let (_, response) = try harness.send("PUT", "/v1/kv/k\(n)", body: "v")
            XCTAssertEqual(response?.status, .ok)
            _ = harness.advance(milliseconds: 50)
        }
        return harness.snapshotsAsked
    }

    func testGapsAreDrawnBetweenTheIntervalAndTwiceIt() throws {
        let asks = try snapshotAsks(seed: 7, seconds: 40)
        // The first as soon as 16 entries are applied (the node's own entries and 16 or fewer
        // writes); the harness reports each copy as failed, so the threshold stays met and
        // every gap is the drawn one.
        XCTAssertLessThanOrEqual(try XCTUnwrap(asks.first), 800)
        let gaps = zip(asks, asks.dropFirst()).map { $1 - $0 }
        XCTAssertGreaterThanOrEqual(gaps.count, 15)
        for gap in gaps {
            // Asks happen on writes and ticks, 50 ms apart here.
            XCTAssertTrue((1_000..<2_050).contains(gap), "gap \(gap) ms")
        }
        XCTAssertGreaterThan(Set(gaps).count, gaps.count / 2, "drawn anew each time: \(gaps)")
    }

    func testServersSeededApartDoNotAskTogether() throws {
        let one = try snapshotAsks(seed: 7, seconds: 20)
        let other = try snapshotAsks(seed: 8, seconds: 20)
        XCTAssertEqual(one.first, other.first, "both ask once the threshold is first reached")
        XCTAssertNotEqual(Array(one.dropFirst()), Array(other.dropFirst()))
    }
}
