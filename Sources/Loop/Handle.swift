import CLibUV

/// The Swift owner of one libuv handle.
///
/// Lifecycle: `open` from init until `close()`, then `closing` until libuv's close callback, then
/// `closed`. While the handle is open or closing, the handle's `data` holds a retained reference to
/// this object, so the owner lives at least as long as libuv may call it back. The C memory is
/// freed in the close callback, never in `deinit` (libuv may still touch it until then).
public class Handle {
    /// Where a handle is in its life.
    public enum State: Sendable, Equatable { case open, closing, closed }

    public let loop: EventLoop
    /// The libuv handle, allocated with room for the concrete type (`uv_tcp_t`, `uv_timer_t`, ...).
    let raw: UnsafeMutableRawPointer
    public private(set) var state: State = .open
    /// Called once, from the close callback, after the handle is gone.
    public var onClose: (() -> Void)?

    /// Allocates `byteCount` bytes for the handle; the subclass initialises it with `uv_*_init`.
    init(loop: EventLoop, byteCount: Int) {
        self.loop = loop
        raw = .allocate(byteCount: byteCount, alignment: 16)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
    }

    /// Call right after a successful `uv_*_init`: from here on libuv owns the memory until close.
    func adopt() {
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
        loop.handleOpened()
    }

    /// Call when `uv_*_init` failed: nothing was registered with libuv.
    func abandon() {
        raw.deallocate()
        state = .closed
    }

    var handle: UnsafeMutablePointer<uv_handle_t> { raw.assumingMemoryBound(to: uv_handle_t.self) }

    /// Starts closing; idempotent. `onClose` runs later, from the loop, never from inside this call.
    public func close() {
        guard state == .open else { return }
        state = .closing
        willClose()
        uv_close(handle, handleCloseCallback)
    }

    /// Hook for subclasses: runs once, as closing starts, on the loop thread.
    func willClose() {}

    /// Hook for `Mailbox`, whose generic type a C callback cannot name.
    func asyncWake() {}

    fileprivate func didClose() {
        precondition(state == .closing)
        state = .closed
        loop.handleClosed()
        raw.deallocate()
        let callback = onClose
        onClose = nil
        callback?()
    }
}

private let handleCloseCallback: uv_close_cb = { handle in
    guard let handle, let data = handle.pointee.data else { preconditionFailure("close callback without owner") }
    let owner = Unmanaged<Handle>.fromOpaque(data).takeRetainedValue()
    owner.didClose()
}
