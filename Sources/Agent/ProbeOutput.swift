import CLibUV
import HTTP
import Loop
import Registry
import Server

// Check outputs as Consul writes them (hashicorp/consul agent/checks/check.go: CheckHTTP and
// CheckTCP), and the texts of the Go errors Consul passes through unchanged (net/http's
// url.Error, net.OpError), in one place.

/// The texts of a probe's result.
enum ProbeOutput {
    /// Go's suffix for an http.Client whose Timeout passed before the response head arrived.
    static let clientTimeoutSuffix = " (Client.Timeout exceeded while awaiting headers)"

    /// `HTTP GET http://x/health: 200 OK Output: ok`: method and URL as the check gave them.
    static func httpAnswer(method: String, url: String, statusText: String, body: [UInt8]) -> String {
        "HTTP \(method) \(url): \(statusText) Output: \(String(decoding: body, as: UTF8.self))"
    }

    /// Consul's status for an HTTP answer: 2xx passing, 429 warning, anything else critical.
    static func status(httpStatusCode code: Int) -> HealthStatus {
        switch code {
        case 200...299: .passing
        case 429: .warning
        default: .critical
        }
    }

    /// `Get "http://x/": <message>`, Go's url.Error, with a password in the URL hidden.
    static func httpError(method: String, url: String, _ message: String) -> String {
        "\(GoText.urlErrorOperation(method)) \(GoText.quoted(GoText.passwordRedacted(url))): \(message)"
    }

    /// `TCP connect host:port: Success`, with the address as the check gave it.
    static func tcpConnected(_ address: String) -> String {
        "TCP connect \(address): Success"
    }

    /// `dial tcp 127.0.0.1:1: connect: connection refused`.
    static func connectFailed(_ address: SocketAddress, _ error: LoopError) -> String {
        "dial tcp \(address): connect: \(GoText.errorText(error))"
    }

    /// `dial tcp 10.0.0.1:80: i/o timeout`.
    static func connectTimedOut(_ address: SocketAddress) -> String {
        "dial tcp \(address): i/o timeout"
    }

    /// `dial tcp: lookup example.invalid: no such host`.
    static func lookupFailed(_ host: String, _ error: LoopError) -> String {
        "dial tcp: lookup \(host): \(GoText.errorText(error))"
    }

    /// `dial tcp: lookup example.com: i/o timeout`.
    static func lookupTimedOut(_ host: String) -> String {
        "dial tcp: lookup \(host): i/o timeout"
    }

    /// The guard against probing link-local and cloud-metadata addresses: says which address
    /// was refused and which setting allows it.
    static func addressRefused(_ ip: String, _ range: String) -> String {
        "refusing to probe \(ip): \(range) targets are not allowed; "
            + "set \"security\": {\"\(ProbeRunner.allowLinkLocalConfigKey)\": true} in the agent configuration to allow them"
    }

    static let tooManyInFlight = "too many probes in flight"
    static let shuttingDown = "agent shutting down"
}

/// Go's ways of writing errors and strings.
enum GoText {
    /// `strconv.Quote`: double quotes, with `"`, `\` and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = Array("0123456789abcdef")
                out += "\\x\(hex[Int(scalar.value >> 4)])\(hex[Int(scalar.value & 0xF)])"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// net/http's name for a request in its errors: "GET" -> "Get", "POST" -> "Post".
    static func urlErrorOperation(_ method: String) -> String {
        guard let first = method.first else { return "Get" }
        return first.uppercased() + method.dropFirst().lowercased()
    }

    /// The URL with the password of its user information replaced by "***", as net/http's
    /// client does before it puts a URL in an error.
    static func passwordRedacted(_ url: String) -> String {
        let bytes = Array(url.utf8)
        guard let schemeEnd = findSubsequence(bytes, Array("://".utf8)) else { return url }
        let authorityStart = schemeEnd + 3
        let authorityEnd = bytes[authorityStart...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? bytes.endIndex
        guard let at = bytes[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")),
              let colon = bytes[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")) else { return url }
        return String(decoding: bytes[..<(colon + 1)] + Array("***".utf8) + bytes[at...], as: UTF8.self)
    }

    private static func findSubsequence(_ bytes: [UInt8], _ needle: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        return (0...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// The text Go prints for the errno behind a libuv error. libuv's texts are mostly
    /// strerror's, which Go's are too; the few that differ are mapped.
    static func errorText(_ error: LoopError) -> String {
        switch error.code {
        case UV_EAI_NONAME.rawValue, UV_EAI_NODATA.rawValue: "no such host"
        case UV_EHOSTUNREACH.rawValue: "no route to host"
        case UV_EADDRNOTAVAIL.rawValue: "cannot assign requested address"
        case UV_ECANCELED.rawValue: "operation was canceled"
        default: String(cString: uv_strerror(error.code))
        }
    }
}
