/// One key of the KV store. Consul's `DirEntry` without its indexes (see `Indexed`).
public struct KVEntry: Sendable, Equatable {
    /// The key; "a/b/c" by convention, any bytes but the ones `validateKey` refuses.
    public var key: String
    /// Opaque client flags.
    public var flags: UInt64
    /// The value; empty is served as JSON `null`.
    public var value: [UInt8]
    /// The session holding the lock on this key, if any.
    public var session: String?
    /// How many times a lock on this key was acquired (not changed by release).
    public var lockIndex: UInt64

    /// An entry value; nothing is checked until `validateKey`.
    public init(key: String, flags: UInt64 = 0, value: [UInt8] = [], session: String? = nil, lockIndex: UInt64 = 0) {
        self.key = key
        self.flags = flags
        self.value = value
        self.session = session
        self.lockIndex = lockIndex
    }

    /// Refuses what Gravity will not store as a key: "" (`Missing key name`), keys over
    /// `RegistryLimits.maxKVKeyBytes`, and `..` path segments, which Consul ≥ 1.21.5 refuses too
    /// (consul-api.md §2.4). Anything else is accepted: Consul's short-lived character allow-list
    /// broke real users. Percent-decoding is the API layer's job, so it checks decoded keys.
    public static func validateKey(_ key: String) throws(ValidationError) {
        guard !key.isEmpty else { throw ValidationError(field: "Key", message: "Missing key name") }
        let bytes = key.utf8.count
        guard bytes <= RegistryLimits.maxKVKeyBytes else {
            throw ValidationError(field: "Key", message: "Invalid key: \(bytes) bytes long, the limit is \(RegistryLimits.maxKVKeyBytes)")
        }
        guard !key.split(separator: "/", omittingEmptySubsequences: false).contains("..") else {
            throw ValidationError(field: "Key", message: "Invalid key \(quoted(key)): path traversal ('..') is not allowed")
        }
    }

    /// `validateKey` for a recursive delete or read prefix, where "" means the whole store.
    public static func validatePrefix(_ prefix: String) throws(ValidationError) {
        guard !prefix.isEmpty else { return }
        try validateKey(prefix)
    }
}
