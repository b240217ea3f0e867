/// A session: a lease that holds KV locks and dies with its node, its checks or its TTL.
/// Consul's `Session`. The leader chooses `id` before proposing (DESIGN.md §7).
public struct Session: Sendable, Equatable {
    /// UUID chosen by the leader.
    public var id: String
    /// Free-form name.
    public var name: String
    /// The node the session is tied to; it must be in the catalog.
    public var node: String
    /// Node-level checks that invalidate the session when critical (default `serfHealth`).
    public var nodeChecks: [String]
    /// Service checks that invalidate the session when critical.
    public var serviceChecks: [ServiceCheckRef]
    /// After invalidation, the session's keys cannot be locked again for this long.
    public var lockDelayNanoseconds: Int64
    /// What invalidation does to held keys.
    public var behavior: SessionBehavior
    /// Renewal deadline; nil (or 0) means the session never expires by time.
    public var ttlNanoseconds: Int64?

    /// A session with Consul's defaults: `serfHealth`, 15 s lock delay, release, no TTL.
    public init(
        id: String, name: String = "", node: String, nodeChecks: [String] = [Check.serfHealthCheckID],
        serviceChecks: [ServiceCheckRef] = [], lockDelayNanoseconds: Int64 = RegistryLimits.defaultLockDelayNanoseconds,
        behavior: SessionBehavior = .release, ttlNanoseconds: Int64? = nil
    ) {
        self.id = id
        self.name = name
        self.node = node
        self.nodeChecks = nodeChecks
        self.serviceChecks = serviceChecks
        self.lockDelayNanoseconds = lockDelayNanoseconds
        self.behavior = behavior
        self.ttlNanoseconds = ttlNanoseconds
    }

    /// Checks a session about to be created: node, lock delay and TTL.
    public func validate() throws(ValidationError) {
        try Node.validateName(node)
        try Self.validateLockDelay(lockDelayNanoseconds)
        try Self.validateTTL(ttlNanoseconds)
    }

    /// Consul's rule and text: 0 means no TTL; otherwise 10 s...24 h. Consul prints the TTL with
    /// Go's `%d`, i.e. in nanoseconds: `Invalid Session TTL '5000000000', must be between [10s=24h0m0s]`.
    public static func validateTTL(_ ttl: Int64?) throws(ValidationError) {
        guard let ttl, ttl != 0 else { return }
        let range = RegistryLimits.minSessionTTLNanoseconds...RegistryLimits.maxSessionTTLNanoseconds
        guard range.contains(ttl) else {
            let bounds = GoDuration.format(nanoseconds: range.lowerBound) + "=" + GoDuration.format(nanoseconds: range.upperBound)
            throw ValidationError(field: "TTL", message: "Invalid Session TTL '\(ttl)', must be between [\(bounds)]")
        }
    }

    /// Parses a session TTL text (`"15s"`); "" means no TTL. Bad text gets Consul's message.
    public static func parseTTL(_ text: String) throws(ValidationError) -> Int64? {
        if text.isEmpty { return nil }
        guard let ttl = GoDuration.parseNanoseconds(text) else {
            throw ValidationError(field: "TTL", message: "Session TTL '\(text)' invalid: time: invalid duration \"\(text)\"")
        }
        try validateTTL(ttl)
        return ttl
    }

    /// Lock delay must be 0...60 s. Consul silently clamps longer delays to 60 s; Gravity refuses
    /// them so that the client learns its value was not used.
    public static func validateLockDelay(_ delay: Int64) throws(ValidationError) {
        let range = 0...RegistryLimits.maxLockDelayNanoseconds
        guard range.contains(delay) else {
            let limit = GoDuration.format(nanoseconds: range.upperBound)
            throw ValidationError(field: "LockDelay", message: "Invalid LockDelay '\(GoDuration.format(nanoseconds: delay))', must be between [0s=\(limit)]")
        }
    }
}
