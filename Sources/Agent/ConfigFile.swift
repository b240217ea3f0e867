import API
import Foundation
import Registry

/// Reads the JSON configuration file and `GRAVITY_*` environment variables into an `AgentConfig`.
/// Unknown keys are refused with their name: a typo in an operator's file must not pass silently.
public enum ConfigFile {
    /// Applies the file at `path` on top of `config`.
    public static func apply(path: String, to config: inout AgentConfig) throws(AgentError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .config("cannot read config file \(path)")
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw AgentError.config("\(path): the top level must be a JSON object")
            }
            object = parsed
        } catch let error as AgentError {
            throw error
        } catch {
            throw .config("\(path): invalid JSON: \(error.localizedDescription)")
        }
        try apply(object, to: &config, file: path)
    }

    static func apply(_ object: [String: Any], to config: inout AgentConfig, file: String) throws(AgentError) {
        for key in object.keys.sorted() {
            let value = object[key]!
            switch key {
            case "datacenter": config.datacenter = try string(value, key, file)
            case "node_name": config.nodeName = try string(value, key, file)
            case "data_dir": config.dataDir = try string(value, key, file)
            case "bind_addr": config.bindAddr = try string(value, key, file)
            case "client_addr": config.clientAddr = try string(value, key, file)
            case "log_level": config.logLevel = try level(value, key, file)
            case "log_json": config.logJSON = try bool(value, key, file)
            case "ports": try applyPorts(value, to: &config, file: file)
            case "limits": try applyLimits(value, to: &config, file: file)
            case "security": try applySecurity(value, to: &config, file: file)
            case "server": _ = try bool(value, key, file)  // every Gravity node is a server
            case "bootstrap_expect": config.bootstrapExpect = try int(value, key, file)
            case "retry_join":
                guard let list = value as? [Any] else { throw .config("\(file): \"retry_join\" must be an array of strings") }
                var addresses: [String] = []
                for item in list { addresses.append(try string(item, key, file)) }
                config.retryJoin = addresses
            case "initial_cluster":
                guard let list = value as? [Any] else {
                    throw .config("\(file): \"initial_cluster\" must be an array of \"name=host[:port]\" strings")
                }
                var entries: [String] = []
                for item in list { entries.append(try string(item, key, file)) }
                config.initialCluster = entries
            case "raft_snapshot_threshold": config.raftSnapshotThreshold = UInt64(max(0, try int(value, key, file)))
            case "raft_snapshot_interval": config.raftSnapshotIntervalMilliseconds = try milliseconds(value, key, file)
            case "enable_script_checks": config.enableScriptChecks = try bool(value, key, file)
            case "enable_local_script_checks": config.enableLocalScriptChecks = try bool(value, key, file)
            case "services", "service": config.services += try definitions(value, key, file)
            case "checks", "check": config.checks += try definitions(value, key, file)
            default: throw .config("\(file): unknown key \"\(key)\"")
            }
        }
    }

    private static func applyPorts(_ value: Any, to config: inout AgentConfig, file: String) throws(AgentError) {
        guard let ports = value as? [String: Any] else { throw .config("\(file): \"ports\" must be an object") }
        for key in ports.keys.sorted() {
            let port = try int(ports[key]!, "ports.\(key)", file)
            switch key {
            case "http": config.ports.http = port
            case "dns": config.ports.dns = port
            case "server": config.ports.server = port
            case "discovery": config.ports.discovery = port
            default: throw .config("\(file): unknown key \"ports.\(key)\"")
            }
        }
    }

    private static func applyLimits(_ value: Any, to config: inout AgentConfig, file: String) throws(AgentError) {
        guard let limits = value as? [String: Any] else { throw .config("\(file): \"limits\" must be an object") }
        for key in limits.keys.sorted() {
            let value = limits[key]!
            let name = "limits.\(key)"
            switch key {
            case "http_max_conns_per_client": config.limits.httpMaxConnsPerClient = try int(value, name, file)
            case "http_max_connections": config.limits.httpMaxConnections = try int(value, name, file)
            case "http_max_body_bytes": config.limits.httpMaxBodyBytes = try int(value, name, file)
            case "http_read_timeout": config.limits.httpReadTimeoutMilliseconds = try milliseconds(value, name, file)
            case "http_idle_timeout": config.limits.httpIdleTimeoutMilliseconds = try milliseconds(value, name, file)
            case "websocket_max_message_bytes": config.limits.webSocketMaxMessageBytes = try int(value, name, file)
            case "websocket_ping_interval": config.limits.webSocketPingIntervalMilliseconds = try milliseconds(value, name, file)
            case "websocket_idle_timeout": config.limits.webSocketIdleTimeoutMilliseconds = try milliseconds(value, name, file)
            case "websocket_max_unsent_bytes": config.limits.webSocketMaxUnsentBytes = try int(value, name, file)
            default: throw .config("\(file): unknown key \"\(name)\"")
            }
        }
    }

    private static func applySecurity(_ value: Any, to config: inout AgentConfig, file: String) throws(AgentError) {
        guard let security = value as? [String: Any] else { throw .config("\(file): \"security\" must be an object") }
        for key in security.keys.sorted() {
            let name = "security.\(key)"
            switch key {
            case ProbeRunner.allowLinkLocalConfigKey: config.checksAllowLinkLocalTargets = try bool(security[key]!, name, file)
            default: throw .config("\(file): unknown key \"\(name)\"")
            }
        }
    }

    /// Applies `GRAVITY_*` variables (for Kubernetes): GRAVITY_DATACENTER, GRAVITY_NODE_NAME,
    /// GRAVITY_DATA_DIR, GRAVITY_BIND_ADDR, GRAVITY_CLIENT_ADDR, GRAVITY_LOG_LEVEL,
    /// GRAVITY_{HTTP,DNS,SERVER,DISCOVERY}_PORT, GRAVITY_BOOTSTRAP_EXPECT, and the lists
    /// GRAVITY_RETRY_JOIN and GRAVITY_INITIAL_CLUSTER (comma-separated).
    public static func applyEnvironment(_ environment: [String: String], to config: inout AgentConfig) throws(AgentError) {
        let origin = "environment"
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("GRAVITY_") {
            switch name {
            case "GRAVITY_DATACENTER": config.datacenter = value
            case "GRAVITY_NODE_NAME": config.nodeName = value
            case "GRAVITY_DATA_DIR": config.dataDir = value
            case "GRAVITY_BIND_ADDR": config.bindAddr = value
            case "GRAVITY_CLIENT_ADDR": config.clientAddr = value
            case "GRAVITY_LOG_LEVEL": config.logLevel = try level(value, name, origin)
            case "GRAVITY_HTTP_PORT": config.ports.http = try int(value, name, origin)
            case "GRAVITY_DNS_PORT": config.ports.dns = try int(value, name, origin)
            case "GRAVITY_SERVER_PORT": config.ports.server = try int(value, name, origin)
            case "GRAVITY_DISCOVERY_PORT": config.ports.discovery = try int(value, name, origin)
            case "GRAVITY_BOOTSTRAP_EXPECT": config.bootstrapExpect = try int(value, name, origin)
            case "GRAVITY_RETRY_JOIN": config.retryJoin = commaSeparated(value)
            case "GRAVITY_INITIAL_CLUSTER": config.initialCluster = commaSeparated(value)
            default: continue  // other GRAVITY_* variables belong to scripts, not the agent
            }
        }
    }

    /// "a, b,,c" -> ["a", "b", "c"]: the items of a comma-separated list, blanks removed. Also
    /// what the repeatable flags take (`-initial-cluster n1=a,n2=b`).
    public static func commaSeparated(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
    }

    /// Definitions as Consul's files write them: an object (`service`, `check`) or an array of
    /// objects (`services`, `checks`; either key takes either form, as Consul's do). Only the
    /// shape is checked here; the fields are decoded and validated as the agent API does, once
    /// the node's name is known (`ConfigDefinitions`).
    private static func definitions(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> [JSON] {
        let items = value as? [Any] ?? [value]
        var result: [JSON] = []
        for (offset, item) in items.enumerated() {
            guard item is [String: Any] else { throw .config("\(file): \"\(key)[\(offset)]\" must be an object") }
            // Back to bytes, then through the API's own parser, so the definition reads exactly
            // as the same JSON sent to /v1/agent/service/register would.
            guard let data = try? JSONSerialization.data(withJSONObject: item),
                  let json = try? JSONParser.parse(Array(data)) else {
                throw .config("\(file): \"\(key)[\(offset)]\" is not valid JSON")
            }
            result.append(json)
        }
        return result
    }

    private static func string(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> String {
        guard let text = value as? String else { throw .config("\(file): \"\(key)\" must be a string") }
        return text
    }

    private static func bool(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> Bool {
        guard let flag = value as? Bool else { throw .config("\(file): \"\(key)\" must be true or false") }
        return flag
    }

    private static func int(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> Int {
        if let text = value as? String, let number = Int(text) { return number }
        guard let number = value as? NSNumber, !(value is Bool), number.doubleValue == number.doubleValue.rounded() else {
            throw .config("\(file): \"\(key)\" must be an integer")
        }
        return number.intValue
    }

    private static func level(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> LogLevel {
        let text = try string(value, key, file).lowercased()
        guard let level = LogLevel(rawValue: text == "warning" ? "warn" : text) else {
            throw .config("\(file): \"\(key)\" must be one of trace, debug, info, warn, error")
        }
        return level
    }

    /// A duration string ("30s") or a number of milliseconds.
    private static func milliseconds(_ value: Any, _ key: String, _ file: String) throws(AgentError) -> UInt64 {
        if let text = value as? String {
            guard let nanoseconds = GoDuration.parseNanoseconds(text), nanoseconds >= 0 else {
                throw .config("\(file): \"\(key)\" is not a duration like \"30s\": \(text)")
            }
            return UInt64(nanoseconds / 1_000_000)
        }
        return UInt64(max(0, try int(value, key, file)))
    }
}
