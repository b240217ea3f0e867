// Proves script checks run as real processes through the probe runner: Consul's statuses for exit codes, stdout and stderr captured together and capped with Consul's note, a timeout that kills the process (no zombie left), Go's texts for a program that cannot start, and a clean loop after a shutdown with a script still running.
import CLibUV
import Foundation
import Glibc
import Loop
import Registry
import Server
import XCTest

@testable import Agent

final class ScriptRunTests: XCTestCase {
    private func script(_ args: [String], timeout: UInt64 = 5000, maxOutput: Int = 4096) -> ProbeSpec {
        .script(ScriptProbe(args: args, timeoutMilliseconds: timeout, maxOutputBytes: maxOutput))
    }

    private func sh(_ command: String, timeout: UInt64 = 5000, maxOutput: Int = 4096) -> ProbeSpec {
        script(["/bin/sh", "-c", command], timeout: timeout, maxOutput: maxOutput)
    }

    func testExitCodesMapToConsulStatusesWithTheOutput() throws {
        try withHarness { h in
            let cases: [(ProbeSpec, HealthStatus, String)] = [
                (sh("exit 0"), .passing, ""),
                (sh("echo fine; exit 0"), .passing, "fine\n"),
                (sh("echo slow; exit 1"), .warning, "slow\n"),
                (sh("echo down; exit 2"), .critical, "down\n"),
                (sh("echo out; echo err >&2; exit 0"), .passing, "out\nerr\n"),
                (sh("kill -TERM $$"), .critical, ""),
                (script(["sh", "-c", "echo from PATH"]), .passing, "from PATH\n"),
            ]
            let ids = cases.map { h.start($0.0) }
            h.run { ids.allSatisfy { h.result($0) != nil } }
            h.linger(50)
            for (id, expected) in zip(ids, cases) {
                XCTAssertEqual(h.result(id)?.status, expected.1, "\(expected.0)")
                XCTAssertEqual(h.result(id)?.output, expected.2, "\(expected.0)")
            }
            XCTAssertEqual(h.runner.inFlightCount, 0)
        }
    }

