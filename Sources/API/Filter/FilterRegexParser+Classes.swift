// Escapes and bracketed classes of RE2 syntax.

extension FilterRegexParser {
    /// After `\` outside brackets: an assertion, a quoted run, a named class or one scalar.
    mutating func parseEscapeAtom() throws(FilterRegexError) -> [FilterRegexNode] {
        let start = offset
        offset += 1
        guard let letter = peek else { throw FilterRegexError(message: "trailing backslash at end of expression") }
        switch letter {
        case "A": offset += 1; return [.assertion(.beginText)]
        case "z": offset += 1; return [.assertion(.endText)]
        case "b": offset += 1; return [.assertion(.wordBoundary)]
        case "B": offset += 1; return [.assertion(.notWordBoundary)]
        case "Q":
            offset += 1
            return parseQuotedRun()
        default:
            if let item = try parseNamedClass() {
                return [.scalar(FilterRegexClass(items: [item], negated: false, foldsCase: flags.caseInsensitive))]
            }
            return [.scalar(literal(try parseEscapedScalar(escapeAt: start)))]
        }
    }

    /// After `\Q`: literals up to `\E` or the end of the pattern.
    mutating func parseQuotedRun() -> [FilterRegexNode] {
        var nodes: [FilterRegexNode] = []
        while let scalar = peek {
            if scalar == "\\" && peek(1) == "E" {
                offset += 2
                break
            }
            nodes.append(.scalar(literal(scalar)))
            offset += 1
        }
        return nodes
    }

    /// At the letter after `\`: `\d \D \s \S \w \W` and `\pX \p{Name} \PX \P{^Name}`, or nil
    /// (nothing consumed) when the escape is not a class.
    mutating func parseNamedClass() throws(FilterRegexError) -> FilterRegexClassItem? {
        guard let letter = peek else { return nil }
        let lower = FilterRegexClass.lowercase(letter) ?? letter
        if let ranges = FilterRegexClassNames.perl(lower) {
            offset += 1
            return .ranges(ranges, negated: letter != lower)
        }
        guard letter == "p" || letter == "P" else { return nil }
        let start = offset - 1
        offset += 1
        var name = ""
        if consume("{") {
            while let scalar = peek, scalar != "}" { name.unicodeScalars.append(scalar); offset += 1 }
            guard consume("}") else { throw FilterRegexError(message: "invalid character class range: \(text(from: start))") }
        } else if let scalar = peek {
            name.unicodeScalars.append(scalar)
            offset += 1
        }
        var negated = letter == "P"
        if name.hasPrefix("^") {
            negated.toggle()
            name.removeFirst()
        }
        guard let categories = FilterRegexClassNames.categories(name) else {
            let hint = "general categories such as \\pL and \\p{Lu} are supported, scripts are not"
            throw FilterRegexError(message: "invalid character class range: \(text(from: start)) (\(hint))")
        }
        return .categories(categories, negated: negated)
    }

    /// At the character after `\`, for an escape that stands for one scalar: `\n` and friends,
    /// octal `\123`, `\x7F`, `\x{10FFFF}`, or punctuation taken literally.
    mutating func parseEscapedScalar(escapeAt start: Int) throws(FilterRegexError) -> Unicode.Scalar {
        guard let letter = peek else { throw FilterRegexError(message: "trailing backslash at end of expression") }
        offset += 1
        switch letter {
        case "a": return "\u{07}"
        case "f": return "\u{0C}"
        case "t": return "\t"
        case "n": return "\n"
        case "r": return "\r"
        case "v": return "\u{0B}"
        case "0"..."7": return try parseOctal(first: letter, escapeAt: start)
        case "x": return try parseHex(escapeAt: start)
        default:
            // Go: an escaped ASCII character that is not a letter or digit is itself; `\q` is an error.
            let alphanumeric = ("a"..."z").contains(letter) || ("A"..."Z").contains(letter) || ("0"..."9").contains(letter)
            guard letter.isASCII, !alphanumeric else {
                throw FilterRegexError(message: "invalid escape sequence: \(text(from: start))")
            }
            return letter
        }
    }

