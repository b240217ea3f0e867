import CLibUV
import Glibc

/// One TCP connection. Reads are delivered as borrowed bytes, valid only during `onRead`;
/// writes are copied, so the caller's buffer may be reused at once.
public final class TCPStream: Handle {
    /// Bytes that arrived; the buffer is the loop's shared read buffer, valid only during the call.
    public var onRead: ((UnsafeRawBufferPointer) -> Void)?
    /// The peer closed its side (nil) or the connection failed. Reading has stopped.
    public var onReadEnd: ((LoopError?) -> Void)?
    /// A queued write went out (not called for writes the socket took at once): where a sender
    /// that paces a long output (by `pendingWriteBytes`) writes its next part.
    public var onWritten: (() -> Void)?
    private var connectCompletion: ((LoopError?) -> Void)?
    /// Whether the shutdown under way ends in a close (`closeAfterPendingWrites`) or leaves the
    /// stream reading (`shutDownAfterPendingWrites`).
    fileprivate var closesWhenShutDown = true

    public init(loop: EventLoop) throws(LoopError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_tcp_t>.size)
        let rc = uv_tcp_init(loop.uv, raw.assumingMemoryBound(to: uv_tcp_t.self))
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_tcp_init") }
        adopt()
    }

    var stream: UnsafeMutablePointer<uv_stream_t> { raw.assumingMemoryBound(to: uv_stream_t.self) }
    var tcp: UnsafeMutablePointer<uv_tcp_t> { raw.assumingMemoryBound(to: uv_tcp_t.self) }

    /// Connects to `address`; `completion` runs later on the loop (never inside this call).
    public func connect(to address: SocketAddress, completion: @escaping (LoopError?) -> Void) {
        precondition(state == .open && connectCompletion == nil)
        let request = UnsafeMutablePointer<uv_connect_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
        connectCompletion = completion
        let rc = address.withSockaddr { uv_tcp_connect(request, tcp, $0, streamConnectCallback) }
        if rc < 0 {
            // libuv will not call back: undo, then report from the next loop round.
            Unmanaged<TCPStream>.fromOpaque(request.pointee.data).release()
            request.deallocate()
            let error = LoopError(code: rc, operation: "connect \(address)")
            connectCompletion = nil
            loop.defer { completion(error) }
        }
    }

    fileprivate func connected(status: Int32) {
        let completion = connectCompletion
        connectCompletion = nil
        completion?(status < 0 ? LoopError(code: status, operation: "connect") : nil)
    }

    /// Starts delivering bytes to `onRead`.
    public func startReading() throws(LoopError) {
        precondition(state == .open)
        try LoopError.check(uv_read_start(stream, streamAllocCallback, streamReadCallback), "uv_read_start")
    }

    /// Stops delivering bytes (back-pressure); `startReading()` resumes.
    public func stopReading() {
        guard state == .open else { return }
        _ = uv_read_stop(stream)
    }

    /// Writes `bytes`, or queues what the socket does not take at once. On failure the stream
    /// is closed (the peer is gone or the socket is broken); there is nothing else a caller
    /// could do.
    ///
    /// Most writes (an HTTP response, a peer message) fit the socket's buffer: `uv_try_write`
    /// sends them with no request, copy or completion callback. A queued write costs all three,
    /// and one more syscall besides: when it completes, libuv re-arms the socket's epoll
    /// interest (an `epoll_ctl` per write, measured at 0.99 per registration under
    /// `scripts/bench register`).
    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard state == .open, bytes.count > 0 else { return }
        var buffer = uv_buf_init(UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
        // EAGAIN: the socket is full, or earlier writes are still queued (they go first).
        let written = Int(uv_try_write(stream, &buffer, 1))
        if written == bytes.count { return }
        if written < 0, written != Int(UV_EAGAIN.rawValue) { return close() }
        queue(UnsafeRawBufferPointer(rebasing: bytes[max(written, 0)...]))
    }

    /// Hands `bytes` to libuv's write queue.
    private func queue(_ bytes: UnsafeRawBufferPointer) {
        // One allocation holds the request and a copy of the bytes; freed in the write callback.
        let headerBytes = (MemoryLayout<uv_write_t>.size + 15) & ~15
        let memory = UnsafeMutableRawPointer.allocate(byteCount: headerBytes + bytes.count, alignment: 16)
        let request = memory.bindMemory(to: uv_write_t.self, capacity: 1)
        let payload = memory + headerBytes
        payload.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
        var buffer = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let rc = uv_write(request, stream, &buffer, 1, streamWriteCallback)
        if rc < 0 {
            Unmanaged<TCPStream>.fromOpaque(request.pointee.data).release()
            memory.deallocate()
            close()
        }
    }

    /// Convenience for `write(_:)` with an array.
    public func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Bytes queued in the kernel-bound write queue and not yet written (for back-pressure).
    public var pendingWriteBytes: Int { state == .open ? uv_stream_get_write_queue_size(stream) : 0 }

    /// Disables Nagle's algorithm: responses go out as soon as they are written.
    /// Makes the coming close abortive (`SO_LINGER` 0): the kernel sends a reset and keeps no
    /// TIME_WAIT state, instead of the FIN exchange. For a client that has read all it wanted
    /// (a health probe, as HAProxy closes its checks): a thousand probes a second would
    /// otherwise leave tens of thousands of sockets in TIME_WAIT and spend a third of the
    /// probing CPU on closing handshakes.
    public func resetOnClose() {
        guard state == .open else { return }
        var fd: uv_os_fd_t = -1
        guard uv_fileno(handle, &fd) == 0 else { return }
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    public func setNoDelay(_ enabled: Bool) {
        guard state == .open else { return }
        _ = uv_tcp_nodelay(tcp, enabled ? 1 : 0)
    }

    /// The peer's address, if still connected.
    public var remoteAddress: SocketAddress? {
        guard state == .open else { return nil }
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutableBytes(of: &storage) {
            uv_tcp_getpeername(tcp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return rc == 0 ? SocketAddress(storage: storage) : nil
    }

    override func willClose() {
        onRead = nil
        onReadEnd = nil
        onWritten = nil
    }

    fileprivate func didRead(_ count: Int, _ base: UnsafeMutableRawPointer?) {
        if count > 0, let base {
            onRead?(UnsafeRawBufferPointer(start: base, count: count))
        } else if count < 0 {
            stopReading()
            let error = LoopError(code: Int32(count), operation: "read")
            onReadEnd?(error.code == UV_EOF.rawValue ? nil : error)
        }
    }

    fileprivate func didWrite(status: Int32) {
        if status < 0 { return close() }
        if state == .open { onWritten?() }
    }
}

private let streamAllocCallback: uv_alloc_cb = { handle, _, buffer in
    let loop = EventLoop.from(handle!.pointee.loop)
    buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(loop.readBuffer.count))
}

private let streamReadCallback: uv_read_cb = { stream, count, buffer in
    guard let stream, let data = stream.pointee.data else { return }
    let owner = Unmanaged<TCPStream>.fromOpaque(data).takeUnretainedValue()
    owner.didRead(count, UnsafeMutableRawPointer(buffer?.pointee.base))
}

private let streamWriteCallback: uv_write_cb = { request, status in
    guard let request else { return }
    let owner = Unmanaged<TCPStream>.fromOpaque(request.pointee.data).takeRetainedValue()
    UnsafeMutableRawPointer(request).deallocate()
    owner.didWrite(status: status)
}

private let streamConnectCallback: uv_connect_cb = { request, status in
    guard let request else { return }
    let owner = Unmanaged<TCPStream>.fromOpaque(request.pointee.data).takeRetainedValue()
    request.deallocate()
    owner.connected(status: status)
}

extension TCPStream {
    /// Closes after every queued write has gone out (`uv_close` alone would cancel them):
    /// shuts down the sending side, then closes. Used after a "Connection: close" response.
    public func closeAfterPendingWrites() {
        guard state == .open else { return }
        stopReading()
        shutDownSending(thenClose: true)
    }

    /// Sends FIN once every queued write has gone out, and keeps reading: a lingering close.
    /// Closing a socket with unread bytes makes the kernel send a reset, which can destroy our
    /// last bytes (a WebSocket close frame) before the peer reads them; reading on until the
    /// peer's end of stream avoids that. The caller closes on `onReadEnd` and bounds the wait.
    public func shutDownAfterPendingWrites() {
        guard state == .open else { return }
        shutDownSending(thenClose: false)
    }

    private func shutDownSending(thenClose: Bool) {
        let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        request.pointee.data = Unmanaged.passRetained(self).toOpaque()
        closesWhenShutDown = thenClose
        if uv_shutdown(request, stream, streamShutdownCallback) < 0 {
            Unmanaged<TCPStream>.fromOpaque(request.pointee.data).release()
            request.deallocate()
            close()
        }
    }

    fileprivate func didShutDown(status: Int32) {
        if closesWhenShutDown || status < 0 { close() }
    }
}

private let streamShutdownCallback: uv_shutdown_cb = { request, status in
    guard let request else { return }
    let owner = Unmanaged<TCPStream>.fromOpaque(request.pointee.data).takeRetainedValue()
    request.deallocate()
    owner.didShutDown(status: status)
}
