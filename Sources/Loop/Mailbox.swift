import CLibUV

/// Messages from any thread to the loop thread, over `uv_async_send` (libuv's one thread-safe call).
///
/// The loop side owns the `Mailbox` handle; other threads hold a `Poster`. Posting after the
/// mailbox closed drops the message and returns false, so a late worker can never touch freed
/// libuv memory: closing and posting take the same lock.
public final class Mailbox<Message: Sendable>: Handle {
    /// The shared queue; `asyncHandle` is nil once the mailbox is closing.
    final class Box: Sendable {
        let state: Locked<(messages: [Message], asyncHandle: UnsafeMutableRawPointer?)>
        let capacity: Int
        init(capacity: Int) {
            self.capacity = capacity
            state = Locked((messages: [], asyncHandle: nil))
        }
    }

    /// The thread-safe sending end.
    public struct Poster: Sendable {
        let box: Box

        /// Queues `message` and wakes the loop. Returns false when the mailbox is closed or holds
        /// `capacity` messages already (the caller decides whether to drop, retry or fail).
        @discardableResult
        public func post(_ message: Message) -> Bool {
            box.state.withLock { state in
                guard let asyncHandle = state.asyncHandle, state.messages.count < box.capacity else { return false }
                state.messages.append(message)
                // Wakes the loop; calls coalesce, so one drain may see several messages.
                uv_async_send(asyncHandle.assumingMemoryBound(to: uv_async_t.self))
                return true
            }
        }
    }

    private let box: Box
    private var receive: ((Message) -> Void)?

    /// `receive` runs on the loop thread for each message, in posting order.
    public init(loop: EventLoop, capacity: Int = 65536, receive: @escaping (Message) -> Void) throws(LoopError) {
        precondition(capacity > 0)
        box = Box(capacity: capacity)
        self.receive = receive
        super.init(loop: loop, byteCount: MemoryLayout<uv_async_t>.size)
        let rc = uv_async_init(loop.uv, raw.assumingMemoryBound(to: uv_async_t.self), mailboxWakeCallback)
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_async_init") }
        adopt()
        let handlePointer = raw
        // The raw pointer is only used under the lock and only while the handle is open.
        nonisolated(unsafe) let pointer = handlePointer
        box.state.withLock { $0.asyncHandle = pointer }
    }

    public var poster: Poster { Poster(box: box) }

    /// Keeps the mailbox from holding the loop alive on its own.
    public func unref() { uv_unref(handle) }

    override func willClose() {
        box.state.withLock { $0.asyncHandle = nil }
        receive = nil
    }

    override func asyncWake() { drain() }

    private func drain() {
        let batch = box.state.withLock { state -> [Message] in
            let taken = state.messages
            state.messages.removeAll(keepingCapacity: true)
            return taken
        }
        for message in batch { receive?(message) }
    }
}

private let mailboxWakeCallback: uv_async_cb = { async in
    guard let async, let data = async.pointee.data else { return }
    // A C callback cannot name the generic type; the override of `asyncWake` can.
    Unmanaged<Handle>.fromOpaque(data).takeUnretainedValue().asyncWake()
}
