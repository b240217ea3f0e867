import Store

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