    /// `\0`, `\01`, `\012`, and `\1`..`\7` only when another octal digit follows (a lone `\1` would
    /// be a backreference, which RE2 does not support).
    mutating func parseOctal(first: Unicode.Scalar, escapeAt start: Int) throws(FilterRegexError) -> Unicode.Scalar {
        var value = first.value - 48
        var digits = 1
        if first != "0" && !(peek.map { ("0"..."7").contains($0) } ?? false) {
            throw FilterRegexError(message: "invalid escape sequence: \(text(from: start)) (backreferences are not supported)")
        }
        while digits < 3, let scalar = peek, ("0"..."7").contains(scalar) {
            value = value * 8 + scalar.value - 48
            digits += 1
            offset += 1
        }
        guard let scalar = Unicode.Scalar(value) else { preconditionFailure("three octal digits are at most 0o777, a scalar") }
        return scalar
    }

    /// After `\x`: two hex digits, or up to six in braces.
    mutating func parseHex(escapeAt start: Int) throws(FilterRegexError) -> Unicode.Scalar {
        let braced = consume("{")
        var value: UInt32 = 0, digits = 0
        while let scalar = peek, scalar.isASCII, let digit = UInt32(String(scalar), radix: 16), braced || digits < 2 {
            value = min(value * 16 + digit, 0x110000)
            digits += 1
            offset += 1
        }
        let closed = !braced || consume("}")
        guard digits > 0, closed, braced || digits == 2, let scalar = Unicode.Scalar(value) else {
            throw FilterRegexError(message: "invalid escape sequence: \(text(from: start))")
        }
        return scalar
    }

    /// After `[`: items up to `]`. A `]` first is a literal; so is `-` first or last.
    mutating func parseClass() throws(FilterRegexError) -> FilterRegexClass {
        let start = offset - 1
        let negated = consume("^")
        var items: [FilterRegexClassItem] = []
        var first = true
        while true {
            guard let scalar = peek else { throw FilterRegexError(message: "missing closing ]: \(text(from: start))") }
            if scalar == "]" && !first {
                offset += 1
                break
            }
            first = false
            items.append(try parseClassItem(classAt: start))
        }
        return FilterRegexClass(items: items, negated: negated, foldsCase: flags.caseInsensitive)
    }

    mutating func parseClassItem(classAt start: Int) throws(FilterRegexError) -> FilterRegexClassItem {
        if peek == "[" && peek(1) == ":", let posix = try parsePosixClass() { return posix }
        let itemStart = offset
        if consume("\\"), let named = try parseNamedClass() { return named }
        offset = itemStart
        let low = try parseClassScalar()
        guard peek == "-", let after = peek(1), after != "]" else { return .range(low, low) }
        offset += 1
        if peek == "\\", let letter = peek(1), FilterRegexParser.namesClass(letter) {
            throw FilterRegexError(message: "invalid character class range: \(text(from: itemStart))")
        }
        let high = try parseClassScalar()
        guard low <= high else { throw FilterRegexError(message: "invalid character class range: \(text(from: itemStart))") }
        return .range(low, high)
    }

    /// Whether `\letter` is a class (`\d`, `\P{L}`) rather than one scalar.
    static func namesClass(_ letter: Unicode.Scalar) -> Bool {
        FilterRegexClassNames.perl(FilterRegexClass.lowercase(letter) ?? letter) != nil || letter == "p" || letter == "P"
    }

    /// One scalar inside brackets: a literal or an escape for one scalar.
    mutating func parseClassScalar() throws(FilterRegexError) -> Unicode.Scalar {
        let start = offset
        guard let scalar = peek else { throw FilterRegexError(message: "missing closing ]") }
        offset += 1
        guard scalar == "\\" else { return scalar }
        return try parseEscapedScalar(escapeAt: start)
    }

    /// `[:name:]` or `[:^name:]`, or nil (nothing consumed) when no `:]` closes it, in which case
    /// the `[` is a literal, as in Go.
    mutating func parsePosixClass() throws(FilterRegexError) -> FilterRegexClassItem? {
        let start = offset
        var end = offset + 2
        while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") { end += 1 }
        guard end + 1 < scalars.count else { return nil }
        var name = String(String.UnicodeScalarView(scalars[(offset + 2)..<end]))
        offset = end + 2
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let ranges = FilterRegexClassNames.posix(name) else {
            throw FilterRegexError(message: "invalid character class range: \(text(from: start))")
        }
        return .ranges(ranges, negated: negated)
    }
}
