import HTTP

// Where a probe connects: a check's `HTTP` URL or `TCP` address, read the way Go's net/url and
// net.SplitHostPort read them (Consul runs its checks with Go's client), with Go's error texts.
// Pure: no I/O, so the parsing is tested without sockets.

/// A host and port to dial. `host` is a name or an IP literal without brackets.
struct ProbeEndpoint: Sendable, Equatable {
    var host: String
    var port: Int
}

/// The parts of an `http://` or `https://` URL a probe needs.
struct ProbeURL: Sendable, Equatable {
    /// `https://`: the exchange runs over TLS.
    var usesTLS: Bool
    var endpoint: ProbeEndpoint
    /// The authority without user information, as written: the default `Host` header
    /// ("example.com:8080", "[::1]:80"), as Go sends `URL.Host`.
    var authority: String
    /// Path (or "/") and query, fragment dropped, bytes a request line cannot carry escaped.
    var requestTarget: String
    /// `user:password` from the URL, percent-decoded, for Basic authentication (Go sends it).
    var credentials: (user: String, password: String?)?

    static func == (a: ProbeURL, b: ProbeURL) -> Bool {
        a.usesTLS == b.usesTLS && a.endpoint == b.endpoint && a.authority == b.authority && a.requestTarget == b.requestTarget
            && a.credentials?.user == b.credentials?.user && a.credentials?.password == b.credentials?.password
    }
}

/// Why a URL cannot be probed.
enum ProbeURLError: Error, Sendable, Equatable {
    /// The text Go's client would report for this URL (without the `Get "url": ` prefix when
    /// `wrapped` is false: errors from url.Parse stand alone in Consul's output).
    case invalid(String, wrapped: Bool)
}

extension ProbeURL {
    /// Parses `text` as Go's http.NewRequest and Client.Do would, for the schemes a probe takes.
    static func parse(_ text: String) -> Result<ProbeURL, ProbeURLError> {
        let bytes = Array(text.utf8)
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            return .failure(.invalid("parse \(GoText.quoted(text)): net/url: invalid control character in URL", wrapped: false))
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), isScheme(bytes[..<colon]) else {
            return .failure(.invalid("unsupported protocol scheme \"\"", wrapped: true))
        }
        let scheme = String(decoding: bytes[..<colon], as: UTF8.self).lowercased()
        let usesTLS: Bool
        switch scheme {
        case "http": usesTLS = false
        case "https": usesTLS = true
        default: return .failure(.invalid("unsupported protocol scheme \(GoText.quoted(scheme))", wrapped: true))
        }
        let rest = bytes[(colon + 1)...]
        guard rest.starts(with: Array("//".utf8)) else { return .failure(.invalid("http: no Host in request URL", wrapped: true)) }
        let afterSlashes = rest.dropFirst(2)
        let authorityEnd = afterSlashes.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }
            ?? afterSlashes.endIndex
        return parseAuthority(afterSlashes[..<authorityEnd], text: text, defaultPort: usesTLS ? 443 : 80).map { parts in
            ProbeURL(usesTLS: usesTLS, endpoint: parts.endpoint, authority: parts.hostPort, requestTarget: requestTarget(afterSlashes[authorityEnd...]),
                     credentials: parts.credentials)
        }
    }

    /// RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    private static func isScheme(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard let first = bytes.first, first.isASCIILetter else { return false }
        return bytes.allSatisfy { $0.isASCIILetter || (0x30...0x39).contains($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }
    }

    private typealias Authority = (endpoint: ProbeEndpoint, hostPort: String, credentials: (user: String, password: String?)?)

    /// `[userinfo@]host[:port]`; the scheme's port when missing.
    private static func parseAuthority(_ authority: ArraySlice<UInt8>, text: String, defaultPort: Int) -> Result<Authority, ProbeURLError> {
        var hostPort = authority
        var credentials: (user: String, password: String?)?
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) {
            let info = authority[..<at]
            let colon = info.firstIndex(of: UInt8(ascii: ":"))
            let user = PercentEncoding.decodedLossy(info[..<(colon ?? info.endIndex)])
            credentials = (user: user, password: colon.map { PercentEncoding.decodedLossy(info[($0 + 1)...]) })
            hostPort = authority[(at + 1)...]
        }
        let hostPortText = String(decoding: hostPort, as: UTF8.self)
        let split: (host: String, port: String)
        switch HostPort.split(hostPort, allowMissingPort: true) {
        case .success(let parts): split = parts
        case .failure(let error): return .failure(.invalid("parse \(GoText.quoted(text)): \(error.message)", wrapped: false))
        }
        guard !split.host.isEmpty else { return .failure(.invalid("http: no Host in request URL", wrapped: true)) }
        guard let port = split.port.isEmpty ? defaultPort : HostPort.port(split.port) else {
            return .failure(.invalid("parse \(GoText.quoted(text)): invalid port \(GoText.quoted(":" + split.port)) after host", wrapped: false))
        }
        // Go decodes "%25" in an IPv6 zone ("[fe80::1%25eth0]") to "%".
        let host = zoneDecoded(split.host)
        return .success((endpoint: ProbeEndpoint(host: host, port: port), hostPort: hostPortText, credentials: credentials))
    }

    /// The request line's target: "/" when the path is empty, the fragment dropped, and every
    /// byte a request-target may not hold (space, controls, non-ASCII) percent-encoded.
    private static func requestTarget(_ rest: ArraySlice<UInt8>) -> String {
        let withoutFragment = rest[..<(rest.firstIndex(of: UInt8(ascii: "#")) ?? rest.endIndex)]
        var target: [UInt8] = withoutFragment.first == UInt8(ascii: "/") ? [] : [UInt8(ascii: "/")]
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in withoutFragment {
            if byte > 0x20 && byte < 0x7F {
                target.append(byte)
            } else {
                target += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: target, as: UTF8.self)
    }

    /// "%25" -> "%" (only an IPv6 zone can hold it in a valid host).
    private static func zoneDecoded(_ host: String) -> String {
        guard host.contains("%25") else { return host }
        return host.split(separator: "%25", omittingEmptySubsequences: false).joined(separator: "%")
    }
}

