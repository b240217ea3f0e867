/// Simulated time: milliseconds since the run began, one clock for the whole cluster (the
/// "real" time the linearizability checker orders operations by). Nodes see their own skewed
/// clocks derived from it.
public typealias SimMilliseconds = UInt64

/// Events ordered by time, then by the order they were scheduled: two events at the same instant
/// always run in the same order, so a run is a function of its seed (a heap keyed on time alone
/// would break ties by its own layout).
struct EventQueue<Event> {
    private var heap: [(time: SimMilliseconds, sequence: UInt64, event: Event)] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }
    var isEmpty: Bool { heap.isEmpty }
    var nextTime: SimMilliseconds? { heap.first?.time }

    mutating func schedule(_ event: Event, at time: SimMilliseconds) {
        heap.append((time, nextSequence, event))
        nextSequence += 1
        siftUp(heap.count - 1)
    }

    /// The earliest event, if any is due at or before `limit`.
    mutating func pop(notAfter limit: SimMilliseconds) -> (time: SimMilliseconds, event: Event)? {
        guard let first = heap.first, first.time <= limit else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return (first.time, first.event)
    }

    /// Drops every event for which `drop` holds (a crashed node's timers and disk).
    mutating func removeAll(where drop: (Event) -> Bool) {
        let kept = heap.filter { !drop($0.event) }
        guard kept.count != heap.count else { return }
        heap = []
        for item in kept.sorted(by: { Self.before($0, $1) }) { heap.append(item) }
        // A sorted array is a valid heap.
        assert(heap.indices.dropFirst().allSatisfy { !Self.before(heap[$0], heap[($0 - 1) / 2]) })
    }

    private static func before(_ a: (time: SimMilliseconds, sequence: UInt64, event: Event), _ b: (time: SimMilliseconds, sequence: UInt64, event: Event)) -> Bool {
        (a.time, a.sequence) < (b.time, b.sequence)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
