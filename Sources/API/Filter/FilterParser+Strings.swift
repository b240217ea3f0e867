// Quoted strings, and the positions and wording of parse errors.

extension FilterParser {
    /// A double-quoted string with Go's escapes (`strconv.Unquote`, which go-bexpr uses), or a
    /// back-quoted raw string in which nothing is special and newlines are allowed.
    mutating func parseString() throws(FilterError) -> String {
        let open = offset
        let quote = bytes[offset]
        assert(quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "`"))
        offset += 1
        var text: [UInt8] = []
        while let byte = peek, byte != quote {
            if quote == UInt8(ascii: "\"") && byte == UInt8(ascii: "\n") {
                throw failure("a double-quoted string may not hold a newline; write \\n, or use a `raw` string")
            }
            offset += 1
            if quote == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                try parseEscape(into: &text)
            } else {
                text.append(byte)
            }
        }
        guard consumeByte(quote) else {
            throw failure("the string opened at \(FilterParser.position(of: open, in: bytes)) is never closed", at: open)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// After a backslash in a double-quoted string. `\x` and octal escapes give single bytes, as
    /// in Go; a byte that is not valid UTF-8 becomes U+FFFD in the decoded value.
    mutating func parseEscape(into text: inout [UInt8]) throws(FilterError) {
        guard let byte = peek else { throw failure("expected an escape after \"\\\"") }
        let start = offset - 1
        offset += 1
        switch byte {
        case UInt8(ascii: "a"): text.append(0x07)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0c)
        case UInt8(ascii: "n"): text.append(0x0a)
        case UInt8(ascii: "r"): text.append(0x0d)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "v"): text.append(0x0b)
        case UInt8(ascii: "\\"), UInt8(ascii: "\""): text.append(byte)
        case UInt8(ascii: "x"): text.append(UInt8(try parseDigits(count: 2, radix: 16, escapeAt: start)))
        case UInt8(ascii: "u"): try appendScalar(try parseDigits(count: 4, radix: 16, escapeAt: start), escapeAt: start, to: &text)
        case UInt8(ascii: "U"): try appendScalar(try parseDigits(count: 8, radix: 16, escapeAt: start), escapeAt: start, to: &text)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            offset -= 1
            let value = try parseDigits(count: 3, radix: 8, escapeAt: start)
            guard value <= 0xff else { throw failure("octal escape above \\377", at: start) }
            text.append(UInt8(value))
        default:
            throw failure("unknown escape \"\\\(String(decoding: [byte], as: UTF8.self))\" in a string", at: start)
        }
    }

    mutating func parseDigits(count: Int, radix: UInt32, escapeAt start: Int) throws(FilterError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let byte = peek, let digit = FilterParser.digitValue(byte), digit < radix else {
                throw failure("the escape needs \(count) \(radix == 16 ? "hexadecimal" : "octal") digits", at: start)
            }
            value = value * radix + digit
            offset += 1
        }
        return value
    }

    static func digitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    func appendScalar(_ value: UInt32, escapeAt start: Int, to text: inout [UInt8]) throws(FilterError) {
        guard let scalar = Unicode.Scalar(value) else {
            throw failure("the escape names no Unicode scalar (a surrogate, or above U+10FFFF)", at: start)
        }
        text.append(contentsOf: String(scalar).utf8)
    }

    /// The error for a problem at the current offset, saying what is there instead.
    func failure(_ problem: String) -> FilterError {
        FilterError(message: "invalid filter at \(FilterParser.position(of: offset, in: bytes)): \(problem), found \(found)")
    }

    /// The error for a problem with the token that starts at `start`.
    func failure(_ problem: String, at start: Int) -> FilterError {
        FilterError(message: "invalid filter at \(FilterParser.position(of: start, in: bytes)): \(problem)")
    }

    /// What is at the offset, for "found ...": up to 16 bytes of it, ended at whitespace and never
    /// inside a UTF-8 sequence.
    var found: String {
        guard !atEnd else { return "the end of the expression" }
        var end = offset + 1
        while end < bytes.count, end - offset < 16, !FilterParser.isWhitespace(bytes[end]) { end += 1 }
        while end < bytes.count, bytes[end] & 0xc0 == 0x80 { end += 1 }
        return FilterParser.quoted(String(decoding: bytes[offset..<end], as: UTF8.self))
    }

    /// "line L, column C", both from 1, the column counted in Unicode scalars.
    static func position(of offset: Int, in bytes: [UInt8]) -> String {
        assert(offset >= 0 && offset <= bytes.count)
        var line = 1, column = 1
        for byte in bytes[..<offset] where byte & 0xc0 != 0x80 {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else { column += 1 }
        }
        return "line \(line), column \(column)"
    }

    /// `text` as a JSON string literal, so quotes and control characters in it stay readable.
    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        JSON.writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
