import Agent
import ArgumentParser
import Foundation
import Registry

struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a Gravity node.",
        discussion: """
            Serves the Consul-compatible HTTP API (default 127.0.0.1:8500) and the Gravity discovery
            API (default 127.0.0.1:8761). Settings come from defaults, then -config-file (JSON), then
            GRAVITY_* environment variables (GRAVITY_DATACENTER, GRAVITY_NODE_NAME, GRAVITY_DATA_DIR,
            GRAVITY_BIND_ADDR, GRAVITY_CLIENT_ADDR, GRAVITY_LOG_LEVEL, GRAVITY_HTTP_PORT,
            GRAVITY_DNS_PORT, GRAVITY_SERVER_PORT, GRAVITY_DISCOVERY_PORT, GRAVITY_BOOTSTRAP_EXPECT,
            GRAVITY_RETRY_JOIN, GRAVITY_INITIAL_CLUSTER; lists comma-separated), then flags.
            Stops cleanly on SIGINT or SIGTERM.

            Config file keys: datacenter, node_name, data_dir, bind_addr, client_addr, log_level,
            log_json, bootstrap_expect, retry_join (array), initial_cluster (array of "name=host[:port]"),
            ports {http, dns, server, discovery}, limits {http_max_conns_per_client,
            http_max_connections, http_max_body_bytes, http_read_timeout, http_idle_timeout,
            websocket_max_message_bytes, websocket_ping_interval, websocket_idle_timeout,
            websocket_max_unsent_bytes}, security {checks_allow_link_local_targets (default false:
            HTTP and TCP checks may not probe 169.254.0.0/16, fe80::/10 or cloud-metadata addresses)},
            enable_script_checks, enable_local_script_checks (default false: script checks, "args",
            are refused), services / service and checks / check (definitions as the agent API takes
            them, registered at start, e.g. "services": [{"name": "web", "port": 80, "check":
            {"args": ["/usr/local/bin/check-web"], "interval": "10s", "timeout": "5s"}}]).

            Example: gravity agent -dev -http-port 18500 -discovery-port 18761
            """)

    @Flag(name: consulName("dev"), help: "Development mode: one node, everything on 127.0.0.1, data in a temporary folder unless -data-dir is given.")
    var dev = false

    @Option(name: consulName("config-file"), help: "A JSON configuration file.")
    var configFile: String?

    @Option(name: consulName("data-dir"), help: "Folder for raft.db, state.db and node-id (required without -dev).")
    var dataDir: String?

    @Option(name: consulName("node"), help: "This node's name (default: the host name).")
    var node: String?

    @Option(name: consulName("datacenter"), help: "Datacenter name (default dc1).")
    var datacenter: String?

    @Option(name: consulName("client"), help: "Address the HTTP and DNS listeners bind to (default 127.0.0.1).")
    var client: String?

    @Option(name: consulName("bind"), help: "Address the server RPC port binds to and advertises (default 127.0.0.1).")
    var bind: String?

    @Option(name: consulName("http-port"), help: "Consul-compatible HTTP API port (default 8500).")
    var httpPort: Int?

    @Option(name: consulName("dns-port"), help: "DNS port (default 8600).")
    var dnsPort: Int?

    @Option(name: consulName("server-port"), help: "Server RPC (Raft) port (default 8300).")
    var serverPort: Int?

    @Option(name: consulName("discovery-port"), help: "Gravity discovery API port (default 8761).")
    var discoveryPort: Int?

    @Option(name: consulName("log-level"), help: "trace, debug, info, warn or error (default info).")
    var logLevel: String?

    @Flag(name: consulName("log-json"), help: "Write logs as one JSON object per line.")
    var logJSON = false

    @Flag(name: consulName("server"), help: "Run as a server (every Gravity node is one; accepted for Consul compatibility).")
    var server = false

    @Option(name: consulName("bootstrap-expect"), help: "Form a new cluster once this many servers see each other (default: 1 when there is nothing to join, else 0: only join).")
    var bootstrapExpect: Int?

    @Option(name: consulName("retry-join"), help: "Another server's peer address, host[:port] (repeatable; DNS names are re-resolved on every connect).")
    var retryJoin: [String] = []

    @Option(name: consulName("initial-cluster"), help: "The servers of a new cluster instead of -bootstrap-expect, name=host[:port] with node names (repeatable or comma-separated, this server included; port 8300 by default). It forms once every listed server is connected, with exactly those.")
    var initialCluster: [String] = []

    @Option(name: consulName("raft-snapshot-threshold"), help: "Applied entries between Raft snapshots (default 16384).")
    var raftSnapshotThreshold: UInt64?

    @Option(name: consulName("raft-snapshot-interval"), help: "Least time between Raft snapshots, e.g. 30s (default) or 0s; each gap is drawn between it and twice it, so servers stagger.")
    var raftSnapshotInterval: String?

    @Flag(name: consulName("enable-script-checks"), help: "Run script checks (Args) registered through the HTTP API or the config file. Anyone who can reach the API can then run programs on this host.")
    var enableScriptChecks = false

    @Flag(name: consulName("enable-local-script-checks"), help: "Run script checks (Args) from the config file only; the HTTP API refuses them.")
    var enableLocalScriptChecks = false

    func run() throws {
        var config = AgentConfig()
        config.dev = dev
        do {
            if let configFile { try ConfigFile.apply(path: configFile, to: &config) }
            try ConfigFile.applyEnvironment(ProcessInfo.processInfo.environment, to: &config)
            try applyFlags(to: &config)
            let agent = try Agent(config: config)
            try agent.run()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Flags win over the file and the environment.
    func applyFlags(to config: inout AgentConfig) throws(AgentError) {
        if let dataDir { config.dataDir = dataDir }
        if let node { config.nodeName = node }
        if let datacenter { config.datacenter = datacenter }
        if let client { config.clientAddr = client }
        if let bind { config.bindAddr = bind }
        if let httpPort { config.ports.http = httpPort }
        if let dnsPort { config.ports.dns = dnsPort }
        if let serverPort { config.ports.server = serverPort }
        if let discoveryPort { config.ports.discovery = discoveryPort }
        if logJSON { config.logJSON = true }
        if let bootstrapExpect { config.bootstrapExpect = bootstrapExpect }
        if !retryJoin.isEmpty { config.retryJoin = retryJoin }
        if !initialCluster.isEmpty { config.initialCluster = initialCluster.flatMap(ConfigFile.commaSeparated) }
        if let raftSnapshotThreshold { config.raftSnapshotThreshold = raftSnapshotThreshold }
        if enableScriptChecks { config.enableScriptChecks = true }
        if enableLocalScriptChecks { config.enableLocalScriptChecks = true }
        if let raftSnapshotInterval {
            guard let nanoseconds = GoDuration.parseNanoseconds(raftSnapshotInterval), nanoseconds >= 0 else {
                throw .config("-raft-snapshot-interval must be a duration like 30s, got \"\(raftSnapshotInterval)\"")
            }
            config.raftSnapshotIntervalMilliseconds = UInt64(nanoseconds / 1_000_000)
        }
        if let logLevel {
            guard let level = LogLevel(rawValue: logLevel.lowercased()) else {
                throw .config("-log-level must be one of trace, debug, info, warn, error")
            }
            config.logLevel = level
        }
    }
}
