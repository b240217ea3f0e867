import HTTP
import Registry
import Server

// What a probe will do, decided from its spec before any I/O: where to connect, for a gRPC check
// the call, and for an HTTP check the exact request bytes and, for an https URL, how TLS runs. A spec that cannot be run
// (a malformed URL or address, a bad header) becomes the result to report at once. Pure, so tested without sockets.

/// A probe ready to run.
struct ProbePlan: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Send `request`, read the answer, judge its status.
        case http(HTTPExchange)
        /// Connect (and complete the TLS handshake when `tls` is set), then close. `address` is
        /// the check's text, for the output.
        case tcp(address: String)
        /// Call grpc.health.v1.Health/Check over HTTP/2 and judge the serving status.
        case grpc(GRPCCall)
        /// Open an HTTP/2 connection and wait for a PING's acknowledgement. `address` is the
        /// check's text, for the output.
        case h2ping(address: String)
    }

    /// A gRPC check's call.
    struct GRPCCall: Sendable, Equatable {
        /// The check's `GRPC` text ("host:port/service"), for the output.
        var target: String
        /// The service asked about ("" for the whole server).
        var service: String
        /// `:scheme`: "https" over TLS, else "http".
        var scheme: String
        /// `:authority`: the target's "host:port" as written (grpc-go sends the dialled target).
        var authority: String
    }

    /// An HTTP check's request and how its answer is reported.
    struct HTTPExchange: Sendable, Equatable {
        /// The method as sent ("GET" when the check named none).
        var method: String
        /// The URL as the check gave it, for the output.
        var url: String
        /// The whole request: head and body.
        var request: [UInt8]
        /// Body bytes kept for the output.
        var maxOutputBytes: Int
    }

    /// How an `https://` exchange (or a `TCPUseTLS` check) runs its TLS, as Go does for Consul.
    struct TLS: Sendable, Hashable {
        /// The name sent as SNI (unless an IP) and verified: the check's `TLSServerName`, else
        /// the URL's (or the address's) host.
        var serverName: String
        /// False for a check's `TLSSkipVerify`: any certificate, any name.
        var verifiesPeer: Bool
        /// ALPN protocols offered, in order (["h2"] for gRPC and H2PING, none for HTTP/1.1).
        var alpn: [String] = []
    }

    var kind: Kind
    var endpoint: ProbeEndpoint
    /// Set when the exchange runs over TLS.
    var tls: TLS?
    var timeoutMilliseconds: UInt64

    /// Whether Go would report errors of this probe as an HTTP client (`Get "url": ...`).
    var isHTTP: Bool {
        if case .http = kind { return true }
        return false
    }

    /// Whether this is an HTTP/1.1 exchange whose request may be sent twice (RFC 9110 §9.2.1's
    /// safe methods): only those go out on a kept connection, which may turn out closed.
    var sendsSafeRequest: Bool {
        guard case .http(let exchange) = kind else { return false }
        return ["GET", "HEAD", "OPTIONS", "TRACE"].contains(exchange.method)
    }

    /// Whether the exchange is HTTP/2 (a gRPC or H2PING check).
    var isHTTP2: Bool {
        switch kind {
        case .grpc, .h2ping: true
        case .http, .tcp: false
        }
    }
}

/// A plan, or the result to report without running anything.
enum ProbePlanOutcome: Sendable, Equatable {
    case run(ProbePlan)
    case finish(HealthStatus, String)
}

extension ProbePlan {
    /// Consul's default check timeout (10 s), used when a spec says 0.
    static let defaultTimeoutMilliseconds: UInt64 = 10_000

    /// Decides how to run `spec` within `limits`.
    static func make(_ spec: ProbeSpec, limits: ProbeLimits) -> ProbePlanOutcome {
        switch spec {
        case .http(let probe): makeHTTP(probe, limits: limits)
        case .tcp(let probe): makeTCP(probe)
        case .grpc(let probe): makeGRPC(probe)
        case .h2ping(let probe): makeH2Ping(probe)
        case .script: preconditionFailure("a script runs as a process (ScriptRun), not a connection")
        }
    }

    private static func timeout(_ milliseconds: UInt64) -> UInt64 {
        milliseconds == 0 ? defaultTimeoutMilliseconds : milliseconds
    }

