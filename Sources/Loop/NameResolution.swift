import CLibUV

/// One asynchronous name lookup (`uv_getaddrinfo`, which runs `getaddrinfo` on libuv's thread
/// pool).
///
/// The completion runs exactly once, on the loop thread, never inside `start`: with the
/// addresses in the resolver's order, or with an error (`UV_EAI_NONAME` for an unknown name,
/// `UV_EAI_CANCELED` when `cancel()` caught the lookup before a pool thread took it). A lookup
/// already running cannot be stopped: its completion still comes, and until it has, the loop
/// is alive (`closeAllHandles` waits for it). The pool has four threads shared with disk work,
/// so callers bound how many lookups they run at once.
public final class NameResolution {
    private let request: UnsafeMutablePointer<uv_getaddrinfo_t>
    private var completion: ((Result<[SocketAddress], LoopError>) -> Void)?
    /// The name looked up, for error texts.
    public let host: String

    private init(host: String, completion: @escaping (Result<[SocketAddress], LoopError>) -> Void) {
        self.host = host
        self.completion = completion
        request = .allocate(capacity: 1)
    }

    deinit { request.deallocate() }

    /// Looks up `host` (a name or a numeric address) for TCP to `port`. Addresses of both
    /// families are returned; the caller picks.
    public static func start(loop: EventLoop, host: String, port: Int,
                             completion: @escaping (Result<[SocketAddress], LoopError>) -> Void) -> NameResolution {
        precondition((0...65535).contains(port), "port out of range")
        let lookup = NameResolution(host: host, completion: completion)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_flags = AI_NUMERICSERV
        // The request holds +1 on the lookup until the callback.
        lookup.request.pointee.data = Unmanaged.passRetained(lookup).toOpaque()
        let rc = uv_getaddrinfo(loop.uv, lookup.request, nameResolvedCallback, host, String(port), &hints)
        if rc < 0 {
            // libuv will not call back: undo, then report from the next loop round.
            Unmanaged<NameResolution>.fromOpaque(lookup.request.pointee.data).release()
            let error = LoopError(code: rc, operation: "getaddrinfo \(host)")
            loop.defer { lookup.complete(.failure(error)) }
        }
        return lookup
    }

    /// Asks libuv to drop the lookup if no pool thread has taken it yet; the completion then
    /// comes with `UV_EAI_CANCELED`. Otherwise the lookup finishes as usual. Idempotent.
    public func cancel() {
        guard completion != nil else { return }
        // Fails (EBUSY) when the lookup is already running or done: then it completes normally.
        _ = UnsafeMutableRawPointer(request).withMemoryRebound(to: uv_req_t.self, capacity: 1) { uv_cancel($0) }
    }

    fileprivate func resolved(status: Int32, _ list: UnsafeMutablePointer<addrinfo>?) {
        defer { if let list { uv_freeaddrinfo(list) } }
        guard status == 0 else {
            complete(.failure(LoopError(code: status, operation: "getaddrinfo \(host)")))
            return
        }
        var addresses: [SocketAddress] = []
        var entry = list
        while let current = entry {
            let family = current.pointee.ai_family
            if let address = current.pointee.ai_addr, family == AF_INET || family == AF_INET6 {
                addresses.append(SocketAddress(copying: address))
            }
            entry = current.pointee.ai_next
        }
        complete(.success(addresses))
    }

    private func complete(_ result: Result<[SocketAddress], LoopError>) {
        let callback = completion
        completion = nil
        callback?(result)
    }
}

private let nameResolvedCallback: uv_getaddrinfo_cb = { request, status, list in
    guard let request, let data = request.pointee.data else { preconditionFailure("getaddrinfo callback without owner") }
    let lookup = Unmanaged<NameResolution>.fromOpaque(data).takeRetainedValue()
    lookup.resolved(status: status, list)
}
