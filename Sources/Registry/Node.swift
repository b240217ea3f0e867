/// A node of the catalog: a machine (or pod) that services run on. Consul's `Node`.
public struct Node: Sendable, Equatable {
    /// The node's UUID, or "" when the registration did not give one.
    public var id: String
    /// The node name, unique in the datacenter (Consul's `Node`).
    public var name: String
    /// The address services on this node fall back to when they have none of their own.
    public var address: String
    /// The datacenter the node lives in; "" means the registering agent's.
    public var datacenter: String
    /// Extra addresses by kind: `lan`, `lan_ipv4`, `wan`, `wan_ipv4`, ...
    public var taggedAddresses: [String: String]
    /// Node meta (Consul's `NodeMeta`).
    public var meta: [String: String]

    /// A node value; nothing is checked until `validate()`.
    public init(
        id: String = "", name: String, address: String, datacenter: String = "",
        taggedAddresses: [String: String] = [:], meta: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.address = address
        self.datacenter = datacenter
        self.taggedAddresses = taggedAddresses
        self.meta = meta
    }

    /// Checks what Consul checks on a catalog registration: a name, a UUID when an ID is given,
    /// and meta. The address is checked by `CatalogRegistration`, which knows `SkipNodeUpdate`.
    public func validate() throws(ValidationError) {
        try Self.validateName(name)
        try Self.validateID(id)
        try MetaRules.validate(meta, field: "NodeMeta", prefix: "Invalid Node Meta: ")
    }

    /// Consul accepts nearly any node name in the catalog (only agents' own names must be DNS
    /// friendly, see `AgentIdentity`). Gravity refuses the empty name and control characters,
    /// which would corrupt logs, DNS answers and URL paths.
    public static func validateName(_ name: String, field: String = "Node") throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: field, message: "Missing node name") }
        guard !name.unicodeScalars.contains(where: isControl) else {
            throw ValidationError(field: field, message: "Invalid node name \(quoted(name)): control characters are not allowed")
        }
    }

    /// An ID is optional; when given it must be a UUID. Consul parses it with go-uuid, which
    /// accepts upper-case hex, so Gravity does too (unlike `AgentIdentity` for its own ID).
    public static func validateID(_ id: String) throws(ValidationError) {
        guard !id.isEmpty else { return }
        do {
            try AgentIdentity.validateNodeID(id.lowercased())
        } catch {
            throw ValidationError(field: "ID", message: "Bad node ID: \(quoted(id)) is not a UUID")
        }
    }
}