    func testArgumentsGoToTheProgramWithoutAShell() throws {
        try withHarness { h in
            let id = h.start(script(["/bin/echo", "a  b", "$HOME", "*"]))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.output, "a  b $HOME *\n", "no word splitting, expansion or globbing")
        }
    }

    func testOutputOverTheCapKeepsTheLastBytesWithConsulsNote() throws {
        try withHarness { h in
            // 300 lines of 10 bytes: 3000 bytes, the last line "line 0300\n".
            let id = h.start(sh("i=1; while [ $i -le 300 ]; do printf 'line %04d\\n' $i; i=$((i+1)); done", maxOutput: 100))
            h.run { h.result(id) != nil }
            let output = try XCTUnwrap(h.result(id)?.output)
            XCTAssertEqual(h.result(id)?.status, .passing)
            XCTAssertTrue(output.hasPrefix("Captured 69 of 3000 bytes\n...\n"), output)
            XCTAssertTrue(output.hasSuffix("line 0299\nline 0300\n"), output)
            XCTAssertLessThanOrEqual(output.utf8.count, 100, "note and kept bytes fit the check's OutputMaxSize")
        }
    }

    func testTimeoutKillsTheProcessAndReportsConsulsText() throws {
        try withHarness { h in
            let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-script-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: pidFile) }
            // The shell writes its pid, then runs sleep in the foreground (a child of its own).
            let id = h.start(sh("echo $$ > \(pidFile); echo started; sleep 10", timeout: 200))
            let began = Date()
            h.run { h.result(id) != nil }
            let elapsed = Date().timeIntervalSince(began)
            XCTAssertEqual(h.result(id)?.status, .critical)
            XCTAssertEqual(h.result(id)?.output, "Timed out (200ms) running check\n\nstarted\n")
            XCTAssertLessThan(elapsed, 2, "reported at the timeout, not when sleep ends")
            let pid = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            // libuv reaps the killed child on a later round; then its pid is gone entirely.
            h.run { kill(pid, 0) != 0 }
            XCTAssertEqual(kill(pid, 0), -1)
            XCTAssertEqual(errno, ESRCH, "killed and reaped, not a zombie")
            // The shell's own child (sleep) was in its group: killed too, then reaped by init.
            h.run(timeoutMilliseconds: 3000) { kill(-pid, 0) != 0 }
            XCTAssertEqual(errno, ESRCH, "the whole group, sleep included, is gone long before sleep would end")
            var status: Int32 = 0
            XCTAssertEqual(waitpid(pid, &status, WNOHANG), -1, "nothing left to reap")
        }
    }

    func testDefaultTimeoutIsConsuls30Seconds() throws {
        try withHarness { h in
            let id = h.start(script(["/bin/true"], timeout: 0))
            h.run { h.result(id) != nil }
            XCTAssertEqual(h.result(id)?.status, .passing)
        }
        XCTAssertEqual(ScriptOutput.timedOut(milliseconds: ScriptProbe.defaultTimeoutMilliseconds, output: ""), "Timed out (30s) running check")
    }

    func testAProgramThatCannotStartIsCriticalWithGosText() throws {
        try withHarness { h in
            let missing = h.start(script(["gravity-no-such-program"]))
            let missingPath = h.start(script(["/nonexistent/check"]))
            let plainFile = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-script-\(UUID().uuidString)").path
            XCTAssertTrue(FileManager.default.createFile(atPath: plainFile, contents: Data("exit 0\n".utf8), attributes: [.posixPermissions: 0o644]))
            defer { try? FileManager.default.removeItem(atPath: plainFile) }
            let notExecutable = h.start(script([plainFile]))
            let ids = [missing, missingPath, notExecutable]
            h.run { ids.allSatisfy { h.result($0) != nil } }
            XCTAssertEqual(h.result(missing)?.output, "exec: \"gravity-no-such-program\": executable file not found in $PATH")
            XCTAssertEqual(h.result(missingPath)?.output, "fork/exec /nonexistent/check: no such file or directory")
            XCTAssertEqual(h.result(notExecutable)?.output, "fork/exec \(plainFile): permission denied")
            for id in ids { XCTAssertEqual(h.result(id)?.status, .critical) }
        }
    }

    func testShutdownWithAScriptRunningLeavesNoProcess() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-script-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        try withHarness { h in
            let id = h.start(sh("echo $$ > \(pidFile); sleep 10", timeout: 20_000))
            h.run { FileManager.default.fileExists(atPath: pidFile) && ((try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "").hasSuffix("\n") }
            XCTAssertNil(h.result(id))
            XCTAssertEqual(h.runner.inFlightCount, 1)
            // withHarness shuts the runner down and closes every handle.
        }
        let pid = try XCTUnwrap(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(kill(pid, 0), -1, "the child was killed and reaped at close")
        // Its group (sleep) was killed too; init reaps it shortly.
        var waited = 0
        while kill(-pid, 0) == 0 && waited < 3000 {
            usleep(10_000)
            waited += 10
        }
        XCTAssertEqual(kill(-pid, 0), -1, "and its group")
    }

    func testScriptOutputKeepsWholeCharactersAndTheTotal() {
        var output = ScriptOutput(maxBytes: 40)
        let text = String(repeating: "é", count: 50)  // 100 bytes, 2 each
        text.utf8.withContiguousStorageIfAvailable { output.append(UnsafeRawBufferPointer($0)) }
        XCTAssertEqual(output.totalBytes, 100)
        let kept = output.text
        XCTAssertTrue(kept.hasPrefix("Captured 10 of 100 bytes\n...\n"), kept)
        XCTAssertEqual(kept, "Captured 10 of 100 bytes\n...\n" + String(repeating: "é", count: 5))
        XCTAssertLessThanOrEqual(kept.utf8.count, 40)
    }

    func testStatusOfExits() {
        XCTAssertEqual(ScriptOutput.status(.init(code: 0, signal: 0)), .passing)
        XCTAssertEqual(ScriptOutput.status(.init(code: 1, signal: 0)), .warning)
        XCTAssertEqual(ScriptOutput.status(.init(code: 2, signal: 0)), .critical)
        XCTAssertEqual(ScriptOutput.status(.init(code: 255, signal: 0)), .critical)
        XCTAssertEqual(ScriptOutput.status(.init(code: 0, signal: SIGKILL)), .critical)
    }
}
