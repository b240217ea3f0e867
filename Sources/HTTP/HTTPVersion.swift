// The two HTTP versions a Gravity server speaks on the wire (RFC 9112 §2.3).

/// The protocol version of a request. Anything but HTTP/1.0 and HTTP/1.1 is refused with 505.
public enum HTTPVersion: Sendable, Equatable {
    /// HTTP/1.0: no Host required, no chunked body, keep-alive only when asked for.
    case http1_0
    /// HTTP/1.1: Host required, persistent connections by default.
    case http1_1

    /// The version as written on the wire, e.g. "HTTP/1.1".
    public var text: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        }
    }
}
