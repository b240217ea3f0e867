// gravity-sim: runs seeded simulations of a Gravity cluster (DESIGN.md §14). `--seed N` replays
// one run exactly (same trace hash on every machine); `--seeds A..B` runs a range and lists the
// seeds that failed, each with the command that replays it.
import ArgumentParser
import Foundation
import Simulator

@main
struct GravitySim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gravity-sim",
        abstract: "Deterministic simulation of a Gravity cluster: faults, invariants, linearizability.")

    @Option(help: "Run one seed (replays it exactly).")
    var seed: UInt64?

    @Option(help: "Run a range of seeds, e.g. 1..1000.")
    var seeds: String?

    @Option(help: "Servers in the cluster.")
    var nodes = 3

    @Option(name: .customLong("fault-ms"), help: "Simulated milliseconds of faults and workload.")
    var faultMilliseconds: UInt64 = SimOptions().faultMilliseconds

    @Option(name: .customLong("settle-ms"), help: "Simulated milliseconds to converge after healing.")
    var settleMilliseconds: UInt64 = SimOptions().settleMilliseconds

    @Option(help: "Stop after this many events (0: no limit).")
    var steps = 0

    @Option(help: "Concurrent clients.")
    var clients = SimOptions().clients

    @Option(help: "KV keys the clients use.")
    var keys = SimOptions().keys

    @Flag(name: .customLong("no-faults"), help: "A healthy network and no crashes.")
    var noFaults = false

    @Flag(name: .customLong("mixed-sizes"), help: "Alternate 3 and 5 servers by seed (odd seeds: 5).")
    var mixedSizes = false

    @Flag(name: .customLong("broken-fsync"), help: "Negative control: acknowledge writes before they are durable.")
    var brokenFsync = false

    @Flag(name: .customLong("broken-read-index"), help: "Negative control: serve consistent reads without ReadIndex.")
    var brokenReadIndex = false

    @Flag(help: "Print every event of the run.")
    var verbose = false

    func validate() throws {
        guard (seed == nil) != (seeds == nil) else { throw ValidationError("give exactly one of --seed and --seeds") }
        guard [1, 3, 5, 7].contains(nodes) else { throw ValidationError("--nodes must be 1, 3, 5 or 7") }
        if seeds != nil, try seedRange() == nil { throw ValidationError("--seeds takes A..B") }
    }

    func seedRange() throws -> ClosedRange<UInt64>? {
        guard let seeds else { return nil }
        let parts = seeds.components(separatedBy: "..")
        guard parts.count == 2, let low = UInt64(parts[0]), let high = UInt64(parts[1]), low <= high else { return nil }
        return low...high
    }

    func options(for seed: UInt64) -> SimOptions {
        var options = SimOptions()
        options.nodes = mixedSizes ? (seed % 2 == 1 ? 5 : 3) : nodes
        options.faultMilliseconds = faultMilliseconds
        options.settleMilliseconds = settleMilliseconds
        options.maxSteps = steps
        options.clients = clients
        options.keys = keys
        options.faults = !noFaults
        options.acknowledgeBeforeSync = brokenFsync
        options.skipReadIndex = brokenReadIndex
        options.verbose = verbose
        return options
    }

    func run() throws {
        if let seed {
            let report = Simulation.run(seed: seed, options: options(for: seed))
            say(report.summary)
            for line in report.violations { say(line) }
            if !report.passed {
                say("replay: \(report.replayCommand)")
                throw ExitCode(1)
            }
            return
        }
        let range = try seedRange()!
        let started = Date()
        var failed: [SimReport] = []
        var undecided = 0
        for seed in range {
            let report = Simulation.run(seed: seed, options: options(for: seed))
            if case .undecided = report.linearizability { undecided += 1 }
            if !report.passed {
                failed.append(report)
                say("FAIL \(report.summary)")
                say("  \(report.violations[0].split(separator: "\n").first ?? "")")
                say("  replay: \(report.replayCommand)")
            } else if verbose {
                say(report.summary)
            }
            if (seed - range.lowerBound + 1) % 100 == 0 {
                let elapsed = Date().timeIntervalSince(started)
                say("... \(seed - range.lowerBound + 1) seeds, \(failed.count) failed, \(String(format: "%.1f", elapsed)) s")
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        say("seeds \(range.lowerBound)...\(range.upperBound): \(range.count) runs, \(failed.count) failed, "
            + "\(undecided) with an undecided linearizability search, \(String(format: "%.1f", elapsed)) s")
        if !failed.isEmpty {
            say("failing seeds: \(failed.map { String($0.seed) }.joined(separator: " "))")
            throw ExitCode(1)
        }
    }

    /// Writes a line at once (unbuffered), so a run that traps cannot take earlier lines with it.
    func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
