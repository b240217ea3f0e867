#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A response as the CLI needs it.
struct ClientResponse: Equatable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    static func == (a: ClientResponse, b: ClientResponse) -> Bool {
        a.status == b.status && a.body == b.body && a.headers.elementsEqual(b.headers) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first header named `name`, ignoring case.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking HTTP/1.1 client for the CLI: one request per connection (`Connection: close`),
/// read to the end. A CLI makes one or two calls and exits, so a socket and a read loop are all
/// it needs; no event loop, no TLS (the agent's HTTP API listens on loopback by default).
struct ConsulHTTPClient {
    let address: ConsulHTTPAddress
    /// Longest wait for the agent to accept, answer or go on answering.
    var timeoutSeconds = 60
    /// Largest response read; beyond it the CLI gives up rather than fill memory.
    static let maxResponseBytes = 64 * 1024 * 1024

    /// Sends `method path` with `body` and returns the response, whatever its status.
    func send(_ method: String, _ path: String, body: [UInt8] = []) throws(CLIError) -> ClientResponse {
        let fd = try openConnection()
        defer { close(fd) }
        try writeAll(fd, Self.requestBytes(method, path, host: address.authority, body: body))
        return try Self.parseResponse(readAll(fd))
    }

    /// The request as written on the wire.
    static func requestBytes(_ method: String, _ path: String, host: String, body: [UInt8]) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: gravity-cli\r\nAccept: */*\r\nConnection: close\r\n"
        if !body.isEmpty || method == "PUT" || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    // MARK: Response parsing

    /// Parses a complete response read to EOF: status line, header fields, then a body framed
    /// by chunked encoding, Content-Length, or the end of the connection.
    static func parseResponse(_ bytes: [UInt8]) throws(CLIError) -> ClientResponse {
        guard let end = firstIndex(of: [13, 10, 13, 10], in: bytes, from: 0) else {
            throw CLIError("Malformed response from the agent: no end of header")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusWords = lines[0].split(separator: " ", maxSplits: 2)
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let status = Int(statusWords[1]) else {
            throw CLIError("Malformed response from the agent: bad status line \(quoted(String(lines[0])))")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw CLIError("Malformed response from the agent: bad header line") }
            headers.append((String(line[..<colon]), String(trimmingBlanks(line[line.index(after: colon)...]))))
        }
        var response = ClientResponse(status: status, headers: headers, body: [])
        let rest = Array(bytes[(end + 4)...])
        if response.header("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            response.body = try dechunk(rest)
        } else if let lengthText = response.header("Content-Length") {
            guard let length = Int(lengthText), length >= 0, length <= rest.count else {
                throw CLIError("Malformed response from the agent: Content-Length \(lengthText) with \(rest.count) bytes")
            }
            response.body = Array(rest.prefix(length))
        } else {
            response.body = rest
        }
        return response
    }

    /// Decodes a chunked body (RFC 9112 §7.1); extensions and trailers are skipped.
    static func dechunk(_ bytes: [UInt8]) throws(CLIError) -> [UInt8] {
        var body: [UInt8] = []
        var offset = 0
        while true {
            guard let lineEnd = firstIndex(of: [13, 10], in: bytes, from: offset) else { throw CLIError("Malformed chunked response") }
            let sizeText = String(decoding: bytes[offset..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(trimmingBlanks(sizeText), radix: 16), size >= 0 else { throw CLIError("Malformed chunk size") }
            offset = lineEnd + 2
            if size == 0 { return body }
            guard offset + size + 2 <= bytes.count else { throw CLIError("Truncated chunked response") }
            body += bytes[offset..<offset + size]
            offset += size + 2
        }
    }

    static func firstIndex(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    // MARK: Socket

    /// Connects to the first address of the host that accepts.
    private func openConnection() throws(CLIError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(address.host, String(address.port), &hints, &list)
        guard status == 0, let first = list else {
            throw CLIError("Error connecting to the agent at \(address.authority): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError: Int32 = 0
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = errno; continue }
            setTimeouts(fd)
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
            lastError = errno
            close(fd)
        }
        throw CLIError("Error connecting to the agent at \(address.authority): \(String(cString: strerror(lastError)))")
    }

    private func setTimeouts(_ fd: Int32) {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        // Without the timeouts a dead agent would hang the CLI; a failure here leaves the
        // default (blocking) and is not worth refusing the call for.
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, size)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, size)
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(CLIError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw CLIError("Error sending to the agent at \(address.authority): \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    private func readAll(_ fd: Int32) throws(CLIError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw CLIError("Error reading from the agent at \(address.authority): \(String(cString: strerror(errno)))") }
            if count == 0 { return received }
            received += buffer[..<count]
            guard received.count <= Self.maxResponseBytes else { throw CLIError("Response from the agent larger than 64 MiB") }
        }
    }
}
