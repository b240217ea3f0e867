import HTTP
import Store

/// Read answers kept until what they were read from changes: a repeated read (a load balancer
/// polling `health/service/web?passing`) is served without touching SQLite. Entries are keyed by
/// what makes a read's answer differ (method, target, Accept) and indexed by the `WatchKey`s the
/// handler named, so a write drops exactly the entries it may have changed.
///
/// Bounded: at most `maxEntries` entries and `maxBodyBytes` of bodies; when a new entry would
/// pass either bound the cache starts empty again (simple, and a full cache is a rare state).
struct ResponseCache {
    private var entries: [String: (response: HTTPResponse, keys: [WatchKey])] = [:]
    private var byKey: [WatchKey: Set<String>] = [:]
    private var bodyBytes = 0
    let maxEntries: Int
    let maxBodyBytes: Int

    init(maxEntries: Int = 4096, maxBodyBytes: Int = 64 * 1024 * 1024) {
        precondition(maxEntries > 0 && maxBodyBytes > 0)
        self.maxEntries = maxEntries
        self.maxBodyBytes = maxBodyBytes
    }

    /// The cache key of a request whose answer may be cached, or nil: only plain GETs (a blocking
    /// query's answer depends on its wait, so it is never cached).
    static func key(for request: HTTPRequest) -> String? {
        guard request.method == "GET", !request.hasQuery("index"), !request.hasQuery("wait") else { return nil }
        return request.target + "\u{0}" + (request.headers["Accept"] ?? "")
    }

    var count: Int { entries.count }

    func response(for key: String) -> HTTPResponse? { entries[key]?.response }

    mutating func store(_ response: HTTPResponse, for key: String, watching keys: [WatchKey]) {
        guard !keys.isEmpty, entries[key] == nil else { return }
        if entries.count >= maxEntries || bodyBytes + response.body.count > maxBodyBytes { removeAll() }
        guard response.body.count <= maxBodyBytes else { return }
        entries[key] = (response, keys)
        bodyBytes += response.body.count
        for watched in keys { byKey[watched, default: []].insert(key) }
    }

    /// Drops every entry that watches something in `changed` (`covers` as for blocking queries).
    mutating func invalidate(_ changed: [WatchKey], covers: (WatchKey, WatchKey) -> Bool) {
        guard !changed.isEmpty, !entries.isEmpty else { return }
        var stale = Set<String>()
        for (watched, keys) in byKey where changed.contains(where: { covers(watched, $0) }) {
            stale.formUnion(keys)
        }
        for key in stale { remove(key) }
    }

    mutating func removeAll() {
        entries = [:]
        byKey = [:]
        bodyBytes = 0
    }

    private mutating func remove(_ key: String) {
        guard let entry = entries.removeValue(forKey: key) else { return }
        bodyBytes -= entry.response.body.count
        for watched in entry.keys {
            byKey[watched]?.remove(key)
            if byKey[watched]?.isEmpty == true { byKey[watched] = nil }
        }
    }
}
