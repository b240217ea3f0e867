/// The Wing-Gong-Lowe search over one register's operations: walk the history's call and return
/// events in time order; at a call, try to linearize that operation now (it must be legal in
/// the current state); at a return whose operation is not yet linearized, backtrack. A cache of
/// (linearized set, state) pairs already explored keeps it from redoing the same work (Lowe,
/// "Testing for linearizability", 2017; Porcupine's `checkSingle`).
struct WGLSearch {
    private struct Event {
        var operation: Int
        var isCall: Bool
        var time: UInt64
        /// The matching return event of a call.
        var match: Int
    }

    private struct Visited: Hashable {
        var linearized: [UInt64]
        var state: String?
    }

    private let operations: [RegisterOperation]
    private var events: [Event] = []
    /// Doubly linked list over `events`; index `events.count` is the head sentinel.
    private var next: [Int] = []
    private var previous: [Int] = []
    private var stepBudget: Int
    /// How many operations the deepest linearization attempt placed (for the report).
    private(set) var bestPrefix = 0

    init(operations: [RegisterOperation], stepBudget: Int) {
        self.operations = operations
        self.stepBudget = stepBudget
        var unordered: [Event] = []
        for (index, operation) in operations.enumerated() {
            precondition(operation.invoke < operation.complete, "an operation completes after it is invoked")
            unordered.append(Event(operation: index, isCall: true, time: operation.invoke, match: -1))
            unordered.append(Event(operation: index, isCall: false, time: operation.complete, match: -1))
        }
        // Calls before returns at the same time: equal times only happen at "never completed".
        events = unordered.sorted { ($0.time, $0.isCall ? 0 : 1, $0.operation) < ($1.time, $1.isCall ? 0 : 1, $1.operation) }
        var returnOf: [Int: Int] = [:]
        for (position, event) in events.enumerated() where !event.isCall { returnOf[event.operation] = position }
        for position in events.indices where events[position].isCall { events[position].match = returnOf[events[position].operation]! }
        let head = events.count
        next = Array(repeating: -1, count: events.count + 1)
        previous = Array(repeating: -1, count: events.count + 1)
        var last = head
        for position in events.indices {
            next[last] = position
            previous[position] = last
            last = position
        }
    }

    /// true: linearizable; false: not; nil: the step budget ran out.
    mutating func run() -> Bool? {
        let head = events.count
        var linearized = [UInt64](repeating: 0, count: (operations.count + 63) / 64)
        var state: String? = nil
        var visited: Set<Visited> = []
        var stack: [(call: Int, state: String?)] = []
        var entry = next[head]
        while next[head] != -1 {
            stepBudget -= 1
            if stepBudget < 0 { return nil }
            let event = events[entry]
            if event.isCall {
                if let after = operations[event.operation].step(state) {
                    var candidate = linearized
                    candidate[event.operation / 64] |= 1 << UInt64(event.operation % 64)
                    if visited.insert(Visited(linearized: candidate, state: after)).inserted {
                        stack.append((entry, state))
                        bestPrefix = max(bestPrefix, stack.count)
                        state = after
                        linearized = candidate
                        lift(entry)
                        entry = next[head]
                        continue
                    }
                }
                entry = next[entry]
            } else {
                // The operation returned before any linearization of it worked: undo the last choice.
                guard let (call, before) = stack.popLast() else { return false }
                state = before
                let operation = events[call].operation
                linearized[operation / 64] &= ~(1 << UInt64(operation % 64))
                unlift(call)
                entry = next[call]
            }
        }
        return true
    }

    /// Takes a call and its return out of the list.
    private mutating func lift(_ call: Int) {
        for position in [call, events[call].match] {
            next[previous[position]] = next[position]
            if next[position] != -1 { previous[next[position]] = previous[position] }
        }
    }

    /// Puts them back (in the reverse order of `lift`).
    private mutating func unlift(_ call: Int) {
        for position in [events[call].match, call] {
            next[previous[position]] = position
            if next[position] != -1 { previous[next[position]] = position }
        }
    }
}
