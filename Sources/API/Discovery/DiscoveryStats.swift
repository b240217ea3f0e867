import Registry

/// What this node counted of the discovery API, for `/metrics` and `/api/v1/metrics/...`:
/// picks it served (per service and strategy, and per instance), picks that found no healthy
/// instance, and registrations applied (through either API; every replica applies every
/// registration, so that count is the cluster's). Owned by the node; not replicated.
public final class DiscoveryStats {
    private(set) var discoveries: [String: [String: UInt64]] = [:]
    private(set) var failures: [String: UInt64] = [:]
    private(set) var picks: [String: UInt64] = [:]
    private(set) var registrations: [String: UInt64] = [:]
    /// Health-check probe durations per service: a Prometheus histogram.
    private(set) var probeDurations: [String: Histogram] = [:]

    /// Cumulative buckets (Prometheus' default upper bounds, in seconds), sum and count.
    struct Histogram {
        static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
        var buckets = [UInt64](repeating: 0, count: bounds.count)
        var sumSeconds = 0.0
        var count: UInt64 = 0

        mutating func observe(_ seconds: Double) {
            for (index, bound) in Self.bounds.enumerated() where seconds <= bound { buckets[index] += 1 }
            sumSeconds += seconds
            count += 1
        }
    }

    public init() {}

    /// Records one finished health-check probe of `service`.
    public func probed(service: String, milliseconds: UInt64) {
        probeDurations[service, default: Histogram()].observe(Double(milliseconds) / 1000)
    }

    func picked(service: String, strategy: String, node: String, serviceID: String) {
        discoveries[service, default: [:]][strategy, default: 0] += 1
        picks[node + "\u{0}" + serviceID, default: 0] += 1
    }

    func noneHealthy(service: String) {
        failures[service, default: 0] += 1
    }

    func picks(node: String, serviceID: String) -> UInt64 { picks[node + "\u{0}" + serviceID] ?? 0 }

    /// Counts an applied command that registers a service instance.
    public func applied(_ command: Command) {
        switch command {
        case .serviceRegister(let registration): registrations[registration.service.name, default: 0] += 1
        case .catalogRegister(let registration):
            if let service = registration.service { registrations[service.name, default: 0] += 1 }
        default: break
        }
    }
}
