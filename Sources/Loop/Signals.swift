import CLibUV

/// Watches one POSIX signal (SIGINT, SIGTERM, SIGHUP) on the loop thread.
public final class SignalWatcher: Handle {
    private var callback: (() -> Void)?

    public init(loop: EventLoop, signal: Int32, _ callback: @escaping () -> Void) throws(LoopError) {
        self.callback = callback
        super.init(loop: loop, byteCount: MemoryLayout<uv_signal_t>.size)
        let rc = uv_signal_init(loop.uv, raw.assumingMemoryBound(to: uv_signal_t.self))
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_signal_init") }
        adopt()
        try LoopError.check(uv_signal_start(raw.assumingMemoryBound(to: uv_signal_t.self), signalCallback, signal), "uv_signal_start \(signal)")
    }

    /// Keeps the watcher from holding the loop alive on its own.
    public func unref() { uv_unref(handle) }

    override func willClose() { callback = nil }

    fileprivate func fire() { callback?() }
}

private let signalCallback: uv_signal_cb = { handle, _ in
    guard let handle, let data = handle.pointee.data else { return }
    Unmanaged<SignalWatcher>.fromOpaque(data).takeUnretainedValue().fire()
}
