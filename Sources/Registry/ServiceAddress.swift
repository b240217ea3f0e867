/// One of a service's tagged addresses (`TaggedAddresses.lan`, `.wan`, ...). Consul's `ServiceAddress`.
public struct ServiceAddress: Sendable, Equatable {
    /// Host or IP.
    public var address: String
    /// Port, 0...65535; 0 means "the service's port".
    public var port: Int

    /// A tagged address.
    public init(address: String, port: Int) {
        self.address = address
        self.port = port
    }
}
