/// A service check a session is bound to (Consul's `ServiceChecks` item).
public struct ServiceCheckRef: Sendable, Equatable {
    /// The check ID.
    public var id: String
    /// Enterprise namespace; always "" in Gravity, kept so the field round-trips.
    public var namespace: String

    /// A reference to a service check.
    public init(id: String, namespace: String = "") {
        self.id = id
        self.namespace = namespace
    }
}
