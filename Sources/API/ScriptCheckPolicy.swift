import Registry

/// Whether this agent runs script checks (`Args`), and from which sources: Consul's
/// `enable_script_checks` (from anywhere, the HTTP API included) and
/// `enable_local_script_checks` (only from the agent's own configuration file). A script check
/// runs whatever the registering client names on this host, so both are off by default.
public enum ScriptCheckPolicy: Sendable, Equatable {
    /// Neither setting: no script check is registered, whatever its source.
    case disabled
    /// `enable_local_script_checks`: from the configuration file only.
    case localOnly
    /// `enable_script_checks`: from the configuration file and the HTTP API.
    case enabled

    /// Where a registration came from (Consul's `configSource`).
    public enum Source: Sendable, Equatable {
        /// The agent's configuration file (Consul's `ConfigSourceLocal`).
        case configFile
        /// `/v1/agent/check/register`, `/v1/agent/service/register` (Consul's `ConfigSourceRemote`).
        case httpAPI
    }

    /// The policy of the two settings; `enable_script_checks` implies the local one, as in Consul.
    public init(enableScriptChecks: Bool, enableLocalScriptChecks: Bool) {
        self = enableScriptChecks ? .enabled : enableLocalScriptChecks ? .localOnly : .disabled
    }

    /// Whether a script check from `source` may be registered.
    public func allows(_ source: Source) -> Bool {
        switch (self, source) {
        case (.enabled, _), (.localOnly, .configFile): true
        case (.disabled, _), (.localOnly, .httpAPI): false
        }
    }

    /// Consul's refusal for a script check from `source` (hashicorp/consul agent/agent.go
    /// `addCheck`): the HTTP API's names only the remote setting.
    public static func refusal(from source: Source) -> String {
        switch source {
        case .configFile:
            "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true"
        case .httpAPI:
            "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"
        }
    }

    /// Nil when `checks` may be registered from `source`, else Consul's refusal text.
    public func refusal(for checks: [Check], from source: Source) -> String? {
        guard checks.contains(where: { !$0.definition.args.isEmpty }), !allows(source) else { return nil }
        return Self.refusal(from: source)
    }
}
