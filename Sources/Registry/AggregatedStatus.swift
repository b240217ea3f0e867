/// The health of a service instance or node as a whole: a `HealthStatus` plus `maintenance`.
/// Raw values are Consul's `AggregatedStatus` texts.
public enum AggregatedStatus: String, Sendable, Equatable, CaseIterable {
    /// Every check passes (or there are none).
    case passing
    /// Some check warns, none is critical.
    case warning
    /// Some check is critical.
    case critical
    /// The node or the service is in maintenance mode, whatever its checks say.
    case maintenance
}
