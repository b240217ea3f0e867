// One name=value pair of a query string, decoded the way HTML forms and Consul clients encode them.

/// A query parameter. Both parts are percent-decoded and '+' is read as a space
/// (application/x-www-form-urlencoded), so "a+b%2Bc" becomes "a b+c".
/// A parameter written without '=' (e.g. "?recurse") has an empty value.
public struct HTTPQueryItem: Sendable, Equatable {
    /// The decoded name.
    public var name: String
    /// The decoded value; empty when the parameter had no '='.
    public var value: String

    /// A query item with already decoded parts.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
