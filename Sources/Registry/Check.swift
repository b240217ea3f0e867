/// A health check on a node, or on one service instance of that node. Consul's `HealthCheck`.
public struct Check: Sendable, Equatable {
    /// The node the check belongs to.
    public var node: String
    /// ID unique on the node (Consul's `CheckID`); the API defaults it to `name`.
    public var checkID: String
    /// Human name; required.
    public var name: String
    /// Current status.
    public var status: HealthStatus
    /// Free text from the registration.
    public var notes: String
    /// Last probe output (or TTL note).
    public var output: String
    /// The service instance the check belongs to; "" for a node-level check.
    public var serviceID: String
    /// That service's name, copied at registration.
    public var serviceName: String
    /// That service's tags, copied at registration.
    public var serviceTags: [String]
    /// How the check probes.
    public var definition: CheckDefinition
    /// Port exposed for the check through a mesh proxy; 0 when none.
    public var exposedPort: Int

    /// Consul's check ID for node maintenance mode.
    public static let nodeMaintenanceCheckID = "_node_maintenance"
    /// Consul's prefix of service maintenance check IDs (`_service_maintenance:<serviceID>`).
    public static let serviceMaintenanceCheckIDPrefix = "_service_maintenance:"
    /// Consul's per-member liveness check ID.
    public static let serfHealthCheckID = "serfHealth"

    /// A check value; nothing is checked until `validate(includingDefinition:)`.
    public init(
        node: String, checkID: String, name: String, status: HealthStatus = HealthStatus.initial,
        notes: String = "", output: String = "", serviceID: String = "", serviceName: String = "",
        serviceTags: [String] = [], definition: CheckDefinition = CheckDefinition(), exposedPort: Int = 0
    ) {
        self.node = node
        self.checkID = checkID
        self.name = name
        self.status = status
        self.notes = notes
        self.output = output
        self.serviceID = serviceID
        self.serviceName = serviceName
        self.serviceTags = serviceTags
        self.definition = definition
        self.exposedPort = exposedPort
    }

    /// Consul's `Type` of the check, from its definition.
    public var type: String { definition.type }

    /// True for node and service maintenance checks, which make the aggregate `maintenance`.
    public var isMaintenance: Bool {
        checkID == Self.nodeMaintenanceCheckID || checkID.hasPrefix(Self.serviceMaintenanceCheckIDPrefix)
    }

    /// Checks a check about to be registered: node, name and ID are required. The definition is
    /// checked only where Consul checks it (the agent API, which runs probes); catalog checks are
    /// records that nothing runs, so Consul stores whatever definition they carry.
    public func validate(includingDefinition: Bool) throws(ValidationError) {
        try Node.validateName(node)
        guard !name.isEmpty else { throw ValidationError(field: "Name", message: "Missing check name") }
        guard !checkID.isEmpty else { throw ValidationError(field: "CheckID", message: "Missing check ID") }
        try Service.validatePort(exposedPort, field: "ExposedPort", what: "exposed port")
        if includingDefinition {
            try definition.validate()
        }
    }
}
