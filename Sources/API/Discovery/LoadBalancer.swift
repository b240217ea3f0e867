import Registry
import Store

/// Round-robin positions per pool (a service name, or a service name and region), owned by the
/// node so that a pool rotates evenly across requests. Each node of a cluster keeps its own:
/// round robin is even per node, and so across nodes when clients spread over them.
public final class Rotations {
    private var next: [String: UInt64] = [:]

    public init() {}

    /// The position to use for `pool` now; the next call gets the one after it.
    func take(_ pool: String) -> UInt64 {
        let position = next[pool, default: 0]
        next[pool] = position &+ 1
        return position
    }
}

/// The instances of each service as the discovery API serves them, with each instance's JSON
/// already encoded, kept until a write touches the service (`WatchKey.service`, which every
/// change to an instance, its checks or its node touches). Instance picks are the hot path of
/// the 8761 API and change nothing, so they are answered from here without reading the store.
public final class DiscoveryCache {
    struct Entry {
        let instances: [DiscoveryInstance]
        let encoded: [[UInt8]]
        /// Positions of the instances in the pool (passing or warning), in store order.
        let healthy: [Int]
    }

    private var entries: [String: Entry] = [:]
    /// Services cached at most; past it the cache starts over (a bound, not an LRU: hitting it
    /// means a scan over that many names, which re-fills what is used).
    static let maxEntries = 4096

    public init() {}

    public var count: Int { entries.count }

    func entry(_ name: String, store: StateStore) throws -> Entry {
        if let entry = entries[name] { return entry }
        let instances = try store.discoveryInstances(named: name).value
        let entry = Entry(
            instances: instances,
            encoded: instances.map { DiscoveryJSON.instance($0).encoded() },
            healthy: instances.indices.filter { DiscoveryJSON.isHealthy(instances[$0]) })
        if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
        entries[name] = entry
        return entry
    }

    /// Drops what `changed` may have changed.
    public func invalidate(_ changed: [WatchKey]) {
        guard !entries.isEmpty else { return }
        for key in changed {
            if case .service(let name) = key { entries[name] = nil }
        }
    }

    public func removeAll() { entries.removeAll() }
}

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

/// The 8761 load-balancing strategies that are reads (least connections is a write: a
/// lease). Each takes the pool (the healthy instances, in the store's order: node, then service
/// ID) and returns the position of the one it picks.
enum LoadBalancer {
    static func roundRobin(_ count: Int, pool: String, rotations: Rotations) -> Int {
        precondition(count > 0)
        return Int(rotations.take(pool) % UInt64(count))
    }

    /// The seed's weight: `metadata.weight` (default 100) scaled by `1 - metadata.cpu_usage/100`
    /// (default 0). Values that do not parse, or fall outside 0...100 for the CPU, are ignored
    /// (the default applies): a bad label must not take an instance out of the pool.
    static func weight(_ instance: DiscoveryInstance) -> Double {
        let meta = instance.entry.service.value.meta
        var weight = 100.0
        if let text = meta["weight"], let value = Double(text), value.isFinite, value >= 0 { weight = value }
        var cpu = 0.0
        if let text = meta["cpu_usage"], let value = Double(text), value.isFinite, (0...100).contains(value) { cpu = value }
        return weight * (1 - cpu / 100)
    }

    /// A weighted random pick with the node's seeded draw. When every weight is 0 the pick is
    /// uniform: an all-zero pool is still a pool.
    static func weighted(_ instances: [DiscoveryInstance], draw: UInt64) -> Int {
        precondition(!instances.isEmpty)
        let weights = instances.map(weight)
        let total = weights.reduce(0, +)
        // 53 random bits give a uniform fraction in [0, 1).
        let fraction = Double(draw >> 11) / Double(UInt64(1) << 53)
        guard total > 0 else { return min(instances.count - 1, Int(fraction * Double(instances.count))) }
        var target = fraction * total
        for (position, weight) in weights.enumerated() {
            if target < weight { return position }
            target -= weight
        }
        return weights.lastIndex { $0 > 0 } ?? instances.count - 1
    }

    /// Round robin among the instances whose `metadata.region` is `region`, else among all.
    static func geographic(_ instances: [DiscoveryInstance], region: String?, service: String, rotations: Rotations) -> Int {
        if let region {
            let local = instances.indices.filter { instances[$0].entry.service.value.meta["region"] == region }
            if !local.isEmpty { return local[roundRobin(local.count, pool: service + "\u{0}region\u{0}" + region, rotations: rotations)] }
        }
        return roundRobin(instances.count, pool: service, rotations: rotations)
    }
}
