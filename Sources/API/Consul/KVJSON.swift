import HTTP
import Registry

/// Consul's `DirEntry` JSON (consul-api.md §2.4), shared by the KV and txn endpoints.
enum KVJSON {
    /// `{"LockIndex","Key","Flags","Value","Session","CreateIndex","ModifyIndex"}`: `Value` is
    /// base64, and `null` when empty (py-consul asserts `Value is None` after `put("k", "")`);
    /// `Session` is left out when no session holds the key.
    static func entry(_ indexed: Indexed<KVEntry>) -> JSON {
        let entry = indexed.value
        var members: [(String, JSON)] = [
            ("LockIndex", unsigned(entry.lockIndex)),
            ("Key", .string(entry.key)),
            ("Flags", unsigned(entry.flags)),
            ("Value", entry.value.isEmpty ? .null : .string(Base64.encode(entry.value))),
        ]
        if let session = entry.session { members.append(("Session", .string(session))) }
        members.append(("CreateIndex", unsigned(indexed.createIndex)))
        members.append(("ModifyIndex", unsigned(indexed.modifyIndex)))
        return .object(members)
    }

    /// A uint64 as an exact JSON number (only client-chosen `Flags` pass Int64's range).
    static func unsigned(_ value: UInt64) -> JSON {
        if let exact = Int64(exactly: value) { return .int(exact) }
        return .uint(value)
    }
}
