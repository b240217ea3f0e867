import HTTP

/// `/metrics` (Prometheus text) and `/api/v1/metrics/services|instances` (the seed's `ServiceMetrics`).
enum DiscoveryMetricsEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
    }
}
