import HTTP

// The request an HTTP check sends, as Consul's CheckHTTP sends it through Go's client: the
// check's method and headers, a `Host` header in the check replacing the URL's, `User-Agent:
// Consul Health Check` and `Accept: text/plain, text/*, */*` unless the check sets them, Basic
// authentication from the URL's user information unless the check sets Authorization, and the
// body with its Content-Length. One difference: Consul turns keep-alives off and sends
// `Connection: close`; we send no Connection field, so the connection persists and the next
// probe of the address reuses it (`ProbeConnectionPool`).

/// A check whose request cannot be written, with Go's text.
struct HTTPProbeRequestError: Error, Sendable, Equatable {
    let message: String
    /// Whether Go reports it inside a url.Error (`Get "url": ...`) or alone (http.NewRequest).
    let wrapped: Bool
}

/// Builds the bytes of a probe's request.
enum HTTPProbeRequest {
    /// What Consul sends as its User-Agent (agent/checks/check.go `UserAgent`).
    static let userAgent = "Consul Health Check"
    static let accept = "text/plain, text/*, */*"

    /// The request head and body. Header names must be tokens and values free of CR, LF and
    /// NUL (Go refuses such a request before sending it; so do we).
    static func bytes(method: String, url: ProbeURL, headers: [(name: String, value: String)],
                      body: [UInt8]) -> Result<[UInt8], HTTPProbeRequestError> {
        guard isToken(method) else {
            return .failure(HTTPProbeRequestError(message: "net/http: invalid method \(GoText.quoted(method))", wrapped: false))
        }
        for field in headers {
            guard isToken(field.name) else {
                return .failure(HTTPProbeRequestError(message: "net/http: invalid header field name \(GoText.quoted(field.name))", wrapped: true))
            }
            guard !field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                return .failure(HTTPProbeRequestError(message: "net/http: invalid header field value for \(GoText.quoted(field.name))", wrapped: true))
            }
        }
        var head = "\(method) \(url.requestTarget) HTTP/1.1\r\n"
        head += "Host: \(first("Host", in: headers) ?? url.authority)\r\n"
        if first("User-Agent", in: headers) == nil { head += "User-Agent: \(userAgent)\r\n" }
        if first("Accept", in: headers) == nil { head += "Accept: \(accept)\r\n" }
        if let credentials = url.credentials, first("Authorization", in: headers) == nil {
            let pair = credentials.user + ":" + (credentials.password ?? "")
            head += "Authorization: Basic \(Base64.encode(Array(pair.utf8)))\r\n"
        }
        for field in headers where !isWrittenHere(field.name) {
            head += "\(field.name): \(field.value)\r\n"
        }
        // Go sends a length for any body, and "Content-Length: 0" for methods that expect one.
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            head += "Content-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        return .success(Array(head.utf8) + body)
    }

    /// Fields the writer owns: Host is written once (the check's first one wins, as Go's
    /// `Header.Get` has it), framing and persistence are ours.
    private static func isWrittenHere(_ name: String) -> Bool {
        ["host", "content-length", "transfer-encoding", "connection"].contains(name.lowercased())
    }

    private static func first(_ name: String, in headers: [(name: String, value: String)]) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// RFC 9110 tchar: a method or a field name.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
                 UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
                 UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
            default: false
            }
        }
    }
}
