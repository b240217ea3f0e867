// Percent-encoding of RFC 3986 §2.1, plus the '+'-as-space rule of form-encoded query strings.

/// Checking and decoding of percent-encoded bytes.
public enum PercentEncoding {
    /// The decoded bytes. A '%' not followed by two hex digits is kept as it is (the parser
    /// refuses those before decoding; the router must not fail); with `plusIsSpace`, '+' becomes ' '.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == ASCII.percent, index + 2 < bytes.count,
               let high = ASCII.hexValue(bytes[index + 1]), let low = ASCII.hexValue(bytes[index + 2]) {
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(plusIsSpace && byte == ASCII.plus ? ASCII.space : byte)
                index += 1
            }
        }
        assert(decoded.count <= bytes.count)
        return decoded
    }

    /// `decodeLossy` for bytes outside a request (a URL's user information, a gRPC status
    /// message): '%' not followed by two hex digits stays as written, '+' stays '+'.
    public static func decodedLossy<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        Array(bytes).withUnsafeBufferPointer { decodeLossy($0, plusIsSpace: false) }
    }

    /// The decoded text, invalid UTF-8 replaced by U+FFFD (for callers that cannot refuse).
    static func decodeLossy(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String {
        if !needsDecoding(bytes, plusIsSpace: plusIsSpace) {
            return String(decoding: bytes, as: UTF8.self)
        }
        return String(decoding: decode(bytes, plusIsSpace: plusIsSpace), as: UTF8.self)
    }

    /// The decoded text, or nil when the decoded bytes are not UTF-8.
    static func decodeStrict(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> String? {
        if !needsDecoding(bytes, plusIsSpace: plusIsSpace) {
            return validUTF8(bytes)
        }
        return decode(bytes, plusIsSpace: plusIsSpace).withUnsafeBufferPointer(validUTF8)
    }

    /// True when `bytes` hold a '%' (or a '+' to turn into a space).
    private static func needsDecoding(_ bytes: UnsafeBufferPointer<UInt8>, plusIsSpace: Bool) -> Bool {
        ASCII.firstIndex(of: ASCII.percent, in: bytes, 0..<bytes.count) != nil
            || (plusIsSpace && ASCII.firstIndex(of: ASCII.plus, in: bytes, 0..<bytes.count) != nil)
    }

    /// The text of `bytes` if they are UTF-8. ASCII (the usual case) is recognised eight bytes at
    /// a time; only other text goes through the standard library's (much slower) validation.
    static func validUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var index = WordScan.skipWords(bytes, from: 0, end: bytes.count) { !WordScan.containsHighByte($0) }
        while index < bytes.count && bytes[index] < 0x80 { index += 1 }
        if index == bytes.count { return String(decoding: bytes, as: UTF8.self) }
        return String(validating: bytes, as: UTF8.self)
    }
}
