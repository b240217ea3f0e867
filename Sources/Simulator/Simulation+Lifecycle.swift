import Foundation
import Raft
import Registry
import Server
import Store

// Starting, crashing, pausing and resuming nodes, and their disks.
extension Simulation {
    /// Starts (or restarts) a node from what its disk made durable and its state folder holds.
    mutating func boot(_ index: Int) {
        precondition(!nodes[index].isUp, "boot of a running node")
        let path = nodes[index].folder + "/state.db"
        let store: StateStore
        do {
            // Shared, as the agent opens it: the snapshot connection reads it while the store writes.
            store = try StateStore(path: path, checkpointsElsewhere: true)
        } catch {
            violation("n\(index + 1) could not open its state store: \(error)")
            return
        }
        let durable = nodes[index].disk.durable
        if store.appliedIndex > max(durable.lastIndex, durable.hardState.commit) {
            // The state machine applied entries the log no longer has: they were acknowledged
            // before they were durable.
            violation("n\(index + 1) restarts with state applied through \(store.appliedIndex) but a durable log through \(durable.lastIndex)")
        }
        do {
            // A state.db rebuilt after a power cut starts empty: the snapshot first, as the agent does.
            try store.restoreIfBehind(snapshot: durable.boot.snapshotIndex, checksum: durable.boot.snapshotChecksum,
                                      path: config(index).snapshotPath)
        } catch {
            violation("n\(index + 1) cannot restore the snapshot its log records: \(error)")
            return
        }
        nodes[index].store = store
        do {
            nodes[index].snapshotter = try StateSnapshotter(path: path)
        } catch {
            violation("n\(index + 1) could not open its snapshot connection: \(error)")
            return
        }
        nodes[index].node = ServerNode(config: config(index), store: store, boot: durable.boot, seed: nodeRandom.next())
        nodes[index].lastTickAt = now
        nodes[index].persistsInFlight = 0
        traceLine("n\(index + 1) boots: term \(durable.hardState.term) vote \(durable.hardState.vote.map(String.init) ?? "-") "
            + "log \(durable.snapshotIndex)+\(durable.entries.count) applied \(store.appliedIndex)")
        schedule(.tick(node: index, incarnation: nodes[index].incarnation), after: nodeRandom.uint(in: 0...50))
        refreshLinks()
    }

