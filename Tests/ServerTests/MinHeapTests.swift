// The probe schedule's heap gives elements back in order, whatever order they went in.
import Raft
@testable import Server
import XCTest

final class MinHeapTests: XCTestCase {
    func testPopsInOrderAgainstASort() {
        var random = SplitMix64(seed: 42)
        for round in 0..<50 {
            var heap = MinHeap<Int>()
            var reference: [Int] = []
            for _ in 0..<(round * 7) {
                if reference.isEmpty || random.next() % 3 != 0 {
                    let value = Int(random.next() % 100)
                    heap.push(value)
                    reference.append(value)
                } else {
                    reference.sort()
                    XCTAssertEqual(heap.pop(), reference.removeFirst())
                }
            }
            reference.sort()
            XCTAssertEqual(heap.count, reference.count)
            var drained: [Int] = []
            while let value = heap.pop() { drained.append(value) }
            XCTAssertEqual(drained, reference)
        }
    }
}
