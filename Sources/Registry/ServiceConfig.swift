/// A new version of one service's configuration (the 8761 API's `PUT /api/v1/config/{name}`).
/// The store numbers versions and stamps times when it applies the command, so every replica
/// agrees on both.
public struct ServiceConfigUpdate: Sendable, Equatable {
    /// The service the configuration belongs to (a Consul service name).
    public var serviceName: String
    /// Free text such as "production"; the seed design's default.
    public var environment: String
    /// The configuration: one JSON object, in the compact form the API wrote it in.
    public var config: String

    public init(serviceName: String, environment: String, config: String) {
        self.serviceName = serviceName
        self.environment = environment
        self.config = config
    }

    /// Names the field that is wrong. The JSON itself is checked by the API that parsed it.
    public func validate() throws(ValidationError) {
        try Self.validateServiceName(serviceName)
        guard environment.utf8.count <= RegistryLimits.maxConfigEnvironmentBytes else {
            throw ValidationError(field: "environment", message: "environment is longer than \(RegistryLimits.maxConfigEnvironmentBytes) bytes")
        }
        guard config.utf8.count <= RegistryLimits.maxConfigBytes else {
            throw ValidationError(field: "config", message: "config is larger than \(RegistryLimits.maxConfigBytes) bytes")
        }
    }

    /// The seed design's rule for service names (1 to 100 characters), counted in bytes; a name
    /// is one path segment of the 8761 API, so it holds no '/'.
    public static func validateServiceName(_ name: String) throws(ValidationError) {
        guard !name.isEmpty, name.utf8.count <= RegistryLimits.maxDiscoveryServiceNameBytes else {
            throw ValidationError(field: "service_name", message: "service_name must be 1 to \(RegistryLimits.maxDiscoveryServiceNameBytes) bytes long")
        }
        guard !name.contains("/") else {
            throw ValidationError(field: "service_name", message: "service_name must not contain '/'")
        }
    }
}

/// A least-connections pick (the 8761 API's `strategy=least_connections`): the store grants a
/// lease on the healthy instance of `serviceName` with the fewest unexpired leases, so every
/// node of a cluster counts the same leases. The leader chose the ID and the lifetime.
public struct LeaseGrant: Sendable, Equatable {
    /// The lease's ID (a UUID the leader drew); the caller releases the lease with it.
    public var leaseID: String
    public var serviceName: String
    /// How long the lease counts if never released.
    public var ttlMilliseconds: UInt64

    public init(leaseID: String, serviceName: String, ttlMilliseconds: UInt64) {
        self.leaseID = leaseID
        self.serviceName = serviceName
        self.ttlMilliseconds = ttlMilliseconds
    }
}
