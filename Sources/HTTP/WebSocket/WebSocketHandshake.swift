// The server side of the WebSocket opening handshake (RFC 6455 §4.2): decide whether a request
// is a valid upgrade, and build the 101 answer that switches the connection.

/// Why a request is not an acceptable WebSocket upgrade, with the status to answer it with.
public struct WebSocketHandshakeError: Error, Equatable, Sendable {
    public let status: HTTPStatus
    public let message: String
    /// Header fields the refusal must carry (`Sec-WebSocket-Version` on a 426).
    public var headers = HTTPHeaders()
}

public enum WebSocketHandshake {
    /// The GUID every server appends to the client's key (RFC 6455 §1.3).
    static let guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Whether `request` asks to switch to WebSocket at all (an `Upgrade: websocket` header);
    /// a plain GET to a watch route is then a 400 rather than a silent HTTP answer.
    public static func isUpgrade(_ request: HTTPRequest) -> Bool {
        request.headers.values("Upgrade").contains { hasToken($0, "websocket") }
    }

    /// The 101 response for a valid upgrade request (RFC 6455 §4.2.1): GET over HTTP/1.1,
    /// `Upgrade: websocket`, `Connection: Upgrade`, a `Sec-WebSocket-Key` that is 16 bytes in
    /// base64, and `Sec-WebSocket-Version: 13` (anything else gets 426 with the version we speak).
    public static func accept(_ request: HTTPRequest) -> Result<HTTPResponse, WebSocketHandshakeError> {
        guard request.method == "GET" else {
            return .failure(WebSocketHandshakeError(status: .methodNotAllowed, message: "a WebSocket upgrade must be a GET"))
        }
        guard request.version == .http1_1 else {
            return .failure(WebSocketHandshakeError(status: .badRequest, message: "a WebSocket upgrade needs HTTP/1.1"))
        }
        guard isUpgrade(request) else {
            return .failure(WebSocketHandshakeError(status: .upgradeRequired, message: "this endpoint speaks WebSocket only: send Upgrade: websocket"))
        }
        guard request.headers.values("Connection").contains(where: { hasToken($0, "upgrade") }) else {
            return .failure(WebSocketHandshakeError(status: .badRequest, message: "Connection header must include Upgrade"))
        }
        let versions = request.headers.values("Sec-WebSocket-Version")
        guard versions.count == 1, versions[0].trimmingSpaces == "13" else {
            var error = WebSocketHandshakeError(status: .upgradeRequired, message: "unsupported Sec-WebSocket-Version; this server speaks 13")
            error.headers.add("Sec-WebSocket-Version", "13")
            return .failure(error)
        }
        let keys = request.headers.values("Sec-WebSocket-Key")
        guard keys.count == 1, let nonce = Base64.decode(keys[0].trimmingSpaces), nonce.count == 16 else {
            return .failure(WebSocketHandshakeError(status: .badRequest, message: "Sec-WebSocket-Key must be 16 bytes in base64"))
        }
        var response = HTTPResponse(status: .switchingProtocols)
        response.headers.add("Upgrade", "websocket")
        response.headers.add("Connection", "Upgrade")
        response.headers.add("Sec-WebSocket-Accept", acceptValue(forKey: keys[0].trimmingSpaces))
        return .success(response)
    }

    /// `Sec-WebSocket-Accept`: base64(SHA-1(key + GUID)).
    public static func acceptValue(forKey key: String) -> String {
        Base64.encode(SHA1.digest(Array((key + guid).utf8)))
    }

    /// Whether the comma-separated header `value` lists `token` (case-insensitively).
    private static func hasToken(_ value: String, _ token: String) -> Bool {
        value.split(separator: ",").contains { $0.trimmingSpaces.lowercased() == token }
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view.removeFirst() }
        while let last = view.last, last == " " || last == "\t" { view.removeLast() }
        return String(view)
    }
}
