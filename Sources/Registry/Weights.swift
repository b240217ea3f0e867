/// DNS SRV weights of a service instance by health. Consul's `Weights`.
public struct Weights: Sendable, Equatable {
    /// Weight while every check passes; at least 1.
    public var passing: Int
    /// Weight while some check warns; 0 removes warning instances from DNS.
    public var warning: Int

    /// Consul's defaults are 1 and 1.
    public init(passing: Int = 1, warning: Int = 1) {
        self.passing = passing
        self.warning = warning
    }

    /// Consul's `ValidateWeights`, with its messages after `Invalid Weights: `.
    public func validate() throws(ValidationError) {
        let problem: String? =
            if passing < 1 { "Passing must be greater than 0" }
            else if warning < 0 { "Warning must be greater or equal than 0" }
            else if passing > RegistryLimits.maxWeight || warning > RegistryLimits.maxWeight {
                "DNS Weight must be between 0 and \(RegistryLimits.maxWeight)"
            } else { nil }
        if let problem {
            throw ValidationError(field: "Weights", message: "Invalid Weights: " + problem)
        }
    }
}
