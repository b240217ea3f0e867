/// The status of one check, as Consul spells it. `maintenance` is not a check status; it exists
/// only in `AggregatedStatus`.
public enum HealthStatus: String, Sendable, Equatable, CaseIterable {
    /// The probe succeeded.
    case passing
    /// The probe reported trouble that does not take the instance out of service.
    case warning
    /// The probe failed; the instance is out of `?passing` results and DNS.
    case critical

    /// New checks start critical unless the registration gives a status (consul-api.md §1.10).
    public static let initial = HealthStatus.critical

    /// Where a status text came from; Consul words the refusal differently in each place and
    /// clients match on the text.
    public enum Source: Sendable, Equatable {
        /// `PUT /v1/agent/check/update/:id`: `Invalid check status: '<s>'`.
        case checkUpdate
        /// Checks inside `PUT /v1/agent/service/register`; "" means `initial`.
        case serviceRegistration
        /// `PUT /v1/agent/check/register` and catalog checks; "" means `initial`.
        case checkRegistration
    }

    /// Parses a status sent by a client; registrations treat "" as `initial`.
    public static func parse(_ text: String, from source: Source) throws(ValidationError) -> HealthStatus {
        if let status = HealthStatus(rawValue: text) { return status }
        switch source {
        case .checkUpdate:
            throw ValidationError(field: "Status", message: "Invalid check status: '\(text)'")
        case .serviceRegistration:
            if text.isEmpty { return initial }
            throw ValidationError(field: "Status", message: "Status for checks must 'passing', 'warning', 'critical'")
        case .checkRegistration:
            if text.isEmpty { return initial }
            throw ValidationError(field: "Status", message: "Bad check status")
        }
    }

    /// Consul's aggregation (api `HealthChecks.AggregatedStatus`, consul-api.md §1.10): a
    /// maintenance check wins, then any critical, then any warning; no checks means passing.
    public static func aggregate(_ checks: [Check]) -> AggregatedStatus {
        if checks.contains(where: \.isMaintenance) { return .maintenance }
        return aggregate(checks.map(\.status))
    }

    /// The same aggregation over bare statuses, which cannot say "maintenance".
    public static func aggregate(_ statuses: [HealthStatus]) -> AggregatedStatus {
        if statuses.contains(.critical) { return .critical }
        if statuses.contains(.warning) { return .warning }
        return .passing
    }
}
