import CLibUV

/// An IPv4 or IPv6 address with a port, as libuv's sockaddr calls take it.
public struct SocketAddress: Sendable, Hashable, CustomStringConvertible {
    var storage: sockaddr_storage

    /// Parses a numeric IP (no DNS): "127.0.0.1" or "::1".
    public init(ip: String, port: Int) throws(LoopError) {
        precondition((0...65535).contains(port), "port out of range")
        storage = sockaddr_storage()
        var rc: Int32 = 0
        if ip.contains(":") {
            rc = withUnsafeMutableBytes(of: &storage) { uv_ip6_addr(ip, Int32(port), $0.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)) }
        } else {
            rc = withUnsafeMutableBytes(of: &storage) { uv_ip4_addr(ip, Int32(port), $0.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)) }
        }
        try LoopError.check(rc, "parse address \(ip)")
    }

    init(storage: sockaddr_storage) { self.storage = storage }

    init(copying pointer: UnsafePointer<sockaddr>) {
        var storage = sockaddr_storage()
        let length = pointer.pointee.sa_family == sa_family_t(AF_INET6) ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: length)) }
        self.storage = storage
    }

    public var isIPv6: Bool { storage.ss_family == sa_family_t(AF_INET6) }

    /// The port in host byte order.
    public var port: Int {
        withUnsafeBytes(of: storage) { raw in
            if isIPv6 { return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port)) }
            return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
        }
    }

    /// The numeric IP text.
    public var ip: String {
        var text = [CChar](repeating: 0, count: 64)
        withUnsafeBytes(of: storage) { raw in
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr.self)
            _ = uv_ip_name(sa, &text, text.count)
        }
        return String(decoding: text.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
    }

    /// The IP in network byte order: 4 bytes for IPv4, 16 for IPv6 (for address-range checks).
    public var ipBytes: [UInt8] { withIPBytes { Array($0) } }

    /// "ip:port", with brackets for IPv6.
    public var description: String { isIPv6 ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// Family, port and IP: the same address, whatever else the storage holds.
    public static func == (a: SocketAddress, b: SocketAddress) -> Bool {
        a.isIPv6 == b.isIPv6 && a.port == b.port && a.withIPBytes { x in b.withIPBytes { y in x.elementsEqual(y) } }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(isIPv6)
        hasher.combine(port)
        withIPBytes { hasher.combine(bytes: $0) }
    }

    /// The IP in network byte order, without copying it out.
    private func withIPBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            if isIPv6 { return withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr, body) }
            return withUnsafeBytes(of: raw.load(as: sockaddr_in.self).sin_addr, body)
        }
    }
}
