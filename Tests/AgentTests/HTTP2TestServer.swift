// A loopback h2c server for the gRPC and H2PING probe tests: nghttp2's server session over the Loop
// module's TCP listener, on the test's own loop. It answers grpc.health.v1.Health/Check by the
// service asked about, and PINGs (unless told not to), and records what it was asked.
import CNGHTTP2
import Loop

@testable import Agent

final class HTTP2TestServer {
    private let listener: TCPListener
    private var connections: [HTTP2TestConnection] = []
    /// The Check requests' header fields and services, in arrival order.
    fileprivate(set) var requests: [(headers: [String: String], service: String)] = []
    /// PINGs are left unacknowledged (so a ping probe times out).
    let acknowledgesPings: Bool

    init(loop: EventLoop, acknowledgesPings: Bool = true) throws {
        self.acknowledgesPings = acknowledgesPings
        listener = try TCPListener(loop: loop)
        try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { [unowned self] stream in
            // A test server that cannot make a session drops the connection; the probe reports it.
            guard let connection = try? HTTP2TestConnection(server: self, stream: stream) else { return stream.close() }
            self.connections.append(connection)
        }
    }

    var port: Int { listener.localAddress!.port }
    var address: String { "127.0.0.1:\(port)" }

    fileprivate func record(_ headers: [String: String], service: String) { requests.append((headers, service)) }

    /// What the Check call for `service` gets.
    fileprivate enum Reply {
        case status(UInt8, extraFields: Bool)
        case trailersOnly(grpcStatus: String, message: String)
        case reset
        case silence
        case closeConnection
    }

    fileprivate static func reply(for service: String) -> Reply {
        switch service {
        case "", "ok": .status(1, extraFields: false)
        case "extra": .status(1, extraFields: true)
        case "down": .status(2, extraFields: false)
        case "missing": .trailersOnly(grpcStatus: "5", message: "unknown%20service")
        case "reset": .reset
        case "slow": .silence
        default: .closeConnection
        }
    }
}

/// One accepted connection and its nghttp2 server session.
final class HTTP2TestConnection {
    private unowned let server: HTTP2TestServer
    private let stream: TCPStream
    private var session: OpaquePointer?
    private var headers: [Int32: [String: String]] = [:]
    private var bodies: [Int32: [UInt8]] = [:]
    /// Response DATA waiting for nghttp2 to ask for it, by stream.
    private var pendingData: [Int32: [UInt8]] = [:]

