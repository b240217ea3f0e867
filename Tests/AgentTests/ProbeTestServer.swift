// A loopback HTTP server for the probe tests, built on the Loop module and the strict request
// parser (so every probe request is also checked to be well-formed HTTP/1.1). It answers by path.
import HTTP
import Loop

final class ProbeTestServer {
    private let listener: TCPListener
    /// Every request received, in order.
    private(set) var requests: [HTTPRequest] = []
    /// Connections accepted so far.
    private(set) var connectionsAccepted = 0
    /// Connections the clients closed (the probes' resets included).
    private(set) var connectionsEnded = 0
    /// Open connections, for `closeIdleConnections`.
    private var open: [ObjectIdentifier: TCPStream] = [:]

    /// Listens on 127.0.0.1 at a free port.
    init(loop: EventLoop) throws {
        listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { [unowned self] stream in self.accepted(stream) }
    }

    var port: Int { listener.localAddress!.port }

    /// "http://127.0.0.1:port" + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// Closes every connection the server holds open, as a server's idle timeout does.
    func closeIdleConnections() {
        for stream in open.values { stream.close() }
    }

    private func accepted(_ stream: TCPStream) {
        var parser = HTTPRequestParser()
        var served = 0
        connectionsAccepted += 1
        open[ObjectIdentifier(stream)] = stream
        stream.onClose = { [unowned self, unowned stream] in self.open[ObjectIdentifier(stream)] = nil }
        stream.onRead = { [unowned self, unowned stream] bytes in
            parser.feed(bytes)
            while let event = parser.next() {
                guard case .request(let request) = event else { return stream.close() }
                self.requests.append(request)
                served += 1
                self.answer(request, on: stream, served: served)
            }
        }
        stream.onReadEnd = { [unowned self, unowned stream] _ in
            self.connectionsEnded += 1
            stream.close()
        }
        try? stream.startReading()  // a fresh stream can always start reading
    }

    /// The answers the tests probe for.
    private func answer(_ request: HTTPRequest, on stream: TCPStream, served: Int) {
        switch request.path {
        // Connections left open: HTTP/1.1's default, and HTTP/1.0 with keep-alive.
        case "/keep": stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nkept".utf8))
        case "/keep-1.0": stream.write(Array("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nkept".utf8))
        // Says it closes but leaves the closing to the client.
        case "/says-close": stream.write(Array("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbye!".utf8))
        // Answers the first request on a connection and keeps it, then closes it unanswered on the
        // next: a server that timed the connection out just as the request went out.
        case "/keep-once":
            if served > 1 { return stream.close() }
            stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nonce".utf8))
        case "/ok": finish(stream, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok")
        case "/busy": finish(stream, "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 9\r\n\r\nslow down")
        case "/down": finish(stream, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\ndown")
        case "/redirect": finish(stream, "HTTP/1.1 302 Found\r\nLocation: /ok\r\nContent-Length: 5\r\n\r\nmoved")
        case "/close": finish(stream, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close")
        case "/chunked":
            finish(stream, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")
        case "/interim": finish(stream, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\nmade")
        case "/big": finish(stream, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n" + String(repeating: "x", count: 10_000))
        case "/garbage": finish(stream, "garbage\r\n\r\n")
        case "/empty": stream.close()
        case "/slow": break  // never answers: the probe's timeout ends it
        case "/slow-body": stream.write(Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".utf8))  // and no more
        case "/endless":
            // A body with no end and no close: only the probe's read cap ends it before its timeout.
            stream.write(Array("HTTP/1.1 200 OK\r\n\r\n".utf8))
            for _ in 0..<8 { stream.write([UInt8](repeating: UInt8(ascii: "e"), count: 64 * 1024)) }
        default: finish(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        }
    }

    private func finish(_ stream: TCPStream, _ response: String) {
        stream.write(Array(response.utf8))
        stream.closeAfterPendingWrites()
    }
}
