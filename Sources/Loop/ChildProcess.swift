import CLibUV
import Glibc

/// A child process started with `uv_spawn`: no shell, the parent's environment and working
/// folder, stdin from /dev/null, and stdout and stderr both written to one file descriptor
/// (the write end of an `OutputPipe`, so their bytes interleave as the child writes them).
/// The child leads a new session and process group, so `killGroup` also reaches what it started.
///
/// libuv reaps the child and reports its end through `onExit`, once, on the loop thread, never
/// from inside `init`; close the handle after that. Closing it while the child still runs kills
/// the group with SIGKILL and reaps the child then and there, so no zombie outlives the handle
/// (libuv stops watching a closed handle's child).
public final class ChildProcess: Handle {
    /// How a child ended: its exit code, or the signal that killed it (then the code is 0).
    public struct Exit: Sendable, Equatable {
        public var code: Int64
        public var signal: Int32
        public init(code: Int64, signal: Int32) {
            self.code = code
            self.signal = signal
        }
    }

    /// The child's process ID, which is also its process group's.
    public private(set) var pid: Int32 = 0
    /// True once libuv reaped the child (or it never started).
    public private(set) var hasExited = false
    /// Called once when the child ends, unless the handle was closed first.
    public var onExit: ((Exit) -> Void)?

    /// Starts `arguments[0]` (looked up in `PATH` when it holds no '/') with `arguments` as its
    /// argv, stdout and stderr on `outputDescriptor`. A program that cannot be started
    /// (missing, not executable) throws, with the handle already closing.
    public init(loop: EventLoop, arguments: [String], outputDescriptor: Int32) throws(LoopError) {
        precondition(!arguments.isEmpty, "a process needs a program")
        super.init(loop: loop, byteCount: MemoryLayout<uv_process_t>.size)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var stdio = [uv_stdio_container_t](repeating: uv_stdio_container_t(), count: 3)
        stdio[0].flags = UV_IGNORE
        for index in 1...2 {
            stdio[index].flags = UV_INHERIT_FD
            stdio[index].data.fd = outputDescriptor
        }
        let rc = argv.withUnsafeBufferPointer { args in
            stdio.withUnsafeMutableBufferPointer { containers in
                var options = uv_process_options_t()
                options.exit_cb = processExitCallback
                options.file = UnsafePointer(args[0])
                options.args = UnsafeMutablePointer(mutating: args.baseAddress)
                options.stdio_count = 3
                options.stdio = containers.baseAddress
                // setsid() in the child: it leads its own process group, so a timeout can kill
                // everything it started (Consul sets Setpgid for the same reason).
                options.flags = UV_PROCESS_DETACHED.rawValue
                return uv_spawn(loop.uv, process, &options)
            }
        }
        // uv_spawn initialises the handle whatever it returns: it is libuv's until closed.
        adopt()
        guard rc == 0 else {
            hasExited = true  // libuv already reaped a child whose exec failed
            close()
            throw LoopError(code: rc, operation: "spawn \(arguments[0])")
        }
        pid = process.pointee.pid
        assert(pid > 0)
    }

    var process: UnsafeMutablePointer<uv_process_t> { raw.assumingMemoryBound(to: uv_process_t.self) }

    /// Sends `signal` to the child's whole process group, while the handle is open. The group
    /// may outlive the child (a background job of a script still holding its output pipe); its
    /// ID is not reused while any member lives, and the owner closes the handle soon after the
    /// child is gone.
    public func killGroup(_ signal: Int32 = SIGKILL) {
        guard state == .open, pid > 0 else { return }
        // ESRCH (the group is gone already) is the only failure for our own child.
        _ = uv_kill(-pid, signal)
    }

    override func willClose() {
        onExit = nil
        guard !hasExited, pid > 0 else { return }
        // The state is `closing` already, so not through `killGroup`; ESRCH is the only failure.
        _ = uv_kill(-pid, SIGKILL)
        // libuv forgets the child once its handle closes, so reap it here. SIGKILL cannot be
        // caught, so this waits only for the kernel to tear the process down.
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        hasExited = true
    }

    fileprivate func exited(code: Int64, signal: Int32) {
        assert(!hasExited, "libuv reports an exit once")
        hasExited = true
        let callback = onExit
        onExit = nil
        callback?(Exit(code: code, signal: signal))
    }
}

private let processExitCallback: uv_exit_cb = { process, code, signal in
    guard let process, let data = process.pointee.data else { return }
    Unmanaged<ChildProcess>.fromOpaque(data).takeUnretainedValue().exited(code: code, signal: signal)
}