    private static func makeTCP(_ probe: TCPProbe) -> ProbePlanOutcome {
        switch ProbeEndpoint.parseTCPAddress(probe.address) {
        case .failure(let error):
            return .finish(.critical, "dial tcp: \(error.message)")
        case .success(let endpoint):
            let tls = probe.useTLS
                ? TLS(serverName: probe.tlsServerName.isEmpty ? endpoint.host : probe.tlsServerName, verifiesPeer: !probe.tlsSkipVerify)
                : nil
            return .run(ProbePlan(kind: .tcp(address: probe.address), endpoint: endpoint, tls: tls,
                                  timeoutMilliseconds: timeout(probe.timeoutMilliseconds)))
        }
    }

    /// Consul's NewGrpcHealthProbe: "host:port[/service]", cleartext (h2c with prior
    /// knowledge, grpc.WithInsecure) or TLS offering "h2" (grpc's credentials.NewTLS).
    private static func makeGRPC(_ probe: GRPCProbe) -> ProbePlanOutcome {
        let target = GRPCTarget(probe.target)
        switch ProbeEndpoint.parseTCPAddress(target.address) {
        case .failure(let error):
            return .finish(.critical, GRPCHealth.connectionError("dial tcp: \(error.message)"))
        case .success(let endpoint):
            let tls = probe.useTLS
                ? TLS(serverName: probe.tlsServerName.isEmpty ? endpoint.host : probe.tlsServerName, verifiesPeer: !probe.tlsSkipVerify,
                      alpn: ["h2"])
                : nil
            let call = GRPCCall(target: probe.target, service: target.service, scheme: probe.useTLS ? "https" : "http",
                                authority: target.address)
            return .run(ProbePlan(kind: .grpc(call), endpoint: endpoint, tls: tls, timeoutMilliseconds: timeout(probe.timeoutMilliseconds)))
        }
    }

    /// Consul's CheckH2PING: TLS offering "h2" (H2PingUseTLS, the default), else h2c with
    /// prior knowledge.
    private static func makeH2Ping(_ probe: H2PingProbe) -> ProbePlanOutcome {
        switch ProbeEndpoint.parseTCPAddress(probe.address) {
        case .failure(let error):
            return .finish(.critical, H2PingText.dialFailed(probe.address, "dial tcp: \(error.message)"))
        case .success(let endpoint):
            let tls = probe.useTLS
                ? TLS(serverName: probe.tlsServerName.isEmpty ? endpoint.host : probe.tlsServerName, verifiesPeer: !probe.tlsSkipVerify,
                      alpn: ["h2"])
                : nil
            return .run(ProbePlan(kind: .h2ping(address: probe.address), endpoint: endpoint, tls: tls,
                                  timeoutMilliseconds: timeout(probe.timeoutMilliseconds)))
        }
    }

    private static func makeHTTP(_ probe: HTTPProbe, limits: ProbeLimits) -> ProbePlanOutcome {
        let method = probe.method.isEmpty ? "GET" : probe.method
        let url: ProbeURL
        switch ProbeURL.parse(probe.url) {
        case .success(let parsed):
            url = parsed
        case .failure(.invalid(let message, let wrapped)):
            return .finish(.critical, wrapped ? ProbeOutput.httpError(method: method, url: probe.url, message) : message)
        }
        let request: [UInt8]
        switch HTTPProbeRequest.bytes(method: method, url: url, headers: probe.headers, body: probe.body) {
        case .success(let bytes): request = bytes
        case .failure(let error):
            return .finish(.critical, error.wrapped ? ProbeOutput.httpError(method: method, url: probe.url, error.message) : error.message)
        }
        // 0 means Consul's default; the ceiling bounds what one probe may hold.
        let maxOutput = probe.maxOutputBytes > 0 ? probe.maxOutputBytes : RegistryLimits.defaultCheckOutputMaxSize
        let exchange = HTTPExchange(method: method, url: probe.url, request: request,
                                    maxOutputBytes: min(maxOutput, limits.maxOutputBytesCeiling))
        // Go's transport verifies (and sends as SNI) the URL's host unless the check names another.
        let tls = url.usesTLS
            ? TLS(serverName: probe.tlsServerName.isEmpty ? url.endpoint.host : probe.tlsServerName, verifiesPeer: !probe.tlsSkipVerify)
            : nil
        return .run(ProbePlan(kind: .http(exchange), endpoint: url.endpoint, tls: tls, timeoutMilliseconds: timeout(probe.timeoutMilliseconds)))
    }
}
