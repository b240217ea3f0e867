/// `PUT /v1/agent/service/register` after the agent has filled defaults: a service on the
/// agent's node and its checks (IDs `service:<id>` or `service:<id>:<n>`, already generated).
public struct ServiceRegistration: Sendable, Equatable {
    /// The agent's node.
    public var node: String
    /// The service instance.
    public var service: Service
    /// The instance's checks.
    public var checks: [Check]
    /// `?replace-existing-checks`: remove the instance's checks that are not in `checks`.
    public var replaceExistingChecks: Bool

    /// A registration value.
    public init(node: String, service: Service, checks: [Check] = [], replaceExistingChecks: Bool = false) {
        self.node = node
        self.service = service
        self.checks = checks
        self.replaceExistingChecks = replaceExistingChecks
    }

    /// The agent API's checks: the service, then each check with its definition, each on this
    /// node and this service.
    public func validate() throws(ValidationError) {
        try Node.validateName(node)
        try service.validate()
        for check in checks {
            try check.validate(includingDefinition: true)
            guard check.node == node, check.serviceID == service.id else {
                throw ValidationError(field: "Check", message: "Check \(quoted(check.checkID)) does not belong to service \(quoted(service.id)) on node \(quoted(node))")
            }
        }
    }
}
