// The probe tests' harness: a loop, a loopback HTTP server, a runner, and every report by probe,
// with checks that each probe is reported once, never from inside `start`, and that the loop
// closes clean.
import HTTP
import Loop
import Registry
import Server
import XCTest

@testable import Agent

/// What a test sees: the loop, a server, the runner, and every report by probe.
final class ProbeHarness {
    let loop: EventLoop
    let server: ProbeTestServer
    var runner: ProbeRunner!
    var reports: [ProbeID: [ProbeResult]] = [:]
    private var nextID: UInt64 = 1

    init(limits: ProbeLimits, allowLinkLocalTargets: Bool) throws {
        loop = try EventLoop()
        server = try ProbeTestServer(loop: loop)
        runner = ProbeRunner(loop: loop, limits: limits, allowLinkLocalTargets: allowLinkLocalTargets) { [unowned self] id, result in
            self.reports[id, default: []].append(result)
        }
    }

    /// Starts a probe under a fresh id; checks that nothing is reported from inside `start`.
    @discardableResult
    func start(_ spec: ProbeSpec, file: StaticString = #filePath, line: UInt = #line) -> ProbeID {
        let id = ProbeID(nextID)
        nextID += 1
        runner.start(id, spec)
        XCTAssertNil(reports[id], "reported from inside start", file: file, line: line)
        return id
    }

    func result(_ id: ProbeID) -> ProbeResult? { reports[id]?.first }

    /// Runs one probe to its report.
    func probe(_ spec: ProbeSpec, file: StaticString = #filePath, line: UInt = #line) -> ProbeResult? {
        let id = start(spec, file: file, line: line)
        run(until: { self.result(id) != nil }, file: file, line: line)
        return result(id)
    }

    /// Runs the loop until `done()` or a safety timeout, which fails the test.
    func run(timeoutMilliseconds: UInt64 = 5000, until done: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(loop.run(timeoutMilliseconds: timeoutMilliseconds, until: done), "probe test timed out", file: file, line: line)
    }

    /// Runs the loop for `milliseconds` more (to catch a second report).
    func linger(_ milliseconds: UInt64) { loop.linger(milliseconds) }

    /// Shuts the runner down and checks the loop closes with nothing left open.
    func close(file: StaticString = #filePath, line: UInt = #line) throws {
        runner.shutDown()
        XCTAssertEqual(runner.inFlightCount, 0, file: file, line: line)
        loop.closeAllHandles()
        XCTAssertEqual(loop.liveHandleCount, 0, file: file, line: line)
        XCTAssertNoThrow(try loop.close(), "uv_loop_close", file: file, line: line)
    }
}

extension XCTestCase {
    func withHarness(limits: ProbeLimits = ProbeLimits(), allowLinkLocalTargets: Bool = false,
                     _ body: (ProbeHarness) throws -> Void) throws {
        let harness = try ProbeHarness(limits: limits, allowLinkLocalTargets: allowLinkLocalTargets)
        try body(harness)
        for (id, reports) in harness.reports {
            XCTAssertEqual(reports.count, 1, "probe \(id.value) reported \(reports.count) times")
        }
        try harness.close()
    }

    func http(_ url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: String = "",
              tlsServerName: String = "", tlsSkipVerify: Bool = false, timeout: UInt64 = 3000, maxOutput: Int = 4096) -> ProbeSpec {
        .http(HTTPProbe(url: url, method: method, headers: headers, body: Array(body.utf8), tlsServerName: tlsServerName,
                        tlsSkipVerify: tlsSkipVerify, timeoutMilliseconds: timeout, maxOutputBytes: maxOutput))
    }

    func tcp(_ address: String, timeout: UInt64 = 3000) -> ProbeSpec {
        .tcp(TCPProbe(address: address, timeoutMilliseconds: timeout))
    }
}
