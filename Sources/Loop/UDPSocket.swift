import CLibUV

/// A UDP socket: receives datagrams into the loop's shared buffer and sends copies.
public final class UDPSocket: Handle {
    private var onDatagram: ((UnsafeRawBufferPointer, SocketAddress) -> Void)?

    public init(loop: EventLoop) throws(LoopError) {
        super.init(loop: loop, byteCount: MemoryLayout<uv_udp_t>.size)
        let rc = uv_udp_init(loop.uv, udp)
        if rc < 0 { abandon(); throw LoopError(code: rc, operation: "uv_udp_init") }
        adopt()
    }

    var udp: UnsafeMutablePointer<uv_udp_t> { raw.assumingMemoryBound(to: uv_udp_t.self) }

    public func bind(to address: SocketAddress) throws(LoopError) {
        let rc = address.withSockaddr { uv_udp_bind(udp, $0, 0) }
        try LoopError.check(rc, "bind udp \(address)")
    }

    /// Delivers each datagram (borrowed bytes, valid during the call) and its sender.
    public func startReceiving(_ onDatagram: @escaping (UnsafeRawBufferPointer, SocketAddress) -> Void) throws(LoopError) {
        self.onDatagram = onDatagram
        try LoopError.check(uv_udp_recv_start(udp, udpAllocCallback, udpReceiveCallback), "uv_udp_recv_start")
    }

    /// Sends a copy of `bytes` to `address`. Datagrams are best effort: a failure is dropped,
    /// as the network could have dropped the datagram anyway.
    public func send(_ bytes: UnsafeRawBufferPointer, to address: SocketAddress) {
        guard state == .open else { return }
        let headerBytes = (MemoryLayout<uv_udp_send_t>.size + 15) & ~15
        let memory = UnsafeMutableRawPointer.allocate(byteCount: headerBytes + max(bytes.count, 1), alignment: 16)
        let request = memory.bindMemory(to: uv_udp_send_t.self, capacity: 1)
        let payload = memory + headerBytes
        if let base = bytes.baseAddress { payload.copyMemory(from: base, byteCount: bytes.count) }
        var buffer = uv_buf_init(payload.assumingMemoryBound(to: CChar.self), UInt32(bytes.count))
        let rc = address.withSockaddr { uv_udp_send(request, udp, &buffer, 1, $0, udpSendCallback) }
        if rc < 0 { memory.deallocate() }
    }

    /// The bound address (useful after binding port 0).
    public var localAddress: SocketAddress? {
        var storage = sockaddr_storage()
        var length = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutableBytes(of: &storage) {
            uv_udp_getsockname(udp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        return rc == 0 ? SocketAddress(storage: storage) : nil
    }

    override func willClose() { onDatagram = nil }

    fileprivate func received(_ count: Int, _ base: UnsafeMutableRawPointer?, _ from: UnsafePointer<sockaddr>?) {
        // count == 0 with no sender means "nothing more to read now", not an empty datagram.
        guard count >= 0, let from, let base else { return }
        onDatagram?(UnsafeRawBufferPointer(start: base, count: count), SocketAddress(copying: from))
    }
}

private let udpAllocCallback: uv_alloc_cb = { handle, _, buffer in
    let loop = EventLoop.from(handle!.pointee.loop)
    buffer!.pointee = uv_buf_init(loop.readBuffer.baseAddress!.assumingMemoryBound(to: CChar.self), UInt32(loop.readBuffer.count))
}

private let udpReceiveCallback: uv_udp_recv_cb = { udp, count, buffer, from, _ in
    guard let udp, let data = udp.pointee.data else { return }
    Unmanaged<UDPSocket>.fromOpaque(data).takeUnretainedValue().received(count, UnsafeMutableRawPointer(buffer?.pointee.base), from)
}

private let udpSendCallback: uv_udp_send_cb = { request, _ in
    UnsafeMutableRawPointer(request)?.deallocate()
}
