/// Every bound on a `?filter=` expression, in one place (STYLE.md principle 6). A filter is
/// untrusted input evaluated against every element of a response, so both the parse and the
/// evaluation must stay small: over any limit, `FilterExpression.init` throws a `FilterError`.
public enum FilterLimits {
    /// Bytes of UTF-8 in the whole expression.
    public static let maxExpressionBytes = 4096
    /// Parentheses and `not` nested inside one another. It bounds the parser's and the
    /// evaluator's recursion.
    public static let maxNestingDepth = 32
    /// Parts of one selector (`Service.Meta.env` has three). Consul's selectors have at most four;
    /// the bound keeps the path walk's recursion shallow.
    public static let maxSelectorParts = 32
    /// Bytes of UTF-8 in the pattern of one `matches`.
    public static let maxRegexPatternBytes = 1024
    /// Groups nested inside one another in one pattern.
    public static let maxRegexNestingDepth = 64
    /// `{n,m}` counts, as RE2 and Go's regexp bound them.
    public static let maxRegexRepeatCount = 1000
    /// Instructions of one compiled pattern. Matching costs at most this many steps per scalar of
    /// the text, so it is the bound on evaluation time.
    public static let maxRegexInstructions = 4096

    /// True when the limits agree with one another; asserted by every parse.
    static var relationshipsHold: Bool {
        maxRegexPatternBytes <= maxExpressionBytes  // a pattern lives inside an expression
            && maxRegexRepeatCount < maxRegexInstructions  // `x{1000}` must be able to compile
            && maxNestingDepth > 0 && maxSelectorParts > 0 && maxRegexNestingDepth > 0
    }
}
