// Proves the child-process handle and its output pipe: stdout and stderr arrive together, the exit code and killing signal are reported once, a program that cannot start throws with its handle closed, and closing a handle whose child still runs kills and reaps it (no zombie).
import CLibUV
import Foundation
import Glibc
import XCTest

@testable import Loop

final class ChildProcessTests: XCTestCase {
    private func withLoop(_ body: (EventLoop) throws -> Void) throws {
        let loop = try EventLoop()
        try body(loop)
        loop.closeAllHandles()
        XCTAssertEqual(loop.liveHandleCount, 0)
        try loop.close()
    }

    private func run(_ loop: EventLoop, until done: () -> Bool) {
        let started = loop.nowMilliseconds
        while !done() && loop.nowMilliseconds &- started < 5000 {
            loop.runOnce()
            usleep(200)
        }
        XCTAssertTrue(done(), "loop test timed out")
    }

    /// Spawns `arguments` with a pipe for its output; returns what it wrote and how it ended.
    private func spawn(_ loop: EventLoop, _ arguments: [String]) throws -> (process: ChildProcess, output: () -> [UInt8], exit: () -> ChildProcess.Exit?, ended: () -> Bool) {
        let pipe = try OutputPipe(loop: loop)
        var bytes: [UInt8] = []
        var ended = false
        var exit: ChildProcess.Exit?
        var exits = 0
        pipe.onRead = { bytes.append(contentsOf: $0) }
        pipe.onReadEnd = { error in
            XCTAssertNil(error)
            ended = true
        }
        try pipe.startReading()
        defer { pipe.closeWriteEnd() }
        let process = try ChildProcess(loop: loop, arguments: arguments, outputDescriptor: pipe.writeDescriptor)
        process.onExit = {
            exits += 1
            exit = $0
        }
        XCTAssertNil(exit, "never reported from inside init")
        return (process, { bytes }, { XCTAssertLessThanOrEqual(exits, 1); return exit }, { ended })
    }

    func testOutputAndExitCode() throws {
        try withLoop { loop in
            let child = try spawn(loop, ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
            XCTAssertGreaterThan(child.process.pid, 0)
            run(loop) { child.exit() != nil && child.ended() }
            XCTAssertEqual(String(decoding: child.output(), as: UTF8.self), "out\nerr\n")
            XCTAssertEqual(child.exit(), ChildProcess.Exit(code: 3, signal: 0))
            XCTAssertTrue(child.process.hasExited)
            child.process.close()
        }
    }

    func testKillGroupReportsTheSignal() throws {
        try withLoop { loop in
            let child = try spawn(loop, ["/bin/sleep", "10"])
            child.process.killGroup(SIGTERM)
            run(loop) { child.exit() != nil }
            XCTAssertEqual(child.exit(), ChildProcess.Exit(code: 0, signal: SIGTERM))
            child.process.close()
        }
    }

    func testAProgramThatCannotStartThrows() throws {
        try withLoop { loop in
            let pipe = try OutputPipe(loop: loop)
            XCTAssertThrowsError(try ChildProcess(loop: loop, arguments: ["/nonexistent/program"], outputDescriptor: pipe.writeDescriptor)) {
                XCTAssertEqual(($0 as? LoopError)?.code, UV_ENOENT.rawValue)
            }
            pipe.close()
            loop.runOnce()
            XCTAssertEqual(loop.liveHandleCount, 0, "the failed spawn's handle closed too")
        }
    }

    func testClosingARunningChildKillsAndReapsIt() throws {
        try withLoop { loop in
            let child = try spawn(loop, ["/bin/sleep", "10"])
            let pid = child.process.pid
            XCTAssertEqual(kill(pid, 0), 0, "running")
            let began = Date()
            child.process.close()
            XCTAssertLessThan(Date().timeIntervalSince(began), 2, "killed, not waited for")
            XCTAssertEqual(kill(pid, 0), -1, "killed and reaped as the close started")
            XCTAssertEqual(errno, ESRCH)
            XCTAssertNil(child.exit(), "no exit report after close")
        }
    }
}
