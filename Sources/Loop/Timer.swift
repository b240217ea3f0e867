import CLibUV

/// A libuv timer. The callback runs on the loop thread.
public final class Timer: Handle {
    private var callback: (() -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_timer_t>.size)
        let rc = uv_timer_init(loop.uv, timer)
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_timer_init") }
        adopt()
    }

    var timer: UnsafeMutablePointer<uv_timer_t> { raw.assumingMemoryBound(to: uv_timer_t.self) }

    /// Fires after `delayMilliseconds`, then every `repeatMilliseconds` if that is not 0.
    public func start(afterMilliseconds delay: UInt64, repeatMilliseconds: UInt64 = 0, _ callback: @escaping () -> Void) {
        precondition(state == .open)
        self.callback = callback
        // uv_timer_start fails only for a closing handle or a nil callback, both excluded above.
        let rc = uv_timer_start(timer, timerFireCallback, delay, repeatMilliseconds)
        precondition(rc == 0, "uv_timer_start failed: \(rc)")
    }

    /// Stops the timer; `start` may be called again.
    public func stop() {
        guard state == .open else { return }
        _ = uv_timer_stop(timer)
    }

    /// Keeps the timer from holding the loop alive on its own (libuv's `uv_unref`).
    public func unref() { uv_unref(handle) }

    override func willClose() { callback = nil }

    fileprivate func fire() { callback?() }
}

private let timerFireCallback: uv_timer_cb = { timer in
    guard let timer, let data = timer.pointee.data else { return }
    Unmanaged<Timer>.fromOpaque(data).takeUnretainedValue().fire()
}

extension EventLoop {
    /// Runs `body` on a later loop round, never inside the current call: how completions that
    /// fail synchronously are still reported asynchronously.
    public func `defer`(_ body: @escaping () -> Void) {
        guard let timer = try? Timer(loop: self) else {
            // uv_timer_init fails only on a loop being torn down; the work is moot then.
            return
        }
        timer.start(afterMilliseconds: 0) { [unowned timer] in
            timer.close()
            body()
        }
    }
}
