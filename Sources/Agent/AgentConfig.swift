import API
import HTTP
import Registry
import Server

/// Everything an agent needs to start, from defaults, the config file, `GRAVITY_*` environment
/// variables and flags, in that order of precedence (later wins).
public struct AgentConfig: Sendable, Equatable {
    public var dev = false
    public var nodeName: String?
    public var datacenter = "dc1"
    /// Where `raft.db`, `state.db` and `node-id` live; a fresh temporary folder in dev mode when nil.
    public var dataDir: String?
    /// The address the client listeners (HTTP, DNS) bind to.
    public var clientAddr = "127.0.0.1"
    /// The address the server RPC port binds to and advertises.
    public var bindAddr = "127.0.0.1"
    public var ports = NodeView.Ports(http: 8500, dns: 8600, server: 8300, discovery: 8761)
    public var logLevel: LogLevel = .info
    public var logJSON = false
    public var limits = Limits()
    /// Whether HTTP and TCP checks may probe link-local (169.254.0.0/16, fe80::/10) and
    /// cloud-metadata addresses (config file: `security.checks_allow_link_local_targets`).
    /// Off by default: a check registered through the API could otherwise read the cloud
    /// provider's instance metadata, credentials included, back through its output.
    public var checksAllowLinkLocalTargets = false
    /// Form a new cluster once this many servers see each other (`-bootstrap-expect`); nil:
    /// 1 when there is nothing to join (a lone server), else 0 (only join).
    public var bootstrapExpect: Int?
    /// Other servers' peer addresses, "host:port" (`-retry-join`, repeatable; DNS names are
    /// re-resolved on every connect). A bare host gets the default server port 8300.
    public var retryJoin: [String] = []
    /// The servers of a new cluster, "name=host[:port]" each (`-initial-cluster`, repeatable and
    /// comma-separated; etcd's `--initial-cluster`): the alternative to `bootstrapExpect`. The
    /// names are node names, this server's among them; a bare host gets port 8300.
    public var initialCluster: [String] = []
    /// Applied entries between snapshots (Consul: `raft_snapshot_threshold`).
    public var raftSnapshotThreshold: UInt64 = 16384
    /// Least time between Raft snapshots (Consul: `raft_snapshot_interval`).
    public var raftSnapshotIntervalMilliseconds: UInt64 = 30_000
    /// Script checks (`Args`) from anywhere, the HTTP API included (Consul:
    /// `enable_script_checks`, `-enable-script-checks`).
    public var enableScriptChecks = false
    /// Script checks from the configuration file only (Consul: `enable_local_script_checks`).
    public var enableLocalScriptChecks = false
    /// The file's service definitions (`services`, `service`), registered when the node starts.
    public var services: [JSON] = []
    /// The file's check definitions (`checks`, `check`), registered after the services.
    public var checks: [JSON] = []

    public init() {}

    /// Which script checks this agent accepts, and from where.
    public var scriptChecks: ScriptCheckPolicy {
        ScriptCheckPolicy(enableScriptChecks: enableScriptChecks, enableLocalScriptChecks: enableLocalScriptChecks)
    }

    /// `bootstrapExpect` with its default filled in; 0 with an initial cluster (its list decides).
    public var effectiveBootstrapExpect: Int {
        guard initialCluster.isEmpty else { return 0 }
        return bootstrapExpect ?? (retryJoin.isEmpty ? 1 : 0)
    }

    /// `retryJoin` with the default port added where none was given.
    public var joinAddresses: [String] { retryJoin.map(Self.withDefaultPort) }

    /// "host" -> "host:8300", "[::1]" -> "[::1]:8300"; an address with a port stays as it is.
    static func withDefaultPort(_ address: String) -> String {
        if address.hasPrefix("[") { return address.contains("]:") ? address : address + ":8300" }
        return address.contains(":") ? address : address + ":8300"
    }

