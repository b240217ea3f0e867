/// A strict JSON parser (RFC 8259) for request bodies, with limits on depth and size, and error
/// messages that say where the input went wrong. Objects keep keys in document order; duplicate
/// keys keep the last value on lookup, as Go's decoder does.
public struct JSONParser {
    /// Why a body is not JSON; `message` is shown to the client after "Request decode failed: ".
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { message }
    }

    /// Deepest nesting accepted; deeper input is refused rather than risking the stack.
    public static let maxDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses one JSON value filling the whole input (surrounding whitespace allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONParser.Error) -> JSON {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        guard parser.position < bytes.count else { throw parser.fail("EOF") }
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw parser.fail("invalid character '\(parser.describeByte())' after top-level value")
        }
        return value
    }

    private func fail(_ message: String) -> JSONParser.Error {
        JSONParser.Error(message: message, offset: position)
    }

    private func describeByte() -> String {
        guard position < bytes.count else { return "EOF" }
        let byte = bytes[position]
        return byte >= 0x20 && byte < 0x7f ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws(JSONParser.Error) -> JSON {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        guard position < bytes.count else { throw fail("unexpected end of JSON input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("invalid character '\(describeByte())' looking for beginning of value")
        }
    }

    private mutating func expectWord(_ word: String) throws(JSONParser.Error) {
        for expected in word.utf8 {
            guard position < bytes.count, bytes[position] == expected else {
                throw fail("invalid character '\(describeByte())' in literal \(word)")
            }
            position += 1
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParser.Error) -> JSON {
        position += 1
        var members: [(String, JSON)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail("invalid character '\(describeByte())' looking for beginning of object key string")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail("invalid character '\(describeByte())' after object key")
            }
            position += 1
            skipWhitespace()
            members.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of JSON input") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(members) }
            throw fail("invalid character '\(describeByte())' after object key:value pair")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParser.Error) -> JSON {
        position += 1
        var items: [JSON] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of JSON input") }
            if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
            if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            throw fail("invalid character '\(describeByte())' after array element")
        }
    }

    private mutating func parseNumber() throws(JSONParser.Error) -> JSON {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid character '\(describeByte())' in numeric literal") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid character '\(describeByte())' after decimal point in numeric literal") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid character '\(describeByte())' in exponent of numeric literal") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw fail("number \(text) out of range") }
        return .double(value)
    }

    private mutating func parseString() throws(JSONParser.Error) -> String {
        position += 1
        // Most strings hold no escape: they are decoded straight from the input, without
        // growing a byte array one byte at a time.
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: bytes[start..<position - 1], as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            position += 1
        }
        var scalars = Array(bytes[start..<position])
        while true {
            guard position < bytes.count else { throw fail("unexpected end of JSON input in string") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: scalars, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &scalars)
            case 0..<0x20:
                position -= 1
                throw fail("invalid character '\(describeByte())' in string literal")
            default:
                scalars.append(byte)
            }
        }
    }

    private mutating func parseEscape(into out: inout [UInt8]) throws(JSONParser.Error) {
        guard position < bytes.count else { throw fail("unexpected end of JSON input in string escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0c)
        case UInt8(ascii: "n"): out.append(0x0a)
        case UInt8(ascii: "r"): out.append(0x0d)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): out.append(contentsOf: try parseUnicodeEscape())
        default:
            position -= 1
            throw fail("invalid character '\(describeByte())' in string escape code")
        }
    }

    /// `\uXXXX`, joining surrogate pairs; a lone surrogate becomes U+FFFD as in Go.
    private mutating func parseUnicodeEscape() throws(JSONParser.Error) -> [UInt8] {
        let first = try parseHex4()
        var scalarValue = first
        if (0xD800..<0xDC00).contains(first) {
            if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                let save = position
                position += 2
                let second = try parseHex4()
                if (0xDC00..<0xE000).contains(second) {
                    scalarValue = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                } else {
                    position = save
                    scalarValue = 0xFFFD
                }
            } else {
                scalarValue = 0xFFFD
            }
        } else if (0xDC00..<0xE000).contains(first) {
            scalarValue = 0xFFFD
        }
        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
        return Array(String(Character(scalar)).utf8)
    }

    private mutating func parseHex4() throws(JSONParser.Error) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("unexpected end of JSON input in \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid character '\(describeByte())' in \\u hexadecimal character escape")
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }
}

@inline(__always) private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

extension JSON {
    /// Looks a key up as Go's decoder does: an exact match first, then the last key equal
    /// ignoring case (their `foldedKey`s equal). Consul clients send `Name`, `name` or `NAME`
    /// interchangeably.
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        // One pass from the end: the last exact match wins at once, else the last folded one.
        var folded: JSON?
        var target: String?
        for (name, value) in members.reversed() {
            if name == key { return value }
            guard folded == nil else { continue }
            if target == nil { target = Self.foldedKey(key) }
            if Self.foldedKey(name) == target { folded = value }
        }
        return folded
    }

    private static func asciiFolded(_ byte: UInt8) -> UInt8 {
        (0x41...0x5a).contains(byte) ? byte | 0x20 : byte
    }

    /// `key` lowercased (Unicode's lowercasing: the Kelvin sign becomes "k"): two keys match
    /// ignoring case exactly when their folded forms are equal. ASCII keys (nearly all) fold
    /// byte by byte, without allocating up to 15 bytes (a small string).
    public static func foldedKey(_ key: String) -> String {
        enum Fold { case unchanged, ascii(String), unicode }
        var key = key
        let fold: Fold = key.withUTF8 { bytes in
            if bytes.contains(where: { $0 >= 0x80 }) { return .unicode }
            if !bytes.contains(where: { (0x41...0x5a).contains($0) }) { return .unchanged }
            return .ascii(String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for (position, byte) in bytes.enumerated() { buffer[position] = asciiFolded(byte) }
                return bytes.count
            })
        }
        switch fold {
        case .unchanged: return key
        case .ascii(let folded): return folded
        case .unicode: return key.lowercased()
        }
    }

    /// The first present key among `keys` (a field and its snake_case aliases).
    public func first(of keys: String...) -> JSON? {
        for key in keys { if let value = self[key] { return value } }
        return nil
    }
}
