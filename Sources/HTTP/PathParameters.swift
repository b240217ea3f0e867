// Values captured by ":name" and "*name" route segments.

/// The parameters of a matched route, percent-decoded (invalid UTF-8 becomes U+FFFD).
public struct PathParameters: Sendable, Equatable {
    /// The captured parameters in pattern order.
    public private(set) var values: [(name: String, value: String)]

    /// Parameters with the given values (for calling handlers directly in tests).
    public init(_ values: [(name: String, value: String)] = []) {
        self.values = values
    }

    /// The value captured for `name`, or nil when the route has no such parameter.
    public subscript(_ name: String) -> String? {
        values.first { $0.name == name }?.value
    }

    /// Equal when the same names hold the same values in the same order.
    public static func == (left: PathParameters, right: PathParameters) -> Bool {
        left.values.count == right.values.count
            && zip(left.values, right.values).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
