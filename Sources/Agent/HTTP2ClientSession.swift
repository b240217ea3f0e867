import CNGHTTP2

// An HTTP/2 client connection for probes, as a byte transformer like `TLSClientSession`: the
// probe feeds it the bytes it read (`receive`) and writes what it gives back (`takeOutput`);
// nghttp2 (libnghttp2, RFC 9113) does the framing, HPACK and flow control, and never touches a
// socket (its mem_recv / mem_send API). Confined to the loop thread, like the probe holding it.
//
// Ownership: the session owns its nghttp2_session (freed in deinit: it is memory, not a libuv
// handle). nghttp2 calls back only from inside mem_recv / mem_send, which run inside this
// object's methods, so the callbacks reach it through an unretained pointer in user_data.

/// nghttp2 refused something (memory, a protocol error from the peer), with its text.
struct HTTP2Error: Error, Sendable, Equatable {
    let message: String
}

/// One HTTP/2 client connection carrying at most one request (a probe needs no more).
final class HTTP2ClientSession {
    private var session: OpaquePointer?
    /// Bounds the response's header fields (names plus values), trailers included.
    private let maxHeaderBytes: Int
    private var headerBytes = 0
    private var requestBody: [UInt8] = []
    private var requestBodySent = 0
    /// The stream of the one request; -1 before it is submitted.
    private(set) var requestStreamID: Int32 = -1
    /// What came back on that stream.
    private(set) var answer = GRPCAnswer()
    /// The stream has closed (ended by the peer, or reset).
    private(set) var streamClosed = false
    private(set) var pingAcknowledged = false
    /// The peer sent GOAWAY with this error code.
    private(set) var goAwayCode: UInt32?
    /// A bound was passed inside a callback; the session then refuses further input.
    private(set) var limitExceeded: String?

    /// A client session that has queued its connection preface and SETTINGS (push disabled).
    init(maxHeaderBytes: Int) throws(HTTP2Error) {
        precondition(maxHeaderBytes > 0)
        self.maxHeaderBytes = maxHeaderBytes
        var callbacks: OpaquePointer?
        guard nghttp2_session_callbacks_new(&callbacks) == 0, let callbacks else { throw HTTP2Error(message: "http2: out of memory") }
        defer { nghttp2_session_callbacks_del(callbacks) }
        nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, http2OnFrameReceived)
        nghttp2_session_callbacks_set_on_header_callback(callbacks, http2OnHeader)
        nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, http2OnDataChunk)
        nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, http2OnStreamClose)
        var created: OpaquePointer?
        let rc = nghttp2_session_client_new(&created, callbacks, Unmanaged.passUnretained(self).toOpaque())
        guard rc == 0, let created else { throw HTTP2Error(message: Self.text(rc)) }
        session = created
        var settings = [nghttp2_settings_entry(settings_id: Int32(NGHTTP2_SETTINGS_ENABLE_PUSH.rawValue), value: 0)]
        try check(nghttp2_submit_settings(created, UInt8(NGHTTP2_FLAG_NONE.rawValue), &settings, settings.count))
    }

    deinit { nghttp2_session_del(session) }

    /// Queues a PING (8 zero bytes of opaque data); `pingAcknowledged` turns true on its ACK.
    func submitPing() throws(HTTP2Error) {
        try check(nghttp2_submit_ping(session, UInt8(NGHTTP2_FLAG_NONE.rawValue), nil))
    }

    /// Queues the one request: `headers` (pseudo-headers first) and `body` (ends the stream).
    func submitRequest(headers: [(name: String, value: String)], body: [UInt8]) throws(HTTP2Error) {
        precondition(requestStreamID == -1, "one request per probe session")
        requestBody = body
        var provider = nghttp2_data_provider(source: nghttp2_data_source(ptr: nil), read_callback: http2ReadRequestBody)
        // nghttp2 copies the header block during the call (nghttp2_submit_request's contract).
        let streamID = Self.withHeaderBlock(headers) { fields, count in
            nghttp2_submit_request(session, nil, fields, count, &provider, nil)
        }
        guard streamID > 0 else { throw HTTP2Error(message: Self.text(streamID)) }
        requestStreamID = streamID
    }

    /// Feeds bytes from the peer; callbacks update `answer`, `pingAcknowledged` and the rest.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard bytes.count > 0 else { return }
        if let limitExceeded { throw HTTP2Error(message: limitExceeded) }
        let consumed = nghttp2_session_mem_recv(session, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        if let limitExceeded { throw HTTP2Error(message: limitExceeded) }
        guard consumed >= 0 else { throw HTTP2Error(message: Self.text(Int32(truncatingIfNeeded: consumed))) }
        assert(consumed == bytes.count, "nghttp2 consumes all input unless it fails")
    }

    /// Everything nghttp2 has queued for the peer (preface, SETTINGS and PING acknowledgements,
    /// the request), to write in order.
    func takeOutput() throws(HTTP2Error) -> [UInt8] {
        var output: [UInt8] = []
        while true {
            var chunk: UnsafePointer<UInt8>?
            let count = nghttp2_session_mem_send(session, &chunk)
            guard count >= 0 else { throw HTTP2Error(message: Self.text(Int32(truncatingIfNeeded: count))) }
            guard count > 0, let chunk else { return output }
            output += UnsafeBufferPointer(start: chunk, count: count)
        }
    }

    private func check(_ rc: Int32) throws(HTTP2Error) {
        guard rc == 0 else { throw HTTP2Error(message: Self.text(rc)) }
    }

    static func text(_ rc: Int32) -> String {
        "http2: " + String(cString: nghttp2_strerror(rc))
    }

    /// Lays `headers` out in one buffer and calls `body` with nghttp2_nv records pointing into it.
    static func withHeaderBlock<R>(_ headers: [(name: String, value: String)],
                                           _ body: (UnsafePointer<nghttp2_nv>, Int) -> R) -> R {
        var block: [UInt8] = []
        var spans: [(name: Range<Int>, value: Range<Int>)] = []
        for (name, value) in headers {
            let nameStart = block.count
            block += name.utf8
            let valueStart = block.count
            block += value.utf8
            spans.append((nameStart..<valueStart, valueStart..<block.count))
        }
        // Every block has a pseudo-header, so the buffer is never empty and has a base address.
        precondition(!headers.isEmpty && !block.isEmpty, "an HTTP/2 header block is never empty")
        return block.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            let fields = spans.map { span in
                nghttp2_nv(name: base + span.name.lowerBound, value: base + span.value.lowerBound, namelen: span.name.count,
                           valuelen: span.value.count, flags: UInt8(NGHTTP2_NV_FLAG_NONE.rawValue))
            }
            return fields.withUnsafeBufferPointer { body($0.baseAddress!, $0.count) }
        }
    }

    // MARK: Events from nghttp2's callbacks

    fileprivate func frameReceived(_ frame: UnsafePointer<nghttp2_frame>) {
        let header = frame.pointee.hd
        let isAck = header.flags & UInt8(NGHTTP2_FLAG_ACK.rawValue) != 0
        switch UInt32(header.type) {
        case NGHTTP2_PING.rawValue where isAck:
            pingAcknowledged = true
        case NGHTTP2_GOAWAY.rawValue:
            goAwayCode = frame.pointee.goaway.error_code
        default:
            break
        }
    }

    fileprivate func header(_ frame: UnsafePointer<nghttp2_frame>, name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard frame.pointee.hd.stream_id == requestStreamID else { return true }
        headerBytes += name.count + value.count
        guard headerBytes <= maxHeaderBytes else {
            limitExceeded = "http2: response header fields over \(maxHeaderBytes) bytes"
            return false
        }
        let name = String(decoding: name, as: UTF8.self), value = String(decoding: value, as: UTF8.self)
        // Both the head and the trailers can carry grpc-status (a trailers-only answer).
        switch name {
        case ":status": answer.httpStatus = Int(value)
        case "content-type": answer.contentType = value
        case "grpc-status": answer.grpcStatus = value
        case "grpc-message": answer.grpcMessage = value
        default: break
        }
        return true
    }

    fileprivate func dataChunk(streamID: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        // The probe's read cap (`maxResponseBytes`) bounds the total.
        guard streamID == requestStreamID else { return }
        answer.data += bytes
    }

    fileprivate func streamClosed(streamID: Int32, errorCode: UInt32) {
        guard streamID == requestStreamID else { return }
        streamClosed = true
        if errorCode != NGHTTP2_NO_ERROR.rawValue { answer.resetCode = errorCode }
    }

    /// Copies the next part of the request body into `buffer`; the last part ends the stream.
    fileprivate func readRequestBody(into buffer: UnsafeMutablePointer<UInt8>, capacity: Int, flags: UnsafeMutablePointer<UInt32>) -> Int {
        let count = min(capacity, requestBody.count - requestBodySent)
        requestBody.withUnsafeBufferPointer { body in
            guard count > 0 else { return }
            buffer.update(from: body.baseAddress! + requestBodySent, count: count)
        }
        requestBodySent += count
        if requestBodySent == requestBody.count { flags.pointee |= NGHTTP2_DATA_FLAG_EOF.rawValue }
        assert(requestBodySent <= requestBody.count)
        return count
    }
}

