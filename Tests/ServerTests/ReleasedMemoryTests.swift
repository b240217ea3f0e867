// Proves that a compaction's released memory can be freed a slice at a time: each call frees at
// most the slice it is given, the snapshot bytes go with the last call, and nothing is left.
import Raft
@testable import Server
import XCTest

final class ReleasedMemoryTests: XCTestCase {
    private func box(entries: Int) -> ReleasedMemory {
        let held = (1...entries).map { RaftEntry(index: UInt64($0), term: 1, data: [UInt8](repeating: 1, count: 16)) }
        return ReleasedMemory(CompactedMemory(entries: held, snapshotData: [1, 2, 3]))
    }

    func testSlicesFreeAtMostTheirCountUntilNothingIsLeft() {
        let memory = box(entries: 2_500)
        var calls = 0
        var remaining: [Int] = []
        while memory.free(upTo: 1_000) {
            calls += 1
            remaining.append(memory.heldEntries ?? -1)
        }
        XCTAssertEqual(remaining, [1_500, 500, 0], "1,000 entries a call, the rest last")
        XCTAssertEqual(calls, 3)
        XCTAssertNil(memory.heldEntries, "the call that finds no entries frees the snapshot bytes and the box")
        XCTAssertFalse(memory.free(upTo: 1_000), "nothing is left")
    }

    func testFreeAtOnceAndEmptyBoxes() {
        let memory = box(entries: 10)
        memory.free()
        XCTAssertNil(memory.heldEntries)
        XCTAssertFalse(memory.free(upTo: 1))
        let empty = ReleasedMemory(CompactedMemory())
        XCTAssertFalse(empty.free(upTo: 5), "no entries: the first call frees the rest")
        XCTAssertNil(empty.heldEntries)
    }
}
