import Registry

/// The services and checks of an agent's configuration file (Consul's `services` / `checks`
/// blocks), decoded and validated exactly as `/v1/agent/service/register` and
/// `/v1/agent/check/register` bodies are (keys match case-insensitively, so the file's
/// snake_case `args`, `interval`, `id` work), with the script-check decision for the file's
/// source: `enable_local_script_checks` is enough here (Consul's `ConfigSourceLocal`).
public enum ConfigFileDefinitions {
    /// One service definition as its registration on `node`. The file is authoritative for the
    /// services it defines: a check of such a service that the file no longer lists goes at the
    /// next start (`replaceExistingChecks`).
    public static func service(_ json: JSON, node: String, policy: ScriptCheckPolicy) throws(APIError) -> ServiceRegistration {
        let registration = try ServiceDefinitionDecoder.registration(json, node: node, replaceExistingChecks: true)
        guard !AgentLocal.isServerService(registration.service.id) else {
            throw .badRequest("Invalid service ID \"\(AgentLocal.serverServiceID)\": reserved for the server's own registration")
        }
        try refuseScripts(registration.checks, policy: policy)
        return registration
    }

    /// One check definition as a check on `node`.
    public static func check(_ json: JSON, node: String, policy: ScriptCheckPolicy) throws(APIError) -> Check {
        let check = try CheckDefinitionDecoder.agentCheck(json, node: node)
        guard !AgentLocal.isServerCheck(check.checkID) else {
            throw .badRequest("Invalid check ID \"\(check.checkID)\": reserved for the server's own liveness check")
        }
        try refuseScripts([check], policy: policy)
        return check
    }

    private static func refuseScripts(_ checks: [Check], policy: ScriptCheckPolicy) throws(APIError) {
        if let refusal = policy.refusal(for: checks, from: .configFile) { throw .badRequest(refusal) }
    }
}
