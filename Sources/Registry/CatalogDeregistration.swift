/// `PUT /v1/catalog/deregister`: removes a node (with everything on it), one service (with its
/// checks) or one check. Consul's `DeregisterRequest`.
public struct CatalogDeregistration: Sendable, Equatable {
    /// The node.
    public var node: String
    /// When set, only this service instance and its checks go.
    public var serviceID: String?
    /// When set (and `serviceID` is not), only this check goes.
    public var checkID: String?

    /// A deregistration value.
    public init(node: String, serviceID: String? = nil, checkID: String? = nil) {
        self.node = node
        self.serviceID = serviceID
        self.checkID = checkID
    }
}
