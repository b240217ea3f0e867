// Starting and ending faults (`Fault`), and healing everything before the cluster settles.
extension Simulation {
    /// The node that leads in the highest term, if any runs.
    var currentLeader: Int? {
        nodes.indices.filter { nodes[$0].node?.raft.role == .leader }.max { nodes[$0].node!.raft.term < nodes[$1].node!.raft.term }
    }

    mutating func startFault(_ timeline: FaultTimeline) {
        guard phase == .faulty else { return }
        let fault = timeline == .network ? picker.network(leader: currentLeader) : picker.process(leader: currentLeader)
        traceLine("FAULT \(fault)")
        switch fault {
        case .isolate(let node): network.partition([node])
        case .partition(let side): network.partition(side)
        case .oneWay(let from, let to): network.cut(from: from, to: to)
        case .mute(let node): for other in nodes.indices where other != node { network.cut(from: node, to: other) }
        case .flaky(let loss, let duplicate): network.degrade(lossPercent: loss, duplicatePercent: duplicate, delay: 1...60)
        case .slowLinks(let node): network.degrade(lossPercent: 0, duplicatePercent: 0, delay: 80...400, from: node)
        case .crash(let victims, let down, let machine):
            for node in victims { crash(node, machine: machine) }
            for node in victims { schedule(.restart(node: node), after: down) }
        case .crashDuringWrite(let victims, let triggers, let down, let machine): crashTrap = (victims, triggers, down, machine)
        case .pause(let node): pause(node)
        case .clockRate(let node, let rate): nodes[node].rate = rate
        case .slowDisk(let node, let milliseconds): fsyncMilliseconds[node] = milliseconds...(2 * milliseconds)
        }
        refreshLinks()
        schedule(.faultEnd(fault), after: picker.holdMilliseconds())
    }

    mutating func endFault(_ fault: Fault) {
        traceLine("END \(fault)")
        switch fault {
        case .isolate, .partition, .oneWay, .mute, .flaky, .slowLinks: network.heal()
        case .crash: break  // each victim restarts on its own schedule
        case .crashDuringWrite: crashTrap = nil
        case .pause(let node): resume(node)
        case .clockRate(let node, _): nodes[node].rate = baseRates[node]
        case .slowDisk(let node, _): fsyncMilliseconds[node] = 1...10
        }
        refreshLinks()
        if phase == .faulty { schedule(.faultStart(timeline: fault.timeline), after: picker.gapMilliseconds()) }
    }

    /// The end of the faulty phase: every link healthy, every node running at its own rate.
    mutating func healEverything() {
        phase = .settling
        crashTrap = nil
        traceLine("HEAL everything; clients stop")
        network.heal()
        for node in nodes.indices {
            nodes[node].rate = baseRates[node]
            fsyncMilliseconds[node] = 1...10
            resume(node)
            if !nodes[node].isUp { boot(node) }
        }
        refreshLinks()
    }
}

extension Simulation {
    /// A write was issued on `index`: if a trap waits for one, its victims die now, before the
    /// write syncs (messages already sent stay in flight).
    mutating func springCrashTrap(writtenBy index: Int) {
        guard let trap = crashTrap else { return }
        if let triggers = trap.triggers, !triggers.contains(index) { return }
        crashTrap = nil
        let victims: String = Fault.names(trap.nodes)
        traceLine("TRAP n" + String(index + 1) + " writes: crash " + victims)
        schedule(.crash(nodes: trap.nodes, downMilliseconds: trap.downMilliseconds, machine: trap.machine), after: 0)
    }
}
