/// A service instance on a node. Consul's `NodeService` (the catalog's `ServiceNode` is this plus
/// its node).
public struct Service: Sendable, Equatable {
    /// Instance ID, unique on its node. The API defaults it to `name` before proposing.
    public var id: String
    /// The service name instances share (Consul's `Service`).
    public var name: String
    /// Tags in the order the client gave them; duplicates are kept, as Consul keeps them.
    public var tags: [String]
    /// The instance's address; "" means the node's address.
    public var address: String
    /// Extra addresses by kind (`lan`, `wan`, `lan_ipv4`, ...).
    public var taggedAddresses: [String: ServiceAddress]
    /// Service meta.
    public var meta: [String: String]
    /// Port, 0...65535.
    public var port: Int
    /// DNS weights by health.
    public var weights: Weights
    /// When true, tags changed in the catalog by others survive anti-entropy.
    public var enableTagOverride: Bool
    /// "" for a typical service, else `connect-proxy`, `mesh-gateway`, ... (kept as given).
    public var kind: String

    /// A service value; nothing is checked until `validate()`.
    public init(
        id: String, name: String, tags: [String] = [], address: String = "",
        taggedAddresses: [String: ServiceAddress] = [:], meta: [String: String] = [:], port: Int = 0,
        weights: Weights = Weights(), enableTagOverride: Bool = false, kind: String = ""
    ) {
        self.id = id
        self.name = name
        self.tags = tags
        self.address = address
        self.taggedAddresses = taggedAddresses
        self.meta = meta
        self.port = port
        self.weights = weights
        self.enableTagOverride = enableTagOverride
        self.kind = kind
    }

    /// Consul's checks on `agent/service/register` and `catalog/register`, in its order:
    /// name, address, weights, meta; then Gravity's port ranges.
    public func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "Service", message: "Missing service name") }
        guard !Self.isAnyAddress(address) else {
            throw ValidationError(field: "Address", message: "Invalid service address")
        }
        try weights.validate()
        try MetaRules.validate(meta, field: "Meta", prefix: "Invalid Service Meta: ")
        try Self.validatePort(port, field: "Port", what: "service port")
        for kind in taggedAddresses.keysInByteOrder {
            let port = taggedAddresses[kind]?.port ?? 0
            try Self.validatePort(port, field: "TaggedAddresses", what: "tagged address \(quoted(kind)) port")
        }
    }

    /// Consul's `ipaddr.IsAny`: a wildcard listen address is not an address anyone can reach.
    public static func isAnyAddress(_ address: String) -> Bool {
        address == "0.0.0.0" || address == "::" || address == "[::]"
    }

    static func validatePort(_ port: Int, field: String, what: String) throws(ValidationError) {
        guard (0...RegistryLimits.maxPort).contains(port) else {
            throw ValidationError(field: field, message: "Invalid \(what) \(port): must be between 0 and \(RegistryLimits.maxPort)")
        }
    }
}
