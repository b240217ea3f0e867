import HTTP
import Registry
import Server

// What a probe will do, decided from its spec before any I/O: where to connect, and for an HTTP
// check the exact request bytes and, for an https URL, how TLS runs. A spec that cannot be run
// (a malformed URL or address, a bad header) becomes the result to report at once. Pure, so tested without sockets.

/// A probe ready to run.
struct ProbePlan: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// Send `request`, read the answer, judge its status.
        case http(HTTPExchange)
        /// Connect (and complete the TLS handshake when `tls` is set), then close. `address` is
        /// the check's text, for the output.
        case tcp(address: String)
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
    struct TLS: Sendable, Equatable {
        /// The name sent as SNI (unless an IP) and verified: the check's `TLSServerName`, else
        /// the URL's (or the address's) host.
        var serverName: String
        /// False for a check's `TLSSkipVerify`: any certificate, any name.
        var verifiesPeer: Bool
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