/// `host:port` and `[v6]:port` as net.SplitHostPort reads them.
enum HostPort {
    /// Splits `bytes`; brackets are removed from the host. Go's texts on failure.
    static func split(_ bytes: ArraySlice<UInt8>, allowMissingPort: Bool) -> Result<(host: String, port: String), HostPortError> {
        let text = String(decoding: bytes, as: UTF8.self)
        if bytes.first == UInt8(ascii: "[") {
            guard let close = bytes.firstIndex(of: UInt8(ascii: "]")) else { return .failure(HostPortError("missing ']' in host")) }
            let host = String(decoding: bytes[(bytes.startIndex + 1)..<close], as: UTF8.self)
            let after = bytes[(close + 1)...]
            if after.isEmpty && allowMissingPort { return .success((host: host, port: "")) }
            guard after.first == UInt8(ascii: ":") else {
                return .failure(HostPortError(after.isEmpty ? "address \(text): missing port in address" : "invalid port \(GoText.quoted(String(decoding: after, as: UTF8.self))) after host"))
            }
            return .success((host: host, port: String(decoding: after.dropFirst(), as: UTF8.self)))
        }
        let colons = bytes.count { $0 == UInt8(ascii: ":") }
        if colons == 0 {
            return allowMissingPort ? .success((host: text, port: "")) : .failure(HostPortError("address \(text): missing port in address"))
        }
        guard colons == 1, let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            let last = bytes[(bytes.lastIndex(of: UInt8(ascii: ":")) ?? bytes.startIndex)...]
            return .failure(HostPortError(allowMissingPort ? "invalid port \(GoText.quoted(String(decoding: last, as: UTF8.self))) after host"
                                                           : "address \(text): too many colons in address"))
        }
        return .success((host: String(decoding: bytes[..<colon], as: UTF8.self), port: String(decoding: bytes[(colon + 1)...], as: UTF8.self)))
    }

    /// A decimal port 0...65535 (Go also takes service names; checks in practice use numbers).
    static func port(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 5, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let port = Int(text),
              port <= 65535 else { return nil }
        return port
    }
}

/// Go's text for a host:port that does not split.
struct HostPortError: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

extension ProbeEndpoint {
    /// A TCP check's `host:port` (Go's net.Dial address); the error is Go's text after "dial tcp: ".
    static func parseTCPAddress(_ address: String) -> Result<ProbeEndpoint, HostPortError> {
        switch HostPort.split(Array(address.utf8)[...], allowMissingPort: false) {
        case .failure(let error):
            return .failure(error)
        case .success(let parts):
            guard let port = HostPort.port(parts.port) else { return .failure(HostPortError("address \(address): invalid port")) }
            return .success(ProbeEndpoint(host: parts.host.isEmpty ? "localhost" : parts.host, port: port))
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
