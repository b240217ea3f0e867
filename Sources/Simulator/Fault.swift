// The fault menu (Jepsen-style nemesis, /work/shared/reference/raft-features.md "Faults worth
// injecting"): two independent timelines, one for the network and one for processes, each
// starting a fault every few simulated seconds and ending it a few seconds later.

/// Which timeline a fault belongs to; each runs one fault at a time.
enum FaultTimeline: CaseIterable {
    case network
    case process
}

/// One fault, with what is needed to end it.
enum Fault: CustomStringConvertible {
    /// The leader (or, without one, a random node) cut off from everyone, both ways.
    case isolate(node: Int)
    /// A random minority cut off from the majority.
    case partition(side: [Int])
    /// One direction of one link cut (the other still works).
    case oneWay(from: Int, to: Int)
    /// Everything `node` sends is lost, but it hears everyone: a leader that cannot be heard.
    case mute(node: Int)
    /// Every link lossy and duplicating, with more delay.
    case flaky(lossPercent: Double, duplicatePercent: Double)
    /// Long delays on everything `node` sends.
    case slowLinks(node: Int)
    /// The process dies (unsynced writes lost) and comes back after `downMilliseconds`. With
    /// `machine`, the machine stops too (a power cut): state.db, never synced while the agent
    /// runs, may be torn, so it is rebuilt from the snapshot and the log on the way back.
    case crash(nodes: [Int], downMilliseconds: SimMilliseconds, machine: Bool = false)
    /// Kill at a persistence step: the next time one of `triggers` (nil: any node) issues a
    /// disk write, `nodes` die before it syncs, and come back after `downMilliseconds`. With all
    /// nodes, a power cut in the middle of a commit.
    case crashDuringWrite(nodes: [Int], triggers: [Int]?, downMilliseconds: SimMilliseconds, machine: Bool = false)
    /// SIGSTOP: no ticks, nothing delivered until it resumes.
    case pause(node: Int)
    /// The node's clock runs at `rate`.
    case clockRate(node: Int, rate: Double)
    /// fsyncs take `milliseconds` on `node`'s disk.
    case slowDisk(node: Int, milliseconds: SimMilliseconds)

    static func names(_ nodes: [Int]) -> String {
        nodes.map { (node: Int) -> String in "n" + String(node + 1) }.joined(separator: ",")
    }

    var timeline: FaultTimeline {
        switch self {
        case .isolate, .partition, .oneWay, .mute, .flaky, .slowLinks: return .network
        case .crash, .crashDuringWrite, .pause, .clockRate, .slowDisk: return .process
        }
    }

    var description: String {
        switch self {
        case .isolate(let node): return "isolate n\(node + 1)"
        case .partition(let side): return "partition \(side.map { "n\($0 + 1)" }.joined(separator: ",")) | rest"
        case .oneWay(let from, let to): return "one-way cut n\(from + 1) -x-> n\(to + 1)"
        case .mute(let node): return "mute n\(node + 1)"
        case .flaky(let loss, let duplicate): return "flaky network loss \(loss)% dup \(duplicate)%"
        case .slowLinks(let node): return "slow links from n\(node + 1)"
        case .crash(let nodes, let down, let machine):
            return (machine ? "power cut " : "crash ") + "\(nodes.map { "n\($0 + 1)" }.joined(separator: ",")) for \(down) ms"
        case .crashDuringWrite(let nodes, let triggers, let down, let machine):
            let by: String = triggers == nil ? "" : " by " + Self.names(triggers!)
            return (machine ? "power cut " : "crash ") + Self.names(nodes) + " at the next write" + by + " for \(down) ms"
        case .pause(let node): return "pause n\(node + 1)"
        case .clockRate(let node, let rate): return "clock of n\(node + 1) at \(rate)x"
        case .slowDisk(let node, let milliseconds): return "slow disk on n\(node + 1): \(milliseconds) ms"
        }
    }
}

/// Draws faults from the menu.
struct FaultPicker {
    var random: SimRandom
    let nodeCount: Int

    /// How long a fault lasts, and the quiet gap before the next on the same timeline.
    mutating func holdMilliseconds() -> SimMilliseconds { random.uint(in: 1_000...8_000) }
    mutating func gapMilliseconds() -> SimMilliseconds { random.uint(in: 500...4_000) }

    mutating func network(leader: Int?) -> Fault {
        let nodes = Array(0..<nodeCount)
        switch random.below(6) {
        case 0: return .isolate(node: leader ?? random.pick(nodes))
        case 1:
            let size = Int(random.below(UInt64((nodeCount - 1) / 2))) + 1
            return .partition(side: Array(random.shuffled(nodes).prefix(size)).sorted())
        case 2:
            let from = leader ?? random.pick(nodes)
            let to = random.pick(nodes.filter { $0 != from })
            // Out of the leader or into it: both starve different things.
            return random.chance(50) ? .oneWay(from: from, to: to) : .oneWay(from: to, to: from)
        case 3: return .mute(node: leader ?? random.pick(nodes))
        case 4: return .flaky(lossPercent: Double(random.int(in: 5...30)), duplicatePercent: Double(random.int(in: 0...10)))
        default: return .slowLinks(node: leader ?? random.pick(nodes))
        }
    }

    mutating func process(leader: Int?) -> Fault {
        let nodes = Array(0..<nodeCount)
        let victim = random.chance(50) ? (leader ?? random.pick(nodes)) : random.pick(nodes)
        switch random.below(12) {
        case 0, 1: return .crash(nodes: [victim], downMilliseconds: random.uint(in: 0...4_000))
        case 2:
            // Several at once, up to the whole cluster (a power cut): only durable state survives.
            let count = random.int(in: 2...nodeCount)
            return .crash(nodes: Array(random.shuffled(nodes).prefix(count)).sorted(), downMilliseconds: random.uint(in: 0...2_000), machine: true)
        case 3, 4: return .crashDuringWrite(nodes: [victim], triggers: [victim], downMilliseconds: random.uint(in: 0...3_000))
        case 5: return .crashDuringWrite(nodes: nodes, triggers: nil, downMilliseconds: random.uint(in: 0...1_000), machine: true)
        case 6, 7: return .pause(node: victim)
        case 8, 9: return .clockRate(node: victim, rate: random.pick([0.5, 0.7, 1.5, 2.0]))
        default: return .slowDisk(node: victim, milliseconds: random.uint(in: 50...400))
        }
    }
}
