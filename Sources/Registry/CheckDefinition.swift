/// How a check probes, as registered: Consul's `CheckType` / `HealthCheckDefinition`.
///
/// Exactly one kind should be set (TTL, HTTP, TCP, UDP, gRPC, H2PING, script `args`, alias);
/// `validate()` says so in Consul's words. Durations are nanoseconds; nil means "not given".
public struct CheckDefinition: Sendable, Equatable {
    /// HTTP check URL.
    public var http: String
    /// HTTP request headers; each name may repeat.
    public var header: [String: [String]]
    /// HTTP method; "" means GET.
    public var method: String
    /// HTTP request body.
    public var body: String
    /// SNI and certificate name for HTTPS and gRPC over TLS; "" means the URL's host.
    public var tlsServerName: String
    /// Accept any server certificate.
    public var tlsSkipVerify: Bool
    /// TCP check `host:port`.
    public var tcp: String
    /// Connect with TLS on TCP checks.
    public var tcpUseTLS: Bool
    /// UDP check `host:port`.
    public var udp: String
    /// gRPC health check `host:port[/service]`.
    public var grpc: String
    /// gRPC over TLS.
    public var grpcUseTLS: Bool
    /// HTTP/2 PING check `host:port`.
    public var h2ping: String
    /// H2PING over TLS.
    public var h2pingUseTLS: Bool
    /// Script check command and arguments (Consul's `Args` / `ScriptArgs`).
    public var args: [String]
    /// Alias check: the node whose health this check mirrors.
    public var aliasNode: String
    /// Alias check: the service (ID) whose health this check mirrors.
    public var aliasService: String
    /// TTL of a TTL check.
    public var ttlNanoseconds: Int64?
    /// Probe interval of HTTP, TCP, UDP, gRPC, H2PING and script checks.
    public var intervalNanoseconds: Int64?
    /// Probe timeout; nil means Consul's default (10 s for HTTP).
    public var timeoutNanoseconds: Int64?
    /// Remove the service when this check has been critical this long.
    public var deregisterCriticalServiceAfterNanoseconds: Int64?
    /// Consecutive successes needed before the status turns passing.
    public var successBeforePassing: Int
    /// Consecutive failures needed before the status turns warning.
    public var failuresBeforeWarning: Int
    /// Consecutive failures needed before the status turns critical.
    public var failuresBeforeCritical: Int
    /// Bytes of probe output kept; 0 means `RegistryLimits.defaultCheckOutputMaxSize`, as in Consul.
    public var outputMaxSize: Int

    /// A definition; every kind empty by default (which `validate()` refuses: a check needs a kind).
    public init(
        http: String = "", header: [String: [String]] = [:], method: String = "", body: String = "",
        tlsServerName: String = "", tlsSkipVerify: Bool = false, tcp: String = "", tcpUseTLS: Bool = false,
        udp: String = "", grpc: String = "", grpcUseTLS: Bool = false, h2ping: String = "", h2pingUseTLS: Bool = false,
        args: [String] = [], aliasNode: String = "", aliasService: String = "",
        ttlNanoseconds: Int64? = nil, intervalNanoseconds: Int64? = nil, timeoutNanoseconds: Int64? = nil,
        deregisterCriticalServiceAfterNanoseconds: Int64? = nil, successBeforePassing: Int = 0,
        failuresBeforeWarning: Int = 0, failuresBeforeCritical: Int = 0,
        outputMaxSize: Int = RegistryLimits.defaultCheckOutputMaxSize
    ) {
        self.http = http
        self.header = header
        self.method = method
        self.body = body
        self.tlsServerName = tlsServerName
        self.tlsSkipVerify = tlsSkipVerify
        self.tcp = tcp
        self.tcpUseTLS = tcpUseTLS
        self.udp = udp
        self.grpc = grpc
        self.grpcUseTLS = grpcUseTLS
        self.h2ping = h2ping
        self.h2pingUseTLS = h2pingUseTLS
        self.args = args
        self.aliasNode = aliasNode
        self.aliasService = aliasService
        self.ttlNanoseconds = ttlNanoseconds
        self.intervalNanoseconds = intervalNanoseconds
        self.timeoutNanoseconds = timeoutNanoseconds
        self.deregisterCriticalServiceAfterNanoseconds = deregisterCriticalServiceAfterNanoseconds
        self.successBeforePassing = successBeforePassing
        self.failuresBeforeWarning = failuresBeforeWarning
        self.failuresBeforeCritical = failuresBeforeCritical
        self.outputMaxSize = outputMaxSize
    }

    /// The check's `Type` as Consul reports it (`CheckType.Type()`, same precedence): "grpc",
    /// "http", "ttl", "tcp", "udp", "alias", "script", "h2ping", or "" when no kind is complete.
    /// Interval kinds count only with an interval, TTL only when positive, as in Consul.
    public var type: String {
        let hasInterval = (intervalNanoseconds ?? 0) > 0
        if hasInterval && !grpc.isEmpty { return "grpc" }
        if hasInterval && !http.isEmpty { return "http" }
        if (ttlNanoseconds ?? 0) > 0 { return "ttl" }
        if hasInterval && !tcp.isEmpty { return "tcp" }
        if hasInterval && !udp.isEmpty { return "udp" }
        if isAlias { return "alias" }
        if hasInterval && !args.isEmpty { return "script" }
        if hasInterval && !h2ping.isEmpty { return "h2ping" }
        return ""
    }

    /// An alias check mirrors another node's or service's health and needs no interval.
    public var isAlias: Bool { !aliasNode.isEmpty || !aliasService.isEmpty }

    /// The kinds that probe on an interval and are set here, in Consul's wording.
    var intervalKinds: [String] {
        [("HTTP", http), ("TCP", tcp), ("UDP", udp), ("GRPC", grpc), ("H2PING", h2ping)]
            .filter { !$0.1.isEmpty }.map(\.0) + (args.isEmpty ? [] : ["Args"])
    }

    /// Every kind that is set: interval kinds, then TTL and alias.
    var kindsGiven: [String] {
        intervalKinds + ((ttlNanoseconds ?? 0) > 0 ? ["TTL"] : []) + (isAlias ? ["Alias"] : [])
    }
}
