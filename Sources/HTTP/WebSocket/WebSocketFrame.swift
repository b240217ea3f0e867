// Server-to-client WebSocket frames (RFC 6455 §5.2): always final, never masked (§5.1: "A
// server MUST NOT mask any frames that it sends to the client").

/// Appends whole server frames to an output buffer. The payloads come from our own code, so a
/// payload that breaks a frame rule (a control payload over 125 bytes, text that is not UTF-8)
/// is a bug here, stopped by a precondition or, for UTF-8, an assertion.
public enum WebSocketFrame {
    /// The largest control frame payload (§5.5).
    public static let maxControlPayloadBytes = 125

    /// A text message in one frame; `utf8` must be valid UTF-8 (the node encodes it so).
    public static func appendText(_ utf8: [UInt8], into buffer: inout [UInt8]) {
        assert(String(validating: utf8, as: UTF8.self) != nil, "a text frame must carry UTF-8")
        append(.text, utf8, into: &buffer)
    }

    /// A binary message in one frame.
    public static func appendBinary(_ bytes: [UInt8], into buffer: inout [UInt8]) {
        append(.binary, bytes, into: &buffer)
    }

    /// A ping; the client answers with a pong carrying the same payload.
    public static func appendPing(_ payload: [UInt8] = [], into buffer: inout [UInt8]) {
        precondition(payload.count <= maxControlPayloadBytes, "ping payload over 125 bytes")
        append(.ping, payload, into: &buffer)
    }

    /// A pong, normally echoing a ping's payload.
    public static func appendPong(_ payload: [UInt8], into buffer: inout [UInt8]) {
        precondition(payload.count <= maxControlPayloadBytes, "pong payload over 125 bytes")
        append(.pong, payload, into: &buffer)
    }

    /// A close frame: the code, then the reason in UTF-8 (together at most 125 bytes).
    public static func appendClose(_ code: WebSocketCloseCode, reason: String = "", into buffer: inout [UInt8]) {
        precondition(code.isAllowedOnWire, "close code \(code) may not be sent")
        precondition(reason.utf8.count <= maxControlPayloadBytes - 2, "close reason over 123 bytes")
        var payload = [UInt8(truncatingIfNeeded: code.rawValue >> 8), UInt8(truncatingIfNeeded: code.rawValue)]
        payload.append(contentsOf: reason.utf8)
        append(.close, payload, into: &buffer)
    }

    /// Bytes a frame with `payloadBytes` of payload takes on the wire.
    public static func frameBytes(payloadBytes: Int) -> Int {
        headerBytes(payloadBytes: payloadBytes) + payloadBytes
    }

    /// The header length: 2 bytes, plus 2 or 8 for the extended length (§5.2, minimal encoding).
    static func headerBytes(payloadBytes: Int) -> Int {
        precondition(payloadBytes >= 0)
        return payloadBytes < 126 ? 2 : payloadBytes <= 0xFFFF ? 4 : 10
    }

    private static func append(_ opcode: WebSocketOpcode, _ payload: [UInt8], into buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.reserveCapacity(start + frameBytes(payloadBytes: payload.count))
        buffer.append(0x80 | opcode.rawValue)
        let count = payload.count
        if count < 126 {
            buffer.append(UInt8(count))
        } else if count <= 0xFFFF {
            buffer.append(126)
            buffer.append(UInt8(truncatingIfNeeded: count >> 8))
            buffer.append(UInt8(truncatingIfNeeded: count))
        } else {
            buffer.append(127)
            let length = UInt64(count)
            for shift in stride(from: 56, through: 0, by: -8) { buffer.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        }
        buffer.append(contentsOf: payload)
        assert(buffer.count - start == frameBytes(payloadBytes: count), "frame length differs from its measure")
    }
}
