import CLibUV

/// The process's libuv loop, confined to the thread that runs it.
///
/// Confinement is checked by the compiler rather than by a custom actor executor: `EventLoop` and
/// every handle type are non-`Sendable` classes, so Swift 6 refuses to capture them in a
/// `@Sendable` closure or to hand them to another thread. The only ways in from other threads are
/// `Mailbox.Poster` (a `Sendable` value over `uv_async_send`) and `EventLoop.queueWork`, whose
/// pool-side closure must be `@Sendable`. All callbacks from libuv arrive on the loop thread.
public final class EventLoop {
    let uv: UnsafeMutablePointer<uv_loop_t>
    /// One read buffer for every stream: reads are handled synchronously in the read callback,
    /// so no two reads ever use it at once.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Handles opened through this loop and not yet closed (their close callback not yet run).
    public private(set) var liveHandleCount = 0
    private var isClosed = false

    /// Bytes of the shared read buffer; a read never delivers more at once.
    public static let readBufferBytes = 64 * 1024

    public init() throws(LoopError) {
        uv = .allocate(capacity: 1)
        readBuffer = .allocate(byteCount: Self.readBufferBytes, alignment: 16)
        do {
            try LoopError.check(uv_loop_init(uv), "uv_loop_init")
        } catch {
            uv.deallocate()
            readBuffer.deallocate()
            throw error
        }
        uv.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        precondition(isClosed, "EventLoop dropped without close()")
        uv.deallocate()
        readBuffer.deallocate()
    }

    /// Runs callbacks until `stop()` is called or no active handle is left. Blocks the caller.
    public func run() {
        precondition(!isClosed)
        _ = uv_run(uv, UV_RUN_DEFAULT)
    }

    /// Runs one round of callbacks without blocking; returns whether work remains.
    @discardableResult
    public func runOnce() -> Bool {
        uv_run(uv, UV_RUN_NOWAIT) != 0
    }

    /// Makes `run()` return after the current round of callbacks.
    public func stop() {
        uv_stop(uv)
    }

    /// The loop's cached monotonic time in milliseconds (updated at the start of each round).
    public var nowMilliseconds: UInt64 { uv_now(uv) }

    /// Closes every handle still open, then runs the loop until their close callbacks are done
    /// and work queued on the thread pool has completed (a completion may open a handle again;
    /// it is closed in the next round). Afterwards `liveHandleCount` is 0 and `close()` may be
    /// called.
    public func closeAllHandles() {
        repeat {
            uv_walk(uv, walkCloseCallback, nil)
            _ = uv_run(uv, UV_RUN_ONCE)
        } while liveHandleCount > 0 || uv_loop_alive(uv) != 0
    }

    /// Releases the loop. Precondition: every handle is closed (`closeAllHandles()`).
    public func close() throws(LoopError) {
        precondition(!isClosed)
        precondition(liveHandleCount == 0, "closing a loop with \(liveHandleCount) open handles")
        try LoopError.check(uv_loop_close(uv), "uv_loop_close")
        isClosed = true
    }

    func handleOpened() { liveHandleCount += 1 }

    func handleClosed() {
        precondition(liveHandleCount > 0)
        liveHandleCount -= 1
    }

    static func from(_ loop: UnsafeMutablePointer<uv_loop_t>) -> EventLoop {
        Unmanaged<EventLoop>.fromOpaque(loop.pointee.data).takeUnretainedValue()
    }
}

private let walkCloseCallback: uv_walk_cb = { handle, _ in
    guard let handle, let data = handle.pointee.data else { return }
    let owner = Unmanaged<Handle>.fromOpaque(data).takeUnretainedValue()
    owner.close()
}
