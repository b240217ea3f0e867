// WebSocket close status codes (RFC 6455 §7.4 and IANA's "WebSocket Close Code Number Registry")
// and which of them may travel in a close frame.

/// The status code of a close frame. Any 16-bit value can be represented; `isAllowedOnWire`
/// says whether a peer may send it.
public struct WebSocketCloseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16

    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// 1000: the purpose of the connection is fulfilled.
    public static let normalClosure = WebSocketCloseCode(rawValue: 1000)
    /// 1001: the server is going down (or the peer navigates away).
    public static let goingAway = WebSocketCloseCode(rawValue: 1001)
    /// 1002: the peer broke the framing rules.
    public static let protocolError = WebSocketCloseCode(rawValue: 1002)
    /// 1003: a kind of data the endpoint cannot accept.
    public static let unsupportedData = WebSocketCloseCode(rawValue: 1003)
    /// 1007: a text message (or close reason) that is not UTF-8.
    public static let invalidPayload = WebSocketCloseCode(rawValue: 1007)
    /// 1008: the peer broke a policy (Gravity: a watcher that does not read what it is sent).
    public static let policyViolation = WebSocketCloseCode(rawValue: 1008)
    /// 1009: a message larger than the endpoint accepts.
    public static let messageTooBig = WebSocketCloseCode(rawValue: 1009)
    /// 1011: the server met a condition it cannot go on from.
    public static let internalError = WebSocketCloseCode(rawValue: 1011)

    /// Whether a close frame may carry this code (RFC 6455 §7.4.1, §7.4.2, IANA registry).
    /// 1005, 1006 and 1015 exist only to be reported locally; 1004 and 1016-2999 are reserved
    /// for future protocol use; below 1000 and from 5000 up nothing is defined.
    public var isAllowedOnWire: Bool {
        switch rawValue {
        case 1000...1003: true
        case 1007...1014: true  // 1012-1014 are IANA's Service Restart, Try Again Later, Bad Gateway
        case 3000...4999: true  // registered (3xxx) and private (4xxx) use
        default: false
        }
    }

    public var description: String { String(rawValue) }
}