// nghttp2's callbacks: file scope, so they carry no actor isolation (swift-c-interop.md §3.3).
// user_data is the session, unretained: nghttp2 calls back only from inside its methods.

private func session(_ userData: UnsafeMutableRawPointer?) -> HTTP2ClientSession {
    Unmanaged<HTTP2ClientSession>.fromOpaque(userData!).takeUnretainedValue()
}

private let http2OnFrameReceived: nghttp2_on_frame_recv_callback = { _, frame, userData in
    guard let frame else { return 0 }
    session(userData).frameReceived(frame)
    return 0
}

private let http2OnHeader: nghttp2_on_header_callback = { _, frame, name, nameLength, value, valueLength, _, userData in
    guard let frame else { return 0 }
    let accepted = session(userData).header(frame, name: UnsafeBufferPointer(start: name, count: nameLength),
                                            value: UnsafeBufferPointer(start: value, count: valueLength))
    return accepted ? 0 : NGHTTP2_ERR_CALLBACK_FAILURE.rawValue
}

private let http2OnDataChunk: nghttp2_on_data_chunk_recv_callback = { _, _, streamID, data, length, userData in
    session(userData).dataChunk(streamID: streamID, UnsafeBufferPointer(start: data, count: length))
    return 0
}

private let http2OnStreamClose: nghttp2_on_stream_close_callback = { _, streamID, errorCode, userData in
    session(userData).streamClosed(streamID: streamID, errorCode: errorCode)
    return 0
}

private let http2ReadRequestBody: nghttp2_data_source_read_callback = { _, _, buffer, length, flags, _, userData in
    guard let buffer, let flags else { return Int(NGHTTP2_ERR_CALLBACK_FAILURE.rawValue) }
    return session(userData).readRequestBody(into: buffer, capacity: length, flags: flags)
}
