import CLibUV

/// A listening TCP socket. Each accepted connection is handed over as an open `TCPStream`.
public final class TCPListener: Handle {
    private var onConnection: ((TCPStream) -> Void)?
    /// Called when accepting fails for a reason other than "no connection pending".
    public var onAcceptError: ((LoopError) -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_tcp_t>.size)
        let rc = uv_tcp_init(loop.uv, tcp)
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_tcp_init") }
        adopt()
    }

    var tcp: UnsafeMutablePointer<uv_tcp_t> { raw.assumingMemoryBound(to: uv_tcp_t.self) }

    /// Binds and listens. `onConnection` runs on the loop thread for every accepted connection;
    /// the stream is open but not yet reading.
    public func listen(on address: SocketAddress, backlog: Int32 = 1024, onConnection: @escaping (TCPStream) -> Void) throws(LoopError) {
        precondition(state == .open)
        let bindRC = address.withSockaddr { uv_tcp_bind(tcp, $0, 0) }
        try LoopError.check(bindRC, "bind \(address)")
        self.onConnection = onConnection
        let streamPointer = raw.assumingMemoryBound(to: uv_stream_t.self)
        try LoopError.check(uv_listen(streamPointer, backlog, listenerConnectionCallback), "listen \(address)")
    }

    /// The bound address (useful after binding port 0).
    public var localAddress: SocketAddress? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutableBytes(of: &storage) {
            uv_tcp_getsockname(tcp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return rc == 0 ? SocketAddress(storage: storage) : nil
    }

    override func willClose() { onConnection = nil }

    fileprivate func acceptOne(status: Int32) {
        guard state == .open else { return }
        if status < 0 {
            onAcceptError?(LoopError(code: status, operation: "accept"))
            return
        }
        let stream: TCPStream
        do { stream = try TCPStream(loop: loop) } catch { onAcceptError?(error); return }
        let rc = uv_accept(raw.assumingMemoryBound(to: uv_stream_t.self), stream.stream)
        if rc < 0 {
            stream.close()
            if rc != UV_EAGAIN.rawValue { onAcceptError?(LoopError(code: rc, operation: "uv_accept")) }
            return
        }
        onConnection?(stream)
    }
}

private let listenerConnectionCallback: uv_connection_cb = { server, status in
    guard let server, let data = server.pointee.data else { return }
    Unmanaged<TCPListener>.fromOpaque(data).takeUnretainedValue().acceptOne(status: status)
}
