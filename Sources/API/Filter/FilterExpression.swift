/// A parsed `?filter=` expression in the language of Consul's go-bexpr, ready to test elements of a
/// response. Parsing does all the checking (syntax, limits, regular expressions), so `matches`
/// cannot fail; the value is immutable and may be shared between threads.
///
/// Selectors name fields of the element exactly as they are spelled in its JSON (case-sensitive).
/// Where a selector passes through an array (`Checks.Status` on a list of checks), the rest of the
/// selector is applied to each item and the positive operators (`==`, `in`, `contains`, `matches`,
/// `is not empty`) hold when any item satisfies them; their negations (`!=`, `not in`,
/// `not contains`, `not matches`, `is empty`) hold when no item does.
public struct FilterExpression: Sendable, Equatable {
    let root: FilterNode

    /// Parses `text`. The error names the line and column of the problem and what was expected
    /// there; expressions over a `FilterLimits` bound are refused the same way.
    public init(_ text: String) throws(FilterError) {
        assert(FilterLimits.relationshipsHold)
        root = try FilterParser.parse(text)
    }

    /// True if `element` satisfies the expression. A selector that names a missing field behaves
    /// as go-bexpr's does: `==`, `in`, `contains`, `matches` and `is not empty` are false, their
    /// negations true.
    public func matches(_ element: JSON) -> Bool {
        root.evaluate(element)
    }
}

/// Why a filter expression was refused: the message names where (line and column, counted in
/// Unicode scalars from 1) and what was wrong. Consul answers a malformed filter with an error
/// status and this kind of text in the body.
public struct FilterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One line of text for a person, starting `invalid filter`.
    public let message: String

    /// The text of `message`.
    public var description: String { message }

    init(message: String) {
        assert(!message.isEmpty)
        self.message = message
    }
}
