/// What happens to the keys a session holds when the session is invalidated. Raw values are
/// Consul's `Behavior` texts.
public enum SessionBehavior: String, Sendable, Equatable, CaseIterable {
    /// Clear the keys' `Session` and keep them (Consul's default).
    case release
    /// Delete the keys.
    case delete

    /// Parses a client's `Behavior`; "" is `release`, as in Consul.
    public static func parse(_ text: String) throws(ValidationError) -> SessionBehavior {
        if text.isEmpty { return .release }
        guard let behavior = SessionBehavior(rawValue: text) else {
            throw ValidationError(field: "Behavior", message: "Invalid Behavior setting '\(text)'")
        }
        return behavior
    }
}