    fileprivate init(server: HTTP2TestServer, stream: TCPStream) throws {
        self.server = server
        self.stream = stream
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { throw HTTP2Error(message: "callbacks") }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, testOnFrame)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, testOnHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, testOnData)
        var option: OpaquePointer?
        guard nghttp2_option_new(&option) == 0, let option else { throw HTTP2Error(message: "option") }
        defer { nghttp2_option_del(option) }
        if !server.acknowledgesPings { nghttp2_option_set_no_auto_ping_ack(option, 1) }
        guard nghttp2_session_server_new2(&session, callbacks, Unmanaged.passUnretained(self).toOpaque(), option) == 0 else {
            throw HTTP2Error(message: "session")
        }
        _ = nghttp2_submit_settings(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil, 0)
        stream.onRead = { [unowned self] bytes in self.received(bytes) }
        stream.onReadEnd = { [unowned self] _ in self.stream.close() }
        try stream.startReading()
    }

    deinit { nghttp2_session_del(session) }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        let rc = nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        guard rc >= 0 else { return stream.close() }
        flush()
    }

    private func flush() {
        while true {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            guard count > 0, let chunk else { return }
            stream.write(UnsafeRawBufferPointer(start: chunk, count: count))
        }
    }

    fileprivate func header(streamID: Int32, name: String, value: String) { headers[streamID, default: [:]][name] = value }
    fileprivate func data(streamID: Int32, _ bytes: UnsafeBufferPointer<UInt8>) { bodies[streamID, default: []] += bytes }

    fileprivate func frame(type: UInt8, flags: UInt8, streamID: Int32) {
        guard streamID > 0, flags & UInt8(NGHTTP2_FLAG_END_STREAM.rawValue) != 0,
              UInt32(type) == NGHTTP2_DATA.rawValue || UInt32(type) == NGHTTP2_HEADERS.rawValue else { return }
        let body = bodies[streamID] ?? []
        // HealthCheckRequest{service}: the frame header, then field 1 with a one-byte length.
        let service = body.count > 7 && body[5] == 0x0A ? String(decoding: body[7...], as: UTF8.self) : ""
        server.record(headers[streamID] ?? [:], service: service)
        answer(streamID, HTTP2TestServer.reply(for: service))
    }

    private func answer(_ streamID: Int32, _ reply: HTTP2TestServer.Reply) {
        let head = [(name: ":status", value: "200"), (name: "content-type", value: "application/grpc")]
        switch reply {
        case .status(let status, let extraFields):
            let message: [UInt8] = extraFields ? [0x1A, 0x02, 0x68, 0x69, 0x08, status, 0x20, 0x05] : [0x08, status]
            pendingData[streamID] = GRPCHealth.frame(message)
            var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: testReadData)
            _ = HTTP2ClientSession.withHeaderBlock(head) { nghttp2_submit_response(session, streamID, $0, $1, &provider) }
        case .trailersOnly(let status, let message):
            let fields = head + [(name: "grpc-status", value: status), (name: "grpc-message", value: message)]
            _ = HTTP2ClientSession.withHeaderBlock(fields) { nghttp2_submit_response(session, streamID, $0, $1, nil) }
        case .reset:
            _ = nghttp2_submit_rst_stream(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), streamID, NGHTTP2_INTERNAL_ERROR.rawValue)
        case .silence:
            break
        case .closeConnection:
            stream.close()
        }
    }

    /// The response's DATA, then its trailers (grpc-status 0) from inside the read callback,
    /// as nghttp2 documents for trailers.
    fileprivate func readData(streamID: Int32, into buffer: UnsafeMutablePointer<UInt8>, capacity: Int,
                              flags: UnsafeMutablePointer<UInt32>) -> Int {
        let bytes = pendingData.removeValue(forKey: streamID) ?? []
        precondition(bytes.count <= capacity, "a health answer fits one DATA frame")
        buffer.update(from: bytes, count: bytes.count)
        flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
        _ = HTTP2ClientSession.withHeaderBlock([(name: "grpc-status", value: "0")]) { nghttp2_submit_trailer(session, streamID, $0, $1) }
        return bytes.count
    }
}

private func testConnection(_ userData: UnsafeMutableRawPointer?) -> HTTP2TestConnection {
    Unmanaged<HTTP2TestConnection>.fromOpaque(userData!).takeUnretainedValue()
}

private let testOnFrame: nghttp2_on_frame_recv_callback = { _, frame, userData in
    guard let frame else { return 0 }
    testConnection(userData).frame(type: frame.pointee.hd.type, flags: frame.pointee.hd.flags, streamID: frame.pointee.hd.stream_id)
    return 0
}

private let testOnHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    guard let frame else { return 0 }
    testConnection(userData).header(streamID: frame.pointee.hd.stream_id,
                                    name: String(decoding: UnsafeBufferPointer(start: name, count: nameLength), as: UTF8.self),
                                    value: String(decoding: UnsafeBufferPointer(start: value, count: valueLength), as: UTF8.self))
    return 0
}

private let testOnData: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    testConnection(userData).data(streamID: streamID, UnsafeBufferPointer(start: data, count: length))
    return 0
}

private let testReadData: nghttp2_data_source_read_callback = { _, streamID, buffer, length, flags, _, userData in
    guard let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return testConnection(userData).readData(streamID: streamID, into: buffer, capacity: length, flags: flags)
}
