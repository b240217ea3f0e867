/// A recursive-descent parser for go-bexpr's grammar (github.com/hashicorp/go-bexpr,
/// `grammar/grammar.peg`), reading UTF-8 bytes:
///
///     expression := or
///     or         := and ("or" and)*
///     and        := not ("and" not)*
///     not        := "not" not | primary
///     primary    := "(" or ")" | match
///     match      := selector ("==" | "!=") value
///                 | selector "is" ["not"] "empty"
///                 | selector ["not"] ("contains" | "matches") value
///                 | value ["not"] "in" selector
///
/// Keywords are lowercase and case-sensitive. Whitespace may appear between any two tokens but not
/// inside a selector. Unlike go-bexpr, `and`/`or` next to a parenthesis need no space around them.
struct FilterParser {
    let bytes: [UInt8]
    var offset = 0
    /// Parentheses and `not` currently open.
    var depth = 0

    static func parse(_ text: String) throws(FilterError) -> FilterNode {
        let count = text.utf8.count
        guard count <= FilterLimits.maxExpressionBytes else {
            let limit = FilterLimits.maxExpressionBytes
            throw FilterError(message: "invalid filter: the expression is \(count) bytes, over the limit of \(limit)")
        }
        var parser = FilterParser(bytes: Array(text.utf8))
        parser.skipWhitespace()
        guard !parser.atEnd else { throw FilterError(message: "invalid filter: the expression is empty") }
        let root = try parser.parseOr()
        parser.skipWhitespace()
        guard parser.atEnd else { throw parser.failure("expected \"and\", \"or\" or the end of the expression") }
        assert(parser.depth == 0)
        return root
    }

    mutating func parseOr() throws(FilterError) -> FilterNode {
        var operands = [try parseAnd()]
        while consumeKeyword("or") { operands.append(try parseAnd()) }
        return operands.count == 1 ? operands[0] : .or(operands)
    }

    mutating func parseAnd() throws(FilterError) -> FilterNode {
        var operands = [try parseNot()]
        while consumeKeyword("and") { operands.append(try parseNot()) }
        return operands.count == 1 ? operands[0] : .and(operands)
    }

    mutating func parseNot() throws(FilterError) -> FilterNode {
        skipWhitespace()
        let start = offset
        guard consumeKeyword("not") else { return try parsePrimary() }
        try enterNesting(at: start)
        defer { depth -= 1 }
        return .not(try parseNot())
    }

    mutating func parsePrimary() throws(FilterError) -> FilterNode {
        skipWhitespace()
        let open = offset
        guard consumeByte(UInt8(ascii: "(")) else { return .match(try parseMatch()) }
        try enterNesting(at: open)
        defer { depth -= 1 }
        let inner = try parseOr()
        skipWhitespace()
        guard consumeByte(UInt8(ascii: ")")) else {
            throw failure("expected \"and\", \"or\" or \")\" to close the \"(\" at \(FilterParser.position(of: open, in: bytes))")
        }
        return inner
    }

    mutating func enterNesting(at start: Int) throws(FilterError) {
        guard depth < FilterLimits.maxNestingDepth else {
            throw failure("parentheses and \"not\" nest deeper than \(FilterLimits.maxNestingDepth) levels", at: start)
        }
        depth += 1
    }

    /// A match starts with a selector, except `Value in Selector`, which starts with a value. A bare
    /// word could be either, so it is read as a selector and reinterpreted if `in` follows.
    mutating func parseMatch() throws(FilterError) -> FilterMatch {
        skipWhitespace()
        guard let byte = peek else { throw failure("expected a selector or a value") }
        if FilterParser.isIdentifierStart(byte) {
            let start = offset
            let selector = try parseSelector()
            return try parseOperator(after: selector, writtenAs: start..<offset)
        }
        guard FilterParser.startsLiteral(byte) else { throw failure("expected a selector or a value") }
        let value = try parseValue()
        return try parseMembership(of: value)
    }

    mutating func parseOperator(after selector: FilterSelector, writtenAs text: Range<Int>) throws(FilterError) -> FilterMatch {
        skipWhitespace()
        if consumeSymbol("==") { return FilterMatch(selector: selector, test: .equal(try parseValue()), negated: false) }
        if consumeSymbol("!=") { return FilterMatch(selector: selector, test: .equal(try parseValue()), negated: true) }
        let operatorStart = offset
        let negated = consumeKeyword("not")
        if !negated, consumeKeyword("is") { return try parseEmptiness(of: selector) }
        if consumeKeyword("contains") { return FilterMatch(selector: selector, test: .contains(try parseValue()), negated: negated) }
        if consumeKeyword("matches") { return FilterMatch(selector: selector, test: .matches(try parseRegex()), negated: negated) }
        if peekKeyword("in") {
            offset = operatorStart
            return try parseMembership(of: try bareValue(writtenAs: text))
        }
        if negated { throw failure("expected \"in\", \"contains\" or \"matches\" after \"not\"") }
        throw failure("expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches")
    }

    /// After `is`: `empty` or `not empty`.
    mutating func parseEmptiness(of selector: FilterSelector) throws(FilterError) -> FilterMatch {
        let not = consumeKeyword("not")
        guard consumeKeyword("empty") else {
            throw failure(not ? "expected \"empty\" after \"is not\"" : "expected \"empty\" or \"not empty\" after \"is\"")
        }
        return FilterMatch(selector: selector, test: .isNotEmpty, negated: !not)
    }

    /// After a value: `in` or `not in`, then the selector.
    mutating func parseMembership(of value: String) throws(FilterError) -> FilterMatch {
        let negated = consumeKeyword("not")
        guard consumeKeyword("in") else {
            throw failure(negated ? "expected \"in\" after a value and \"not\"" : "expected \"in\" or \"not in\" after a value")
        }
        skipWhitespace()
        guard let byte = peek, FilterParser.isIdentifierStart(byte) else { throw failure("expected a selector after \"in\"") }
        return FilterMatch(selector: try parseSelector(), test: .contains(value), negated: negated)
    }

    /// A selector read before `in` was a bare value: its text as written, if it is plain dotted
    /// words (go-bexpr's bare values are selectors; an index has no text of its own).
    func bareValue(writtenAs text: Range<Int>) throws(FilterError) -> String {
        guard !bytes[text].contains(UInt8(ascii: "[")) else {
            throw failure("a value before \"in\" must be a quoted string, a number or a bare word", at: text.lowerBound)
        }
        return String(decoding: bytes[text], as: UTF8.self)
    }

    /// The pattern after `matches`, compiled now so that a bad one is a parse error.
    mutating func parseRegex() throws(FilterError) -> FilterRegex {
        skipWhitespace()
        let start = offset
        let pattern = try parseValue()
        let count = pattern.utf8.count
        guard count <= FilterLimits.maxRegexPatternBytes else {
            throw failure("the regular expression is \(count) bytes, over the limit of \(FilterLimits.maxRegexPatternBytes)", at: start)
        }
        do {
            return try FilterRegex(pattern)
        } catch {
            throw failure("invalid regular expression \(FilterParser.quoted(pattern)): \(error.message)", at: start)
        }
    }
}
