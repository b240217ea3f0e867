// Chunk extensions (RFC 9112 §7.1.1) carry nothing Gravity uses, but they are parsed in full: a
// lenient skip-to-CRLF is where parsers disagree and requests get smuggled.
//
//   chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//   chunk-ext-val = token / quoted-string

/// The grammar check of the extensions after a chunk size.
enum ChunkExtensions {
    /// Throws 400 unless `bytes[range]` is a well-formed, possibly empty, chunk-ext.
    static func check(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws(HTTPParseError) {
        var index = range.lowerBound
        while index < range.upperBound {
            index = skipWhitespace(bytes, index, range.upperBound)
            guard index < range.upperBound, bytes[index] == ASCII.semicolon else { throw invalid }
            index = skipWhitespace(bytes, index + 1, range.upperBound)
            index = try token(bytes, index, range.upperBound)
            let afterName = skipWhitespace(bytes, index, range.upperBound)
            guard afterName < range.upperBound, bytes[afterName] == ASCII.equals else { continue }
            index = skipWhitespace(bytes, afterName + 1, range.upperBound)
            guard index < range.upperBound else { throw invalid }
            index = bytes[index] == ASCII.quote
                ? try quotedString(bytes, index, range.upperBound)
                : try token(bytes, index, range.upperBound)
        }
        assert(index == range.upperBound)
    }

    private static var invalid: HTTPParseError { .badRequest("invalid chunk extension") }

    private static func skipWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int {
        var index = start
        while index < end, ASCII.isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// The index after a non-empty token starting at `start`.
    private static func token(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) -> Int {
        var index = start
        while index < end, ASCII.isTokenByte(bytes[index]) { index += 1 }
        guard index > start else { throw invalid }
        return index
    }

    /// The index after a quoted-string (RFC 9110 §5.6.4) whose opening quote is at `start`.
    private static func quotedString(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) throws(HTTPParseError) -> Int {
        assert(bytes[start] == ASCII.quote)
        var index = start + 1
        while index < end {
            switch bytes[index] {
            case ASCII.quote:
                return index + 1
            case ASCII.backslash:
                guard index + 1 < end, ASCII.isFieldValueByte(bytes[index + 1]) else { throw invalid }
                index += 2
            case let byte where ASCII.isFieldValueByte(byte):
                index += 1
            default:
                throw invalid
            }
        }
        throw invalid
    }
}
