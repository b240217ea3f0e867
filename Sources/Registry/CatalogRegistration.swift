/// `PUT /v1/catalog/register`: a node, optionally one service on it, and checks. Consul's
/// `RegisterRequest`.
public struct CatalogRegistration: Sendable, Equatable {
    /// The node; created when absent, updated unless `skipNodeUpdate`.
    public var node: Node
    /// The service to register on the node, if any.
    public var service: Service?
    /// Checks to register; each belongs to `node` (and maybe to `service`).
    public var checks: [Check]
    /// Keep the stored node's fields; still creates the node when absent.
    public var skipNodeUpdate: Bool

    /// A registration value.
    public init(node: Node, service: Service? = nil, checks: [Check] = [], skipNodeUpdate: Bool = false) {
        self.node = node
        self.service = service
        self.checks = checks
        self.skipNodeUpdate = skipNodeUpdate
    }

    /// Consul's catalog checks, in its order: node, address, service, then each check (whose
    /// definition is a record only and is not checked).
    public func validate() throws(ValidationError) {
        try node.validate()
        guard !node.address.isEmpty || skipNodeUpdate else {
            throw ValidationError(field: "Address", message: "Must provide address if SkipNodeUpdate is not set")
        }
        try service?.validate()
        for check in checks {
            try check.validate(includingDefinition: false)
            guard check.node == node.name else {
                throw ValidationError(field: "Check.Node", message: "Check node \(quoted(check.node)) does not match node \(quoted(node.name))")
            }
        }
    }
}
