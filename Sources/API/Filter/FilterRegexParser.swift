/// The tree of a pattern. Groups leave no node (nothing is captured); flags are applied while
/// parsing, so the tree holds only classes, assertions and how they combine.
indirect enum FilterRegexNode: Sendable, Equatable {
    case empty
    /// One scalar from a class (a literal is a class of one).
    case scalar(FilterRegexClass)
    case assertion(FilterRegexAssertion)
    case concatenation([FilterRegexNode])
    case alternation([FilterRegexNode])
    /// `max == nil` is unbounded. Greedy and lazy forms match the same strings.
    case repetition(FilterRegexNode, min: Int, max: Int?)
}

/// Zero-width tests of the scalars on either side of a position.
enum FilterRegexAssertion: Sendable, Equatable {
    case beginText, endText, beginLine, endLine, wordBoundary, notWordBoundary
}

/// Parses RE2 syntax (https://github.com/google/re2/wiki/Syntax) by recursive descent over the
/// pattern's Unicode scalars. Error messages follow Go's `regexp/syntax` wording.
struct FilterRegexParser {
    struct Flags: Equatable {
        /// `i`
        var caseInsensitive = false
        /// `m`: `^` and `$` also match at line breaks.
        var multiLine = false
        /// `s`: `.` also matches `\n`.
        var dotMatchesNewline = false
    }

    let scalars: [Unicode.Scalar]
    var offset = 0
    var flags = Flags()
    /// Groups currently open.
    var depth = 0

    static func parse(_ pattern: String) throws(FilterRegexError) -> FilterRegexNode {
        var parser = FilterRegexParser(scalars: Array(pattern.unicodeScalars))
        let tree = try parser.parseAlternation()
        guard parser.atEnd else {
            assert(parser.peek == ")", "an alternation stops only at the end or at )")
            throw FilterRegexError(message: "unexpected ): \(pattern)")  // Go names the whole pattern
        }
        return tree
    }

    var atEnd: Bool { offset == scalars.count }
    var peek: Unicode.Scalar? { offset < scalars.count ? scalars[offset] : nil }

