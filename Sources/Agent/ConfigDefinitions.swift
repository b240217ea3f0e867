import API
import Registry

/// The configuration file's services and checks as the commands the node proposes once it
/// knows a leader, after its own registration (Consul registers them as its agent starts).
/// Each is decoded and validated as the agent API decodes the same JSON, with the file's
/// script-check rule (`enable_local_script_checks` suffices); the first bad one fails the start
/// with a message that names it (`services[1]: ...`) and the field, in the API's words.
enum ConfigDefinitions {
    static func commands(_ config: AgentConfig, node: String) throws(AgentError) -> [Command] {
        var commands: [Command] = []
        var serviceIDs = Set<String>()
        for (offset, json) in config.services.enumerated() {
            let registration: ServiceRegistration
            do {
                registration = try ConfigFileDefinitions.service(json, node: node, policy: config.scriptChecks)
            } catch {
                throw .config("services[\(offset)]: \(error.message)")
            }
            serviceIDs.insert(registration.service.id)
            commands.append(.serviceRegister(registration))
        }
        for (offset, json) in config.checks.enumerated() {
            let check: Check
            do {
                check = try ConfigFileDefinitions.check(json, node: node, policy: config.scriptChecks)
            } catch {
                throw .config("checks[\(offset)]: \(error.message)")
            }
            // Only a service of the file: another one may not exist, and apply would then
            // refuse the check after the start, where no operator sees it.
            guard check.serviceID.isEmpty || serviceIDs.contains(check.serviceID) else {
                throw .config("checks[\(offset)]: ServiceID \"\(check.serviceID)\" does not exist")
            }
            commands.append(.checkRegister(check))
        }
        assert(commands.count == config.services.count + config.checks.count)
        return commands
    }
}
