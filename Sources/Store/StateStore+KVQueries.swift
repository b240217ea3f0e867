import Registry

// KV reads and their indexes (consul-api.md §1.5, §2.4; hashicorp/consul
// agent/consul/kvs_endpoint.go, state/kvs.go).

extension StateStore {
    /// `GET /v1/kv/:key`. A hit reports the key's ModifyIndex; a miss reports the highest of
    /// the KV table's index and the key's tombstone, so a client can block waiting for the key
    /// to appear.
    public func kvEntry(key: String) throws(StoreError) -> Answer<Indexed<KVEntry>?> {
        let reader = read
        if let entry = try reader.kvEntry(key: key) {
            return (max(1, entry.modifyIndex), entry)
        }
        return (max(try index(["kvs"]), try reader.tombstoneIndex(key: key)), nil)
    }

    /// `GET /v1/kv/:prefix?recurse`: the entries under `prefix`, by key bytes.
    public func kvEntries(prefix: String) throws(StoreError) -> Answer<[Indexed<KVEntry>]> {
        (try prefixIndex(prefix), try read.kvEntries(prefix: prefix))
    }

    /// `GET /v1/kv/:prefix?keys[&separator=s]`: the keys under `prefix`, by bytes; with a
    /// separator, each key is cut after the first separator that follows the prefix, and the
    /// cut keys are de-duplicated (`base/a/x`, `base/a/y` → `base/a/`).
    public func kvKeys(prefix: String, separator: String = "") throws(StoreError) -> Answer<[String]> {
        let keys = try read.kvKeys(prefix: prefix)
        return (try prefixIndex(prefix), Self.cut(keys, prefix: prefix, separator: separator))
    }

    /// The index of a prefix read: the highest ModifyIndex under the prefix, tombstones of
    /// deleted keys included, so deletes never make it go backwards; the KV table's index when
    /// nothing (alive or dead) is under the prefix, or for the whole store (prefix "").
    private func prefixIndex(_ prefix: String) throws(StoreError) -> UInt64 {
        let table = try index(["kvs"])
        guard !prefix.isEmpty else { return table }
        let highest = try read.highestIndex(prefix: prefix)
        return highest > 0 ? highest : table
    }

    /// Consul's `ListKeys` cut, on UTF-8 bytes (a separator is valid UTF-8, so a cut after it
    /// never splits a character).
    static func cut(_ keys: [String], prefix: String, separator: String) -> [String] {
        guard !separator.isEmpty else { return keys }
        let prefixLength = prefix.utf8.count
        let separatorBytes = Array(separator.utf8)
        var result: [String] = []
        for key in keys {
            let bytes = Array(key.utf8)
            var cutKey = key
            if let found = firstRange(of: separatorBytes, in: bytes, from: prefixLength) {
                cutKey = String(decoding: bytes[..<found], as: UTF8.self)
            }
            if result.last != cutKey { result.append(cutKey) }
        }
        return result
    }

    /// The end of the first occurrence of `needle` in `bytes` at or after `start`.
    private static func firstRange(of needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        for offset in start...(bytes.count - needle.count) where bytes[offset..<offset + needle.count].elementsEqual(needle) {
            return offset + needle.count
        }
        return nil
    }
}
