/// What one simulated run does besides its seed. Everything here is part of the replay command:
/// the same seed with the same options gives the same run, byte for byte.
public struct SimOptions: Sendable, Equatable {
    /// Servers in the cluster (3 or 5).
    public var nodes = 3
    /// Simulated time of the faulty phase (workload and faults), in milliseconds.
    public var faultMilliseconds: SimMilliseconds = 20_000
    /// Simulated time after everything healed, for the cluster to converge.
    public var settleMilliseconds: SimMilliseconds = 15_000
    /// Stop after this many events (0: no limit); a way to replay the start of a failure.
    public var maxSteps = 0
    public var clients = 4
    public var keys = 3
    /// Inject faults (partitions, loss, crashes, pauses, clock rates).
    public var faults = true
    /// Negative control: the disk tells the node a write is durable at once, and makes it durable
    /// only after the fsync latency (a crash in between loses it): a node that sends before it
    /// fsyncs. The simulator must catch it.
    public var acknowledgeBeforeSync = false
    /// Negative control: nodes answer `?consistent` reads without a ReadIndex round (the node's
    /// `ServerConfig` hook); the simulator must catch it.
    public var skipReadIndex = false
    /// Print every event.
    public var verbose = false

    public init() {}

    /// The flags that reproduce these options with `gravity-sim`.
    public var commandLineFlags: String {
        var flags: [String] = []
        let defaults = SimOptions()
        if nodes != defaults.nodes { flags.append("--nodes \(nodes)") }
        if faultMilliseconds != defaults.faultMilliseconds { flags.append("--fault-ms \(faultMilliseconds)") }
        if settleMilliseconds != defaults.settleMilliseconds { flags.append("--settle-ms \(settleMilliseconds)") }
        if maxSteps != 0 { flags.append("--steps \(maxSteps)") }
        if clients != defaults.clients { flags.append("--clients \(clients)") }
        if keys != defaults.keys { flags.append("--keys \(keys)") }
        if !faults { flags.append("--no-faults") }
        if acknowledgeBeforeSync { flags.append("--broken-fsync") }
        if skipReadIndex { flags.append("--broken-read-index") }
        return flags.joined(separator: " ")
    }
}

/// What a run found.
public struct SimReport: Sendable {
    public var seed: UInt64
    public var options: SimOptions
    /// Safety violations, each with the simulated time it was found at; empty when the run passed.
    public var violations: [String] = []
    /// FNV-1a of every trace line: equal for equal (seed, options) on any machine.
    public var traceHash = ""
    public var steps = 0
    public var simulatedMilliseconds: SimMilliseconds = 0
    public var operations = 0
    public var completedOperations = 0
    public var leaderElections = 0
    public var crashes = 0
    /// Crashes that were power cuts: state.db deleted, rebuilt from the snapshot and the log.
    public var stateRebuilds = 0
    public var finalAppliedIndex: UInt64 = 0
    public var linearizability: LinearizabilityVerdict = .linearizable

    public var passed: Bool { violations.isEmpty }

    /// The one command that replays this run.
    public var replayCommand: String {
        (["gravity-sim --seed \(seed)"] + (options.commandLineFlags.isEmpty ? [] : [options.commandLineFlags])).joined(separator: " ")
    }

    public var summary: String {
        let verdict = passed ? "ok" : "FAILED (\(violations.count) violation\(violations.count == 1 ? "" : "s"))"
        return "seed \(seed): \(verdict) steps \(steps) sim \(simulatedMilliseconds) ms ops \(completedOperations)/\(operations) "
            + "elections \(leaderElections) crashes \(crashes) (\(stateRebuilds) power) applied \(finalAppliedIndex) trace \(traceHash)"
    }
}
