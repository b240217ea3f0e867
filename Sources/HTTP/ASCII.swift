// Byte classes of HTTP/1.1, kept in one place so the parser, the router and the writer agree.
// Sources of truth: RFC 9110 §5.6.2 (tchar), §5.5 (field-vchar, obs-text), RFC 3986 §2.1 (HEXDIG).

/// Byte constants and classifiers. Every function is a pure test on one byte.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let question: UInt8 = 0x3F
    static let backslash: UInt8 = 0x5C
    static let delete: UInt8 = 0x7F

    /// RFC 9110 tchar: the bytes of a method, a header name, a coding or an extension name.
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A:
            return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E:
            return true  // ! # $ % & ' * + - . ^ _ ` | ~
        default:
            return false
        }
    }

    /// RFC 9110 §5.5 field-value bytes: VCHAR, SP, HTAB and obs-text; no other control byte.
    @inline(__always)
    static func isFieldValueByte(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= space && byte != delete)
    }

    /// Bytes allowed anywhere in a request-target: visible ASCII only (no CTL, space or obs-text).
    @inline(__always)
    static func isTargetByte(_ byte: UInt8) -> Bool {
        byte > space && byte < delete
    }

    /// Optional whitespace (RFC 9110 §5.6.3 OWS/BWS): SP or HTAB.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// ASCII lower case; other bytes unchanged.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
    }

    /// True when `bytes` equals `lowercase` ignoring ASCII case. `lowercase` must be lower case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            for index in 0..<expected.count where lowercased(bytes[index]) != expected[index] {
                assert(!(0x41...0x5A).contains(expected[index]), "literal must be lower case")
                return false
            }
            return true
        }
    }

    /// True when two strings are equal ignoring ASCII case (header names, tokens).
    static func equalsIgnoringCase(_ left: String, _ right: String) -> Bool {
        let a = left.utf8, b = right.utf8
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lowercased($0) == lowercased($1) }
    }

    /// The index of the first `byte` within `range`, or nil (a plain loop: the generic
    /// `firstIndex(of:)` on a slice is several times slower on this hot path).
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }

    /// True when every byte in `range` is a field-value byte (VCHAR, SP, HTAB, obs-text).
    static func areFieldValueBytes(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        // Words with no control byte and no DEL are valid whole; others are judged byte by byte.
        var index = range.lowerBound
        while index < range.upperBound {
            index = WordScan.skipWords(bytes, from: index, end: range.upperBound) {
                !WordScan.containsByteBelow($0, space) && !WordScan.containsByte($0, delete)
            }
            let wordEnd = min(index + 8, range.upperBound)
            while index < wordEnd {
                if !isFieldValueByte(bytes[index]) { return false }
                index += 1
            }
        }
        return true
    }

    /// True when `bytes` is a non-empty token.
    static func isToken(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        !bytes.isEmpty && bytes.allSatisfy(isTokenByte)
    }

    /// True when `string` is a non-empty token.
    static func isToken(_ string: String) -> Bool {
        !string.isEmpty && string.utf8.allSatisfy(isTokenByte)
    }

    /// The range of `range` without leading and trailing OWS.
    static func trimmingWhitespace(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        assert(range.contains(lower) || lower == upper)
        return lower..<upper
    }
}

extension String {
    /// A string from bytes known or allowed to be UTF-8 (invalid sequences become U+FFFD).
    init(bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.init(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}
