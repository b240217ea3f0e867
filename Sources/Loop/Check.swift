import CLibUV

/// A libuv check handle: its callback runs once per loop round, right after the round's I/O
/// callbacks. It does not keep the loop alive by itself.
public final class Check: Handle {
    private var callback: (() -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_check_t>.size)
        let rc = uv_check_init(loop.uv, check)
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_check_init") }
        adopt()
        uv_unref(handle)
    }

    var check: UnsafeMutablePointer<uv_check_t> { raw.assumingMemoryBound(to: uv_check_t.self) }

    /// Runs `callback` after the I/O callbacks of every loop round from now on.
    public func start(_ callback: @escaping () -> Void) {
        precondition(state == .open)
        self.callback = callback
        // uv_check_start fails only for a nil callback, excluded here.
        let rc = uv_check_start(check, checkCallback)
        precondition(rc == 0, "uv_check_start failed: \(rc)")
    }

    public func stop() {
        guard state == .open else { return }
        _ = uv_check_stop(check)
    }

    override func willClose() { callback = nil }

    fileprivate func fire() { callback?() }
}

private let checkCallback: uv_check_cb = { check in
    guard let check, let data = check.pointee.data else { return }
    Unmanaged<Check>.fromOpaque(data).takeUnretainedValue().fire()
}
