import Loop
import Registry
import Server

/// One run of a script check: the process, the pipe that carries its stdout and stderr, and
/// the timer for its timeout. It ends exactly once (`finish`), which closes the timer and the
/// pipe and reports to the runner; the process handle is closed once the child is reaped.
///
/// The run completes when the child has exited and its output has ended (a background job
/// that keeps the pipe open holds the run until the timeout, as Go's `cmd.Wait` holds
/// Consul's). On the timeout the child's process group is killed with SIGKILL and the check is
/// critical; the handle then waits for libuv to reap the child, so no zombie is left, and a
/// shutdown (`closeAllHandles`) reaps it at once.
final class ScriptRun {
    let id: ProbeID
    let probe: ScriptProbe
    private unowned let runner: ProbeRunner
    private let startedAt: UInt64
    private var isFinished = false
    private var timer: Timer?
    private var pipe: OutputPipe?
    private var process: ChildProcess?
    private var exit: ChildProcess.Exit?
    private var outputEnded = false
    private var output: ScriptOutput

    init(id: ProbeID, probe: ScriptProbe, runner: ProbeRunner, startedAt: UInt64) {
        self.id = id
        self.probe = probe
        self.runner = runner
        self.startedAt = startedAt
        // 0 means Consul's default; the runner's ceiling bounds what one run may hold.
        let maxOutput = probe.maxOutputBytes > 0 ? probe.maxOutputBytes : RegistryLimits.defaultCheckOutputMaxSize
        output = ScriptOutput(maxBytes: min(maxOutput, runner.limits.maxOutputBytesCeiling))
    }

    private var loop: EventLoop { runner.loop }

    /// The timeout in effect: the probe's, or Consul's 30 s for scripts when it says 0.
    var timeoutMilliseconds: UInt64 { probe.timeoutMilliseconds > 0 ? probe.timeoutMilliseconds : ScriptProbe.defaultTimeoutMilliseconds }

    /// Starts the timer, the pipe and the process. May finish at once (a program that cannot
    /// start); the runner defers that report past `start`.
    func begin() {
        guard let program = probe.args.first, !program.isEmpty else { return finish(.critical, "exec: no command") }
        do {
            let timer = try Timer(loop: loop)
            self.timer = timer
            timer.start(afterMilliseconds: timeoutMilliseconds) { [weak self] in self?.timedOut() }
            // Closed by someone else (only closeAllHandles does that): end rather than hang.
            timer.onClose = { [weak self] in self?.finish(.critical, ProbeOutput.shuttingDown) }
            let pipe = try OutputPipe(loop: loop)
            self.pipe = pipe
            pipe.onRead = { [weak self] bytes in self?.output.append(bytes) }
            pipe.onReadEnd = { [weak self] _ in self?.outputDidEnd() }
            try pipe.startReading()
        } catch {
            return finish(.critical, "cannot start the check: \(error)")
        }
        spawn(program)
    }

    private func spawn(_ program: String) {
        guard let pipe else { preconditionFailure("the pipe comes first") }
        defer { pipe.closeWriteEnd() }  // the child holds its own copies now
        do {
            let process = try ChildProcess(loop: loop, arguments: probe.args, outputDescriptor: pipe.writeDescriptor)
            self.process = process
            process.onExit = { [weak self, weak process] exit in
                guard let self, self.process === process else { return process?.close() ?? () }
                self.exited(exit)
            }
        } catch {
            finish(.critical, ScriptOutput.startFailed(program, error))
        }
    }

    private func exited(_ exit: ChildProcess.Exit) {
        guard !isFinished else { return closeProcess() }
        self.exit = exit
        completeIfDone()
    }

    private func outputDidEnd() {
        outputEnded = true
        completeIfDone()
    }

    private func completeIfDone() {
        guard !isFinished, let exit, outputEnded else { return }
        finish(ScriptOutput.status(exit), output.text)
    }

    private func timedOut() {
        guard !isFinished else { return }
        finish(.critical, ScriptOutput.timedOut(milliseconds: timeoutMilliseconds, output: output.text))
    }

    /// Ends the run (once): closes the timer and the pipe, kills the process group unless the
    /// run completed, and reports. Ends the same way when the runner shuts down.
    func finish(_ status: HealthStatus, _ text: String) {
        guard !isFinished else { return }
        isFinished = true
        let completed = exit != nil && outputEnded
        timer?.close()
        timer = nil
        pipe?.close()
        pipe = nil
        if !completed { process?.killGroup() }
        if exit != nil { closeProcess() }
        // Otherwise the handle closes when libuv reaps the killed child (`onExit`).
        let duration = loop.nowMilliseconds &- startedAt
        runner.scriptFinished(self, ProbeResult(status: status, output: text, durationMilliseconds: duration))
    }

    private func closeProcess() {
        process?.close()
        process = nil
    }
}
