/// The simulated network between servers: per directed link, whether it is cut, its loss and
/// duplication rates and its delay range. A message's delivery time is drawn when it is sent,
/// so messages on one link overtake each other whenever their delays differ (reordering).
///
/// It decides only *whether and when*; the simulation owns the messages and the event queue.
public struct SimNetwork: Sendable {
    /// One direction of one link.
    public struct Link: Sendable, Equatable {
        public var cut = false
        public var lossPercent: Double = 0
        public var duplicatePercent: Double = 0
        public var delayMilliseconds: ClosedRange<SimMilliseconds> = 1...8

        public init() {}
    }

    public let nodeCount: Int
    /// `links[from][to]`; the diagonal is unused.
    public private(set) var links: [[Link]]
    /// The healthy link everything returns to when faults end.
    public let baseline: Link

    public init(nodeCount: Int, baseline: Link = Link()) {
        precondition(nodeCount > 0, "a network joins at least one node")
        self.nodeCount = nodeCount
        self.baseline = baseline
        links = Array(repeating: Array(repeating: baseline, count: nodeCount), count: nodeCount)
    }

    /// Whether messages from `from` can reach `to` at all right now.
    public func canSend(from: Int, to: Int) -> Bool { !links[from][to].cut }

    /// Whether both directions are open: what a TCP connection needs to come up.
    public func connected(_ a: Int, _ b: Int) -> Bool { canSend(from: a, to: b) && canSend(from: b, to: a) }

    /// When copies of one message sent now arrive: none (lost or cut), one, or two (duplicated).
    /// `duplicable` is false for messages a retransmitting transport could not duplicate.
    public func deliveryDelays(from: Int, to: Int, duplicable: Bool, random: inout SimRandom) -> [SimMilliseconds] {
        let link = links[from][to]
        guard !link.cut, !random.chance(link.lossPercent) else { return [] }
        var delays = [random.uint(in: link.delayMilliseconds)]
        if duplicable, random.chance(link.duplicatePercent) { delays.append(random.uint(in: link.delayMilliseconds)) }
        return delays
    }

    // MARK: Faults

    /// Cuts `from` → `to` (one way).
    public mutating func cut(from: Int, to: Int) { links[from][to].cut = true }

    /// Cuts both directions between every node of `side` and every node not in it.
    public mutating func partition(_ side: [Int]) {
        for a in 0..<nodeCount {
            for b in 0..<nodeCount where a != b && side.contains(a) != side.contains(b) { links[a][b].cut = true }
        }
    }

    /// Loss, duplication and delay on every link (a flaky network), or on those from `node`.
    public mutating func degrade(lossPercent: Double, duplicatePercent: Double, delay: ClosedRange<SimMilliseconds>, from node: Int? = nil) {
        for a in 0..<nodeCount where node == nil || node == a {
            for b in 0..<nodeCount where a != b {
                links[a][b].lossPercent = lossPercent
                links[a][b].duplicatePercent = duplicatePercent
                links[a][b].delayMilliseconds = delay
            }
        }
    }

    /// Every link back to the baseline.
    public mutating func heal() {
        links = Array(repeating: Array(repeating: baseline, count: nodeCount), count: nodeCount)
    }

    /// Only the cuts healed (loss and delay stay).
    public mutating func healCuts() {
        for a in 0..<nodeCount { for b in 0..<nodeCount { links[a][b].cut = false } }
    }

    /// One line for the trace: the cut links and any non-baseline link, in order.
    public var summary: String {
        var parts: [String] = []
        for a in 0..<nodeCount {
            for b in 0..<nodeCount where a != b {
                let link = links[a][b]
                if link.cut { parts.append("n\(a + 1)-x->n\(b + 1)") }
                else if link != baseline {
                    parts.append("n\(a + 1)->n\(b + 1) loss \(link.lossPercent)% dup \(link.duplicatePercent)% delay \(link.delayMilliseconds)")
                }
            }
        }
        return parts.isEmpty ? "healthy" : parts.joined(separator: ", ")
    }
}