    func peek(_ ahead: Int) -> Unicode.Scalar? {
        offset + ahead < scalars.count ? scalars[offset + ahead] : nil
    }

    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        guard peek == scalar else { return false }
        offset += 1
        return true
    }

    /// The pattern from `start` to the offset, for error messages.
    func text(from start: Int) -> String {
        String(String.UnicodeScalarView(scalars[start..<min(offset, scalars.count)]))
    }

    mutating func parseAlternation() throws(FilterRegexError) -> FilterRegexNode {
        var branches = [try parseConcatenation()]
        while consume("|") { branches.append(try parseConcatenation()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    mutating func parseConcatenation() throws(FilterRegexError) -> FilterRegexNode {
        var items: [FilterRegexNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            var atoms = try parseAtom()
            let quantifierStart = offset
            guard let quantifier = try parseQuantifier() else {
                items.append(contentsOf: atoms)
                continue
            }
            // A repetition applies to the last atom (in `\Qab\E*` that is `b`, as in Go).
            guard let last = atoms.popLast() else {
                throw FilterRegexError(message: "missing argument to repetition operator: \(text(from: quantifierStart))")
            }
            items.append(contentsOf: atoms)
            items.append(.repetition(last, min: quantifier.min, max: quantifier.max))
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concatenation(items)
    }

    /// An atom, as nodes: none for a flag group such as `(?i)`, several for `\Q...\E`.
    mutating func parseAtom() throws(FilterRegexError) -> [FilterRegexNode] {
        guard let scalar = peek else { return [] }
        switch scalar {
        case "(": return try parseGroup()
        case "[":
            offset += 1
            return [.scalar(try parseClass())]
        case ".":
            offset += 1
            return [.scalar(FilterRegexClass.dot(matchingNewline: flags.dotMatchesNewline))]
        case "^":
            offset += 1
            return [.assertion(flags.multiLine ? .beginLine : .beginText)]
        case "$":
            offset += 1
            return [.assertion(flags.multiLine ? .endLine : .endText)]
        case "\\": return try parseEscapeAtom()
        case "*", "+", "?":
            throw FilterRegexError(message: "missing argument to repetition operator: \(scalar)")
        default:
            if scalar == "{", quantifierAhead() {
                throw FilterRegexError(message: "missing argument to repetition operator: {")
            }
            offset += 1
            return [.scalar(literal(scalar))]
        }
    }

    func literal(_ scalar: Unicode.Scalar) -> FilterRegexClass {
        FilterRegexClass(items: [.range(scalar, scalar)], negated: false, foldsCase: flags.caseInsensitive)
    }

    /// `(re)`, `(?:re)`, `(?P<name>re)`, `(?<name>re)`, `(?flags:re)`, or `(?flags)`, which sets
    /// the flags until the end of the enclosing group.
    mutating func parseGroup() throws(FilterRegexError) -> [FilterRegexNode] {
        let start = offset
        offset += 1
        guard depth < FilterLimits.maxRegexNestingDepth else {
            throw FilterRegexError(message: "groups nest deeper than \(FilterLimits.maxRegexNestingDepth) levels")
        }
        let saved = flags
        if consume("?") {
            if try parseGroupPrefix(start: start) == .flagsOnly { return [] }
        }
        depth += 1
        let inner = try parseAlternation()
        depth -= 1
        guard consume(")") else { throw FilterRegexError(message: "missing closing ): \(text(from: start))") }
        flags = saved
        return [inner]
    }

    enum GroupPrefix { case group, flagsOnly }

    /// After `(?`: a name, or flags ending in `:` (a group follows) or `)` (none does).
    mutating func parseGroupPrefix(start: Int) throws(FilterRegexError) -> GroupPrefix {
        if peek == "P" && peek(1) == "<" {
            offset += 1
        }
        if peek == "<" && peek(1) != "=" && peek(1) != "!" {
            offset += 1
            try parseGroupName(start: start)
            return .group
        }
        return try parseFlags(start: start)
    }

    mutating func parseGroupName(start: Int) throws(FilterRegexError) {
        let nameStart = offset
        while let scalar = peek, scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" {
            offset += 1
        }
        guard offset > nameStart, consume(">") else {
            offset = min(offset + 1, scalars.count)
            throw FilterRegexError(message: "invalid named capture: \(text(from: start))")
        }
    }

    /// `i`, `m`, `s` and `U` (greediness, which cannot change whether there is a match), with `-`
    /// before the ones to clear. `(?)`, `(?-)` and `(?i-)` are errors, as in Go.
    mutating func parseFlags(start: Int) throws(FilterRegexError) -> GroupPrefix {
        var clearing = false, sawAnyFlag = false, sawFlagSinceMinus = false
        while let scalar = peek {
            offset += 1
            switch scalar {
            case "i", "m", "s", "U":
                if scalar == "i" { flags.caseInsensitive = !clearing }
                if scalar == "m" { flags.multiLine = !clearing }
                if scalar == "s" { flags.dotMatchesNewline = !clearing }
                sawAnyFlag = true
                sawFlagSinceMinus = true
            case "-" where !clearing:
                clearing = true
                sawFlagSinceMinus = false
            case ":" where !clearing || sawFlagSinceMinus:
                return .group
            case ")" where sawAnyFlag && (!clearing || sawFlagSinceMinus):
                return .flagsOnly
            default:
                throw FilterRegexError(message: "invalid or unsupported Perl syntax: \(text(from: start))")
            }
        }
        throw FilterRegexError(message: "missing closing ): \(text(from: start))")
    }

    /// `*`, `+`, `?`, `{n}`, `{n,}` or `{n,m}`, each optionally followed by `?` (lazy); a second
    /// repetition operator right after is an error, as in Go.
    mutating func parseQuantifier() throws(FilterRegexError) -> (min: Int, max: Int?)? {
        let start = offset
        guard let quantifier = try readQuantifier() else { return nil }
        _ = consume("?")
        let after = offset
        if try readQuantifier() != nil {
            throw FilterRegexError(message: "invalid nested repetition operator: \(text(from: start))")
        }
        assert(offset == after)
        return quantifier
    }

    /// Whether a repetition operator starts here (a malformed count such as `{2000}` is one).
    func quantifierAhead() -> Bool {
        var probe = self
        do { return try probe.readQuantifier() != nil } catch { return true }
    }

    mutating func readQuantifier() throws(FilterRegexError) -> (min: Int, max: Int?)? {
        switch peek {
        case "*": offset += 1; return (0, nil)
        case "+": offset += 1; return (1, nil)
        case "?": offset += 1; return (0, 1)
        case "{": return try readCountedRepetition()
        default: return nil
        }
    }

    /// `{n}`, `{n,}`, `{n,m}`; anything else after `{` leaves `{` a literal, as in Go.
    mutating func readCountedRepetition() throws(FilterRegexError) -> (min: Int, max: Int?)? {
        let start = offset
        offset += 1
        guard let low = readCount() else { offset = start; return nil }
        var high: Int? = low
        if consume(",") { high = readCount() }
        guard consume("}") else { offset = start; return nil }
        let limit = FilterLimits.maxRegexRepeatCount
        guard low <= limit, (high ?? 0) <= limit, low <= (high ?? low) else {
            throw FilterRegexError(message: "invalid repeat count: \(text(from: start))")
        }
        return (low, high)
    }

    mutating func readCount() -> Int? {
        var value: Int?
        while let scalar = peek, ("0"..."9").contains(scalar) {
            value = min((value ?? 0) * 10 + Int(scalar.value - 48), 1_000_000)
            offset += 1
        }
        return value
    }
}
