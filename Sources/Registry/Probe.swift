/// Names one probe run, chosen by the node; the shell reports the run's end with it.
public struct ProbeID: Hashable, Sendable, Comparable {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (a: ProbeID, b: ProbeID) -> Bool { a.value < b.value }
}

/// One probe the shell must run (DESIGN.md §9: the core decides, the shell does the I/O).
public enum ProbeSpec: Sendable, Hashable {
    case http(HTTPProbe)
    case tcp(TCPProbe)
    case grpc(GRPCProbe)
    case h2ping(H2PingProbe)
    /// A script check; only ever asked for when the agent's configuration allows it.
    case script(ScriptProbe)
}

/// An HTTP check's request (Consul's `HTTP`, `Method`, `Header`, `Body`, `TLSServerName`,
/// `TLSSkipVerify`). Redirects are not followed: a 3xx is the answer.
public struct HTTPProbe: Sendable, Hashable {
    /// An `http://` or `https://` URL.
    public var url: String
    /// "GET" when the check named none.
    public var method: String
    /// Header fields in order (a name may repeat).
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var tlsServerName: String
    public var tlsSkipVerify: Bool
    /// The whole probe (connect, request, response) must finish within this.
    public var timeoutMilliseconds: UInt64
    /// The most output (status line text plus body) kept, in bytes (Consul's `OutputMaxSize`).
    public var maxOutputBytes: Int

    public init(url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                tlsServerName: String = "", tlsSkipVerify: Bool = false, timeoutMilliseconds: UInt64 = 10_000,
                maxOutputBytes: Int = RegistryLimits.defaultCheckOutputMaxSize) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.tlsServerName = tlsServerName
        self.tlsSkipVerify = tlsSkipVerify
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxOutputBytes = maxOutputBytes
    }

    public static func == (a: HTTPProbe, b: HTTPProbe) -> Bool {
        a.url == b.url && a.method == b.method && a.headers.elementsEqual(b.headers, by: { $0.name == $1.name && $0.value == $1.value })
            && a.body == b.body && a.tlsServerName == b.tlsServerName && a.tlsSkipVerify == b.tlsSkipVerify
            && a.timeoutMilliseconds == b.timeoutMilliseconds && a.maxOutputBytes == b.maxOutputBytes
    }

    /// Hashes what `==` compares (the shell caches each probe's prepared request by its spec).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(url)
        hasher.combine(method)
        hasher.combine(headers.count)
        for header in headers {
            hasher.combine(header.name)
            hasher.combine(header.value)
        }
        hasher.combine(body)
        hasher.combine(tlsServerName)
        hasher.combine(tlsSkipVerify)
        hasher.combine(timeoutMilliseconds)
        hasher.combine(maxOutputBytes)
    }
}

/// A TCP check: connect to `host:port` within the timeout (and with `useTLS`, Consul's
/// `TCPUseTLS`, complete a TLS handshake), then close.
public struct TCPProbe: Sendable, Hashable {
    /// "host:port", "[v6]:port" as the check's `TCP` field holds it.
    public var address: String
    public var timeoutMilliseconds: UInt64
    public var useTLS: Bool
    /// With `useTLS`: the name to send and verify instead of the address's host.
    public var tlsServerName: String
    public var tlsSkipVerify: Bool

    public init(address: String, timeoutMilliseconds: UInt64 = 10_000, useTLS: Bool = false, tlsServerName: String = "",
                tlsSkipVerify: Bool = false) {
        self.address = address
        self.timeoutMilliseconds = timeoutMilliseconds
        self.useTLS = useTLS
        self.tlsServerName = tlsServerName
        self.tlsSkipVerify = tlsSkipVerify
    }
}

/// A gRPC check (Consul's `GRPC`, `GRPCUseTLS`): calls `grpc.health.v1.Health/Check` over
/// HTTP/2 (cleartext, or TLS with ALPN "h2") and passes only on `SERVING`.
public struct GRPCProbe: Sendable, Hashable {
    /// "host:port" or "host:port/service", as the check's `GRPC` field holds it.
    public var target: String
    public var useTLS: Bool
    /// With `useTLS`: the name to send and verify instead of the target's host.
    public var tlsServerName: String
    public var tlsSkipVerify: Bool
    /// The whole probe (connect, handshake, call) must finish within this.
    public var timeoutMilliseconds: UInt64

    public init(target: String, useTLS: Bool = false, tlsServerName: String = "", tlsSkipVerify: Bool = false,
                timeoutMilliseconds: UInt64 = 10_000) {
        self.target = target
        self.useTLS = useTLS
        self.tlsServerName = tlsServerName
        self.tlsSkipVerify = tlsSkipVerify
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// An H2PING check (Consul's `H2PING`, `H2PingUseTLS`): opens an HTTP/2 connection (TLS with
/// ALPN "h2", or cleartext with prior knowledge) and passes when a PING is acknowledged.
public struct H2PingProbe: Sendable, Hashable {
    /// "host:port", as the check's `H2PING` field holds it.
    public var address: String
    public var useTLS: Bool
    public var tlsServerName: String
    public var tlsSkipVerify: Bool
    public var timeoutMilliseconds: UInt64

    public init(address: String, useTLS: Bool = true, tlsServerName: String = "", tlsSkipVerify: Bool = false,
                timeoutMilliseconds: UInt64 = 10_000) {
        self.address = address
        self.useTLS = useTLS
        self.tlsServerName = tlsServerName
        self.tlsSkipVerify = tlsSkipVerify
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// What one probe run found. The shell maps the wire to a status by Consul's rules: HTTP 2xx is
/// passing, 429 warning, anything else (and any error or timeout) critical; TCP connected is
/// passing, else critical; gRPC `SERVING` and an acknowledged H2PING are passing, else critical.
public struct ProbeResult: Sendable, Equatable {
    public var status: HealthStatus
    /// Consul's texts, e.g. "HTTP GET http://x/health: 200 OK Output: ok", capped.
    public var output: String
    public var durationMilliseconds: UInt64

    public init(status: HealthStatus, output: String, durationMilliseconds: UInt64) {
        self.status = status
        self.output = output
        self.durationMilliseconds = durationMilliseconds
    }
}