    func config(_ index: Int) -> ServerConfig {
        let name = "n\(index + 1)"
        // The IDs are fixed per slot so a restarted node keeps its identity; the UUID's last
        // digits are the slot.
        let nodeID = "0b9c1b6e-2d6f-4a1e-9c3e-" + String(format: "%012d", index + 1)
        // try! : the name, ID and datacenter above are valid by construction.
        var config = ServerConfig(
            identity: try! AgentIdentity(nodeName: name, nodeID: nodeID, datacenter: "dc1"),
            version: "0.1.0", consulCompatibleVersion: "1.20.0", serverAddress: nodes[index].address,
            ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761))
        config.raftID = nodes[index].id
        config.bootstrapExpect = options.nodes
        config.retryJoin = nodes.filter { $0.index != index }.map(\.address)
        config.snapshotPath = nodes[index].folder + "/snapshot.db"
        config.snapshotThreshold = snapshotThreshold
        config.snapshotIntervalMilliseconds = 0  // every threshold: snapshots and installs get exercised
        config.unsafeSkipReadIndex = options.skipReadIndex
        return config
    }

    /// The process dies: its memory and unsynced writes are gone; `state.db` keeps what it
    /// committed (SQLite survives a process crash). With `machine` (a power cut), state.db's
    /// unsynced writes may be torn, so the agent deletes it at the next start
    /// (`StateDurability.unsyncedUntilCleanStop`): here it is deleted at once, the worst case.
    mutating func crash(_ index: Int, machine: Bool = false) {
        guard nodes[index].isUp else { return }
        let lost = nodes[index].disk.pending.count
        traceLine("n\(index + 1) \(machine ? "POWER CUT" : "CRASH") (\(lost) unsynced write\(lost == 1 ? "" : "s") lost)")
        nodes[index].node = nil
        nodes[index].snapshotter?.close()
        nodes[index].snapshotter = nil
        nodes[index].store?.close()
        nodes[index].store = nil
        nodes[index].disk.crash()
        if machine {
            let path = nodes[index].folder + "/state.db"
            for suffix in ["-wal", "-shm", ""] { try? FileManager.default.removeItem(atPath: path + suffix) }
            report.stateRebuilds += 1
        }
        if !machine {
            // A dead process's port refuses connections: the others' transports notice when
            // they redial (a dead machine answers nothing, and says nothing).
            for other in nodes.indices where other != index && nodes[other].isUp {
                schedule(.unreachable(node: other, incarnation: nodes[other].incarnation, peer: index), after: nodeRandom.uint(in: 1...100))
            }
        }
        nodes[index].incarnation += 1
        nodes[index].paused = false
        nodes[index].held = []
        nodes[index].persistsInFlight = 0
        invariants.restarted(nodes[index].id)
        report.crashes += 1
        for client in workload.clients.indices where workload.clients[client].outstanding?.node == index {
            abandon(client)
        }
        refreshLinks()
    }

    mutating func pause(_ index: Int) {
        guard nodes[index].isUp, !nodes[index].paused else { return }
        traceLine("n\(index + 1) PAUSE")
        nodes[index].paused = true
    }

    /// Resumes a paused node: what arrived meanwhile is delivered now, in arrival order.
    mutating func resume(_ index: Int) {
        guard nodes[index].paused else { return }
        traceLine("n\(index + 1) RESUME (\(nodes[index].held.count) held)")
        nodes[index].paused = false
        let held = nodes[index].held
        nodes[index].held = []
        for event in held {
            guard nodes[index].isUp, !nodes[index].paused else { break }
            handle(event)
        }
    }

    // MARK: Disk

    mutating func persist(_ batch: PersistBatch, on index: Int) {
        // The leader's snapshot a batch installs is written when the batch is issued, as the
        // agent's writer does before raft.db's transaction; the file outlives a crash.
        var batch = batch
        do {
            try batch.writeInstalledSnapshot(to: config(index).snapshotPath)
        } catch {
            violation("n\(index + 1) could not write the leader's snapshot: \(error)")
        }
        nodes[index].persistsInFlight += 1
        if nodes[index].persistsInFlight > 1, !options.acknowledgeBeforeSync {
            violation("n\(index + 1) issued a second persist before the first was durable")
        }
        let latency = diskRandom.uint(in: fsyncMilliseconds[index])
        nodes[index].disk.issue(batch, syncsAt: now + latency)
        let syncsAt = nodes[index].disk.pending.last!.syncsAt
        queue.schedule(.synced(node: index, incarnation: nodes[index].incarnation), at: syncsAt)
        if options.acknowledgeBeforeSync {
            // The broken build: "durable" before the fsync.
            schedule(.persisted(node: index, incarnation: nodes[index].incarnation), after: 0)
        }
        springCrashTrap(writtenBy: index)
    }

    mutating func synced(_ index: Int, _ incarnation: UInt64) {
        guard nodes[index].incarnation == incarnation, !nodes[index].disk.pending.isEmpty else { return }
        if let problem = nodes[index].disk.syncOldest(apply: { durable, batch in durable.write(batch) }) {
            violation("n\(index + 1) " + problem)
        }
        if !options.acknowledgeBeforeSync {
            // The disk finished even if the process is stopped; it hears of it when it resumes.
            handle(.persisted(node: index, incarnation: incarnation))
        }
    }

    mutating func persisted(_ index: Int) {
        nodes[index].persistsInFlight = max(0, nodes[index].persistsInFlight - 1)
        step(index, .persisted)
    }
}

// Snapshots: the shell's copy of state.db, taken "off the loop" (a little later).
extension Simulation {
    mutating func takeSnapshot(_ index: Int) {
        guard let snapshotter = nodes[index].snapshotter else { return }
        let taken: SnapshotTaken?
        do {
            let (info, data) = try snapshotter.take(to: nodes[index].folder + "/snapshot.db")
            taken = SnapshotTaken(index: info.index, checksum: info.checksum, data: data)
        } catch {
            traceLine("n\(index + 1) snapshot failed: \(error)")
            taken = nil
        }
        traceLine("n\(index + 1) snapshot through \(taken?.index ?? 0)")
        schedule(.snapshotTaken(node: index, incarnation: nodes[index].incarnation, taken), after: diskRandom.uint(in: 1...20))
    }

    /// The shell's copy of the leader's snapshot over state.db: done at once, reported a little
    /// later (a crash in between finds the copy made, as a process that dies after the commit).
    mutating func restoreState(_ snapshotIndex: UInt64, on index: Int) {
        do {
            try StateStore.copySnapshot(at: config(index).snapshotPath, intoStateAt: nodes[index].folder + "/state.db", index: snapshotIndex)
        } catch {
            // Reported as a violation; the node is not told (it would stop the process).
            violation("n\(index + 1) could not copy the leader's snapshot at \(snapshotIndex) into its state: \(error)")
            return
        }
        traceLine("n\(index + 1) state restored to the snapshot at \(snapshotIndex)")
        schedule(.stateRestored(node: index, incarnation: nodes[index].incarnation, index: snapshotIndex), after: diskRandom.uint(in: 1...20))
    }
}
