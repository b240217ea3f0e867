// Header fields as an ordered list: order and repetition matter on the wire (RFC 9110 §5.3),
// so this is an array of pairs, never a dictionary.

/// Header fields in arrival order; lookups are case-insensitive (ASCII).
///
/// Names and values are kept exactly as received (values without surrounding whitespace).
/// Lookups scan the list, which is short (the parser caps it at `maxHeaderCount`).
public struct HTTPHeaders: Sendable, Equatable {
    /// The fields in arrival (or insertion) order, repeated names kept.
    public var fields: [(name: String, value: String)]

    /// Headers holding `fields` in the given order.
    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The value of the first field named `name` (ASCII case-insensitive), or nil.
    public subscript(_ name: String) -> String? {
        fields.first { ASCII.equalsIgnoringCase($0.name, name) }?.value
    }

    /// The values of every field named `name` (ASCII case-insensitive), in order.
    public func values(_ name: String) -> [String] {
        fields.filter { ASCII.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// Appends a field after the existing ones; an existing field of the same name is kept.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Equal when both hold the same fields in the same order (names compared exactly).
    public static func == (left: HTTPHeaders, right: HTTPHeaders) -> Bool {
        left.fields.count == right.fields.count
            && zip(left.fields, right.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
