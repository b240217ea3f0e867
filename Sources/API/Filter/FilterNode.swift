/// The syntax tree of a filter. `and` and `or` keep their operands in a list, so a long chain is
/// one node and the tree's depth is bounded by `FilterLimits.maxNestingDepth`, not by the length
/// of the expression.
indirect enum FilterNode: Sendable, Equatable {
    case match(FilterMatch)
    case not(FilterNode)
    /// Two or more operands, evaluated left to right, stopping at the first false.
    case and([FilterNode])
    /// Two or more operands, evaluated left to right, stopping at the first true.
    case or([FilterNode])
}

/// One comparison: a selector, the positive test it names, and whether the operator was the
/// negated form. go-bexpr defines every negated operator as the negation of its positive one, so
/// the tree keeps only the positive tests.
struct FilterMatch: Sendable, Equatable {
    var selector: FilterSelector
    var test: FilterTest
    /// `!=`, `not in`, `not contains`, `not matches` and `is empty`.
    var negated: Bool
}

/// A path of field names from the root of the element: `Service.Meta["a.b"]` is
/// `["Service", "Meta", "a.b"]`.
struct FilterSelector: Sendable, Equatable {
    var parts: [String]
}

/// The positive tests. `Value in Selector` and `Selector contains Value` are one test with its
/// operands written in either order, as in go-bexpr.
enum FilterTest: Sendable, Equatable {
    /// `==`: the value as written (quotes removed), converted to the field's kind when compared.
    case equal(String)
    /// `is not empty`.
    case isNotEmpty
    /// `in` and `contains`: membership in an array, a substring of a string, a key of an object.
    case contains(String)
    /// `matches`: the regular expression finds a match somewhere in the string.
    case matches(FilterRegex)
}