    /// `initialCluster` parsed, with default ports: "name=host[:port]" each, names valid node
    /// names and unique, addresses non-empty, and `nodeName` (this server's, when known) listed.
    /// Every error names `initial_cluster`.
    public func initialMembers(nodeName: String?) throws(ValidationError) -> [InitialClusterMember] {
        var members: [InitialClusterMember] = []
        for entry in initialCluster {
            let member = try Self.initialMember(entry)
            guard !members.contains(where: { $0.name == member.name }) else {
                throw ValidationError(field: "initial_cluster", message: "Invalid initial_cluster: node name \"\(member.name)\" is listed twice")
            }
            members.append(member)
        }
        if let nodeName, !members.isEmpty, !members.contains(where: { $0.name == nodeName }) {
            let names = members.map(\.name).joined(separator: ", ")
            throw ValidationError(field: "initial_cluster", message: "Invalid initial_cluster: it must list this server's node name \"\(nodeName)\" (it lists \(names))")
        }
        return members
    }

    private static func initialMember(_ entry: String) throws(ValidationError) -> InitialClusterMember {
        let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ValidationError(field: "initial_cluster", message: "Invalid initial_cluster entry \"\(entry)\": expected name=host[:port]")
        }
        let name = String(parts[0])
        let address = String(parts[1])
        do { try AgentIdentity.validateNodeName(name) } catch {
            throw ValidationError(field: "initial_cluster", message: "Invalid initial_cluster entry \"\(entry)\": \(error.message)")
        }
        guard !address.isEmpty, !address.contains(" "), !address.hasPrefix(":") else {
            throw ValidationError(field: "initial_cluster", message: "Invalid initial_cluster entry \"\(entry)\": the address must be host[:port]")
        }
        return InitialClusterMember(name: name, address: withDefaultPort(address))
    }

    /// Bounds on what one client may take; checked at start-up (`validate`).
    public struct Limits: Sendable, Equatable {
        /// Open connections from one IP per listener (Consul: `limits.http_max_conns_per_client`).
        public var httpMaxConnsPerClient = 512
        /// Open connections per listener in all.
        public var httpMaxConnections = 16384
        /// Longest time one request may take to arrive, head and body (slow clients are cut off).
        public var httpReadTimeoutMilliseconds: UInt64 = 30_000
        /// Longest time a keep-alive connection may sit idle between requests.
        public var httpIdleTimeoutMilliseconds: UInt64 = 90_000
        /// Largest request body accepted by the HTTP layer (the API may set lower limits).
        public var httpMaxBodyBytes = 1024 * 1024
        /// Largest message a WebSocket client may send, after reassembly (over -> close 1009).
        /// Watchers only listen, so this just bounds what one can make us buffer.
        public var webSocketMaxMessageBytes = 64 * 1024
        /// How often each WebSocket client is pinged.
        public var webSocketPingIntervalMilliseconds: UInt64 = 30_000
        /// A WebSocket client that sent nothing for this long, not even a pong, is dropped.
        public var webSocketIdleTimeoutMilliseconds: UInt64 = 75_000
        /// Output a WebSocket client has not read yet; a message past it closes the client with 1008.
        public var webSocketMaxUnsentBytes = 4 * 1024 * 1024
        public init() {}

        /// The WebSocket bounds in the form the endpoint takes them.
        var webSocket: WebSocketLimits {
            var limits = WebSocketLimits()
            limits.maxMessageBytes = webSocketMaxMessageBytes
            limits.pingIntervalMilliseconds = webSocketPingIntervalMilliseconds
            limits.idleTimeoutMilliseconds = webSocketIdleTimeoutMilliseconds
            limits.maxUnsentBytes = webSocketMaxUnsentBytes
            return limits
        }
    }

    /// Refuses contradictory or out-of-range settings with a message naming the setting.
    public func validate() throws(ValidationError) {
        try AgentIdentity.validateDatacenter(datacenter)
        if let nodeName { try AgentIdentity.validateNodeName(nodeName) }
        if !dev && dataDir == nil {
            throw ValidationError(field: "data_dir", message: "Must specify -data-dir (or run with -dev)")
        }
        let named = [("http", ports.http), ("dns", ports.dns), ("server", ports.server), ("discovery", ports.discovery)]
        for (name, port) in named where !(1...65535).contains(port) {
            throw ValidationError(field: "ports.\(name)", message: "Invalid ports.\(name) \(port): must be 1 to 65535")
        }
        let listening = [ports.http, ports.discovery, ports.server]
        if Set(listening).count != listening.count {
            throw ValidationError(field: "ports", message: "Ports must differ: http \(ports.http), discovery \(ports.discovery), server \(ports.server)")
        }
        if let expect = bootstrapExpect, !(0...7).contains(expect) {
            throw ValidationError(field: "bootstrap_expect", message: "Invalid bootstrap_expect \(expect): must be 0 to 7")
        }
        if dev, let expect = bootstrapExpect, expect > 1 {
            throw ValidationError(field: "bootstrap_expect", message: "Bootstrap mode cannot be used with -dev above 1 server")
        }
        for address in retryJoin where address.isEmpty || address.contains(" ") {
            throw ValidationError(field: "retry_join", message: "Invalid retry_join address \"\(address)\"")
        }
        try validateInitialCluster()
        guard raftSnapshotThreshold >= 16 else {
            throw ValidationError(field: "raft_snapshot_threshold", message: "Invalid raft_snapshot_threshold \(raftSnapshotThreshold): must be at least 16")
        }
        try validateLimits()
    }

    /// The static list is the alternative to `bootstrap_expect`, and a dev node is alone.
    private func validateInitialCluster() throws(ValidationError) {
        let members = try initialMembers(nodeName: nodeName)
        guard !members.isEmpty else { return }
        if let expect = bootstrapExpect {
            throw ValidationError(field: "initial_cluster", message: "initial_cluster cannot be combined with bootstrap_expect (\(expect)): the list names the servers that form the cluster")
        }
        if dev, members.count > 1 {
            throw ValidationError(field: "initial_cluster", message: "initial_cluster cannot be used with -dev above 1 server")
        }
    }

    private func validateLimits() throws(ValidationError) {
        guard limits.httpMaxConnsPerClient >= 1, limits.httpMaxConnections >= limits.httpMaxConnsPerClient else {
            throw ValidationError(field: "limits", message: "Invalid limits: need 1 <= http_max_conns_per_client <= http_max_connections")
        }
        guard limits.httpReadTimeoutMilliseconds >= 100, limits.httpIdleTimeoutMilliseconds >= 100 else {
            throw ValidationError(field: "limits", message: "Invalid limits: HTTP timeouts must be at least 100ms")
        }
        guard (1024...(64 * 1024 * 1024)).contains(limits.httpMaxBodyBytes) else {
            throw ValidationError(field: "limits.http_max_body_bytes", message: "Invalid limits.http_max_body_bytes: must be 1 KiB to 64 MiB")
        }
        try validateWebSocketLimits()
    }

    private func validateWebSocketLimits() throws(ValidationError) {
        guard (1024...(64 * 1024 * 1024)).contains(limits.webSocketMaxMessageBytes) else {
            throw ValidationError(field: "limits.websocket_max_message_bytes", message: "Invalid limits.websocket_max_message_bytes: must be 1 KiB to 64 MiB")
        }
        // The agent's sweep runs once a second: a shorter interval could not be kept.
        guard limits.webSocketPingIntervalMilliseconds >= 1000,
              limits.webSocketIdleTimeoutMilliseconds > limits.webSocketPingIntervalMilliseconds else {
            throw ValidationError(field: "limits", message: "Invalid limits: need 1s <= websocket_ping_interval < websocket_idle_timeout")
        }
        guard (64 * 1024...(1024 * 1024 * 1024)).contains(limits.webSocketMaxUnsentBytes) else {
            throw ValidationError(field: "limits.websocket_max_unsent_bytes", message: "Invalid limits.websocket_max_unsent_bytes: must be 64 KiB to 1 GiB")
        }
    }
}
