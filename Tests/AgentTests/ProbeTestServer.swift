// A loopback HTTP server for the probe tests, built on the Loop module and the strict request
// parser (so every probe request is also checked to be well-formed HTTP/1.1). It answers by path.
import HTTP
import Loop

final class ProbeTestServer {
    private let listener: TCPListener
    /// Every request received, in order.
    private(set) var requests: [HTTPRequest] = []

    /// Listens on 127.0.0.1 at a free port.
    init(loop: EventLoop) throws {
        listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { [unowned self] stream in self.accepted(stream) }
    }

    var port: Int { listener.localAddress!.port }

    /// "http://127.0.0.1:port" + path.
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    private func accepted(_ stream: TCPStream) {
        var parser = HTTPRequestParser()
        stream.onRead = { [unowned self, unowned stream] bytes in
            parser.feed(bytes)
            while let event = parser.next() {
                guard case .request(let request) = event else { return stream.close() }
                self.requests.append(request)
                self.answer(request, on: stream)
            }
        }
        stream.onReadEnd = { [unowned stream] _ in stream.close() }
        try? stream.startReading()  // a fresh stream can always start reading
    }

    /// The answers the tests probe for.
    private func answer(_ request: HTTPRequest, on stream: TCPStream) {
        switch request.path {
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
