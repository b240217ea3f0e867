// The tokens of go-bexpr: keywords and symbols, selectors, and values (double-quoted strings
// with Go's escapes, back-quoted raw strings, numbers, bare words).

extension FilterParser {
    var atEnd: Bool { offset == bytes.count }
    var peek: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || isDigit(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A byte that starts a quoted string or a number.
    static func startsLiteral(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`") || isDigit(byte)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }

    mutating func skipWhitespace() {
        while let byte = peek, FilterParser.isWhitespace(byte) { offset += 1 }
    }

    mutating func consumeByte(_ byte: UInt8) -> Bool {
        guard peek == byte else { return false }
        offset += 1
        return true
    }

    /// `==` or `!=`, after optional whitespace.
    mutating func consumeSymbol(_ symbol: StaticString) -> Bool {
        skipWhitespace()
        let count = symbol.utf8CodeUnitCount
        guard offset + count <= bytes.count else { return false }
        let matched = (0..<count).allSatisfy { bytes[offset + $0] == symbol.utf8Start[$0] }
        if matched { offset += count }
        return matched
    }

    /// The whole word at the offset (after whitespace), so that `notes` is not `not`.
    mutating func peekKeyword(_ keyword: String) -> Bool {
        skipWhitespace()
        var end = offset
        while end < bytes.count, FilterParser.isIdentifierByte(bytes[end]) { end += 1 }
        return bytes[offset..<end].elementsEqual(keyword.utf8)
    }

    mutating func consumeKeyword(_ keyword: String) -> Bool {
        guard peekKeyword(keyword) else { return false }
        offset += keyword.utf8.count
        return true
    }

    mutating func parseIdentifier() throws(FilterError) -> String {
        let start = offset
        guard let byte = peek, FilterParser.isIdentifierStart(byte) else {
            throw failure("expected a field name (a letter or \"_\", then letters, digits or \"_\")")
        }
        while let byte = peek, FilterParser.isIdentifierByte(byte) { offset += 1 }
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// `Name`, `Name.Field`, `Meta["key.with.dots"]`: no whitespace except inside brackets.
    mutating func parseSelector() throws(FilterError) -> FilterSelector {
        let start = offset
        var parts = [try parseIdentifier()]
        while let byte = peek, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "[") {
            offset += 1
            parts.append(byte == UInt8(ascii: ".") ? try parseIdentifier() : try parseIndex())
            guard parts.count <= FilterLimits.maxSelectorParts else {
                throw failure("a selector has more than \(FilterLimits.maxSelectorParts) parts", at: start)
            }
        }
        return FilterSelector(parts: parts)
    }

    /// After `[`: a quoted key and `]`.
    mutating func parseIndex() throws(FilterError) -> String {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") || peek == UInt8(ascii: "`") else {
            throw failure("expected a quoted key inside [ ]")
        }
        let key = try parseString()
        skipWhitespace()
        guard consumeByte(UInt8(ascii: "]")) else { throw failure("expected \"]\" to close the index") }
        return key
    }

    /// A value, as the text to compare: quotes removed and escapes decoded; numbers and bare words
    /// as written.
    mutating func parseValue() throws(FilterError) -> String {
        skipWhitespace()
        guard let byte = peek else { throw failure("expected a value") }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "`") { return try parseString() }
        if FilterParser.startsLiteral(byte) { return try parseNumber() }
        guard FilterParser.isIdentifierStart(byte) else {
            throw failure("expected a value: a quoted string, a number, true, false or a bare word")
        }
        return try parseBareWord()
    }

    /// `true`, `passing`, `v2.web`: dotted words, as go-bexpr reads a selector in value position.
    /// Anything else must be quoted.
    mutating func parseBareWord() throws(FilterError) -> String {
        let start = offset
        _ = try parseIdentifier()
        while peek == UInt8(ascii: "."), offset + 1 < bytes.count, FilterParser.isIdentifierStart(bytes[offset + 1]) {
            offset += 1
            _ = try parseIdentifier()
        }
        try expectValueEnd("an unquoted value may hold only letters, digits, \"_\" and \".\"; quote it")
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// An optional sign, digits, and an optional fraction (go-bexpr's number literal).
    mutating func parseNumber() throws(FilterError) -> String {
        let start = offset
        if peek == UInt8(ascii: "-") || peek == UInt8(ascii: "+") { offset += 1 }
        guard let first = peek, FilterParser.isDigit(first) else { throw failure("expected digits after the sign") }
        while let byte = peek, FilterParser.isDigit(byte) { offset += 1 }
        if peek == UInt8(ascii: "."), offset + 1 < bytes.count, FilterParser.isDigit(bytes[offset + 1]) {
            offset += 1
            while let byte = peek, FilterParser.isDigit(byte) { offset += 1 }
        }
        try expectValueEnd("invalid number; quote values that are not plain numbers")
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }

    /// A number or bare word ends at whitespace, `)` or the end (go-bexpr's `AfterNumbers`).
    func expectValueEnd(_ problem: String) throws(FilterError) {
        guard let byte = peek, !FilterParser.isWhitespace(byte), byte != UInt8(ascii: ")") else { return }
        throw failure(problem)
    }
}
