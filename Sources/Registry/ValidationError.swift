/// Bad input, with a message that names the field and what was wrong with it.
/// The API layer turns it into a 400 whose body is `message`.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field as a client would name it, e.g. "Datacenter" or "Service.Port".
    public let field: String
    /// The full message, e.g. `Invalid Datacenter "DC 1": only lowercase letters, digits, '-' and '_' are allowed`.
    public let message: String

    /// An error for `field` whose whole text is `message`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    /// The message, as the API layer writes it.
    public var description: String { message }
}
