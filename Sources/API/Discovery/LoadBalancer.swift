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
