extension CheckDefinition {
    /// Consul's `CheckType.Validate` (same checks, same order, same texts after `Invalid check: `),
    /// then Gravity's stricter ones, which Consul lets through silently: only one kind, and no
    /// negative counters.
    public func validate() throws(ValidationError) {
        if let problem = consulProblem() ?? gravityProblem() {
            throw ValidationError(field: "Check", message: "Invalid check: " + problem)
        }
    }

    /// The first rule of Consul's that this definition breaks.
    func consulProblem() -> String? {
        let interval = intervalNanoseconds ?? 0
        let ttl = ttlNanoseconds ?? 0
        let isIntervalCheck = !intervalKinds.isEmpty
        if interval > 0 && ttl > 0 { return "Interval and TTL cannot both be specified" }
        if isIntervalCheck && interval <= 0 {
            return "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"
        }
        if isIntervalCheck && isAlias { return "Interval cannot be set for Alias checks" }
        if isAlias && ttl > 0 { return "TTL must be not be set for Alias checks" }
        if !isIntervalCheck && !isAlias && ttl <= 0 { return "TTL must be > 0 for TTL checks" }
        if outputMaxSize < 0 { return "MaxOutputMaxSize must be positive" }
        if failuresBeforeWarning > failuresBeforeCritical {
            return "FailuresBeforeWarning can't be higher than FailuresBeforeCritical"
        }
        return nil
    }

    /// The first rule of Gravity's own that this definition breaks.
    func gravityProblem() -> String? {
        let kinds = kindsGiven
        if kinds.count > 1 {
            return "only one of TTL, HTTP, TCP, UDP, GRPC, H2PING, Args or Alias may be set, got \(kinds.joined(separator: ", "))"
        }
        let counters = [
            ("SuccessBeforePassing", successBeforePassing), ("FailuresBeforeWarning", failuresBeforeWarning),
            ("FailuresBeforeCritical", failuresBeforeCritical),
        ]
        if let (name, value) = counters.first(where: { $0.1 < 0 }) {
            return "\(name) must be >= 0, got \(value)"
        }
        // A negative Timeout or DeregisterCriticalServiceAfter is accepted, as Consul accepts it
        // (it means "the default" and "never"); refusing it would break clients that work today.
        return nil
    }
}
