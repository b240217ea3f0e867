/// Every limit the Registry module enforces, in one place (STYLE.md principle 6).
///
/// Values that Consul clients can observe are Consul's; the ones Consul does not have are
/// Gravity's and say why next to them.
public enum RegistryLimits {
    /// Consul's `metaMaxKeyPairs`: node and service meta hold at most 64 pairs.
    public static let maxMetaPairs = 64
    /// Consul's `metaKeyMaxLength`, counted in bytes (Go's `len`), worded "characters".
    public static let maxMetaKeyBytes = 128
    /// Consul's `metaValueMaxLength`, counted in bytes, worded "characters".
    public static let maxMetaValueBytes = 512
    /// Meta keys with this prefix are Consul's own (`consul-version`, ...); clients may not set them.
    public static let reservedMetaPrefix = "consul-"

    /// Ports and tagged-address ports are TCP/UDP ports.
    public static let maxPort = 65535
    /// Consul's bound on DNS weights (`DNS Weight must be between 0 and 65535`).
    public static let maxWeight = 65535

    /// Gravity's bound on KV key length. Consul has none; a key is a URL path, a SQLite primary
    /// key and part of every blocking-query watch, so 1 KiB (far above real keys) keeps each of
    /// those small. Counted in UTF-8 bytes.
    public static let maxKVKeyBytes = 1024
    /// Consul's `kv_max_value_size` default (512 KiB); larger values are a 413, not a 400, so the
    /// API layer checks it.
    public static let maxKVValueBytes = 512 * 1024
    /// Operations in one `/v1/txn` request (Consul's current documented maximum).
    public static let maxTxnOperations = 128

    /// Consul's `session_ttl_min` default.
    public static let minSessionTTLNanoseconds: Int64 = 10 * nanosecondsPerSecond
    /// Consul's `SessionTTLMax` (24 h).
    public static let maxSessionTTLNanoseconds: Int64 = 24 * 3600 * nanosecondsPerSecond
    /// Consul's `MaxLockDelay`; Consul clamps longer delays, Gravity refuses them.
    public static let maxLockDelayNanoseconds: Int64 = 60 * nanosecondsPerSecond
    /// Consul's default session lock delay.
    public static let defaultLockDelayNanoseconds: Int64 = 15 * nanosecondsPerSecond

    /// The seed design's bound on a service name in the 8761 API (`max_length=100`), in bytes.
    public static let maxDiscoveryServiceNameBytes = 100
    /// The largest service configuration (8761 `PUT /api/v1/config/{name}`), as compact JSON:
    /// Consul's KV value limit, where the seed design kept configurations.
    public static let maxConfigBytes = 512 * 1024
    /// The longest configuration `environment` label.
    public static let maxConfigEnvironmentBytes = 128
    /// Versions of a service configuration the store keeps (the issue: the last 20).
    public static let keptConfigVersions = 20
    /// The longest and default lifetime of a least-connections lease.
    public static let maxLeaseTTLMilliseconds: UInt64 = 3_600_000
    public static let defaultLeaseTTLMilliseconds: UInt64 = 30_000

    /// Consul's default `OutputMaxSize` for check output (4 KiB).
    public static let defaultCheckOutputMaxSize = 4096

    /// One second in nanoseconds, the unit of every duration in the module.
    public static let nanosecondsPerSecond: Int64 = 1_000_000_000
}
