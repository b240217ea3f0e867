// Status codes and reason phrases used by Gravity (RFC 9110 §15).

/// A response status: a three-digit code and its reason phrase.
public struct HTTPStatus: Sendable, Equatable {
    /// The numeric code, 100...999.
    public let code: Int
    /// The reason phrase written on the status line.
    public let reason: String

    /// A status with any code and reason. The reason must not hold CR or LF (it is written verbatim).
    public init(code: Int, reason: String) {
        precondition((100...999).contains(code), "status code must have three digits")
        precondition(!reason.utf8.contains(ASCII.cr) && !reason.utf8.contains(ASCII.lf), "CR/LF in reason")
        self.code = code
        self.reason = reason
    }

    /// 100 Continue: the interim answer to "Expect: 100-continue".
    public static let `continue` = HTTPStatus(code: 100, reason: "Continue")
    /// 101 Switching Protocols: the answer that turns a connection into a WebSocket.
    public static let switchingProtocols = HTTPStatus(code: 101, reason: "Switching Protocols")
    /// 200 OK.
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    /// 201 Created.
    public static let created = HTTPStatus(code: 201, reason: "Created")
    /// 204 No Content: written without Content-Length and without body.
    public static let noContent = HTTPStatus(code: 204, reason: "No Content")
    /// 400 Bad Request.
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    /// 401 Unauthorized.
    public static let unauthorized = HTTPStatus(code: 401, reason: "Unauthorized")
    /// 403 Forbidden.
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    /// 404 Not Found.
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    /// 405 Method Not Allowed (send an Allow header with it).
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    /// 408 Request Timeout.
    public static let requestTimeout = HTTPStatus(code: 408, reason: "Request Timeout")
    /// 409 Conflict.
    public static let conflict = HTTPStatus(code: 409, reason: "Conflict")
    /// 413, named "Content Too Large" by RFC 9110 §15.5.14 (formerly "Payload Too Large").
    public static let payloadTooLarge = HTTPStatus(code: 413, reason: "Content Too Large")
    /// 414 URI Too Long.
    public static let uriTooLong = HTTPStatus(code: 414, reason: "URI Too Long")
    /// 417 Expectation Failed.
    public static let expectationFailed = HTTPStatus(code: 417, reason: "Expectation Failed")
    /// 426 Upgrade Required: a WebSocket route asked for without a usable upgrade.
    public static let upgradeRequired = HTTPStatus(code: 426, reason: "Upgrade Required")
    /// 429 Too Many Requests.
    public static let tooManyRequests = HTTPStatus(code: 429, reason: "Too Many Requests")
    /// 431 Request Header Fields Too Large.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    /// 500 Internal Server Error.
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    /// 501 Not Implemented.
    public static let notImplemented = HTTPStatus(code: 501, reason: "Not Implemented")
    /// 503 Service Unavailable.
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    /// 505 HTTP Version Not Supported.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}
