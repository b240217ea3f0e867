// What the WebSocket frame parser hands back, and the opcodes it knows (RFC 6455 §5.2).

/// The frame opcodes RFC 6455 defines; every other value is refused with 1002.
public enum WebSocketOpcode: UInt8, Sendable {
    case continuation = 0x0
    case text = 0x1
    case binary = 0x2
    case close = 0x8
    case ping = 0x9
    case pong = 0xA

    /// Close, ping and pong: at most 125 bytes, never fragmented (§5.5).
    var isControl: Bool { rawValue & 0x8 != 0 }
}

/// Why the peer's byte stream is no longer a WebSocket: the code to close with and a short
/// English phrase (sent as the close reason, so it stays well under 123 bytes).
public struct WebSocketProtocolError: Error, Sendable, Equatable {
    public let code: WebSocketCloseCode
    public let message: String

    public init(code: WebSocketCloseCode, message: String) {
        assert(code.isAllowedOnWire && message.utf8.count <= 123, "a failure must fit in a close frame")
        self.code = code
        self.message = message
    }

    static func protocolError(_ message: String) -> WebSocketProtocolError {
        WebSocketProtocolError(code: .protocolError, message: message)
    }
}

/// One complete thing the client said.
public enum WebSocketEvent: Sendable, Equatable {
    /// A whole text message, fragments joined; its bytes were valid UTF-8.
    case text(String)
    /// A whole binary message, fragments joined.
    case binary([UInt8])
    /// A ping; the answer is a pong with the same payload (§5.5.2).
    case ping([UInt8])
    /// A pong (an answer to our ping, or unsolicited; either way a sign of life).
    case pong([UInt8])
    /// The client starts or answers the closing handshake; `code` is nil when the frame had no
    /// payload. The parser returns nothing after this.
    case close(code: WebSocketCloseCode?, reason: String)
    /// The client broke the protocol: close with `error.code`. The parser returns nothing after this.
    case failure(WebSocketProtocolError)
}
