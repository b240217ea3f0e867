// Standard base64 (RFC 4648 §4, with padding): how Consul's JSON carries KV values, txn values
// and event payloads (Go's encoding/json encodes []byte this way), and how the WebSocket
// handshake carries its key. The core may not import Foundation (DESIGN.md §3), so it has its own.

/// Base64 as Go's `base64.StdEncoding` writes and reads it.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The value of each alphabet byte, 0xFF for bytes outside it.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }()

    /// The padded encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var offset = 0
        while offset < bytes.count {
            let chunk = bytes[offset..<min(offset + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            offset += 3
        }
        assert(out.count % 4 == 0, "padded base64 comes in quads")
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes padded base64. Like Go, CR and LF are skipped; anything else outside the
    /// alphabet, a bad length or misplaced padding gives nil. Unpadded input is accepted too,
    /// as lenient clients send it.
    public static func decode(_ text: String) -> [UInt8]? {
        var digits: [UInt8] = []
        digits.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 where byte != 0x0A && byte != 0x0D {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0 else { return nil }
            let value = values[Int(byte)]
            guard value != 0xFF else { return nil }
            digits.append(value)
        }
        guard padding <= 2, digits.count % 4 != 1, padding == 0 || (digits.count + padding) % 4 == 0 else { return nil }
        return bytes(of: digits)
    }

    /// Packs 6-bit digits into bytes (4 digits → 3 bytes; a final 2 or 3 digits → 1 or 2 bytes).
    private static func bytes(of digits: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(digits.count * 3 / 4)
        var offset = 0
        while offset < digits.count {
            let quad = digits[offset..<min(offset + 4, digits.count)]
            let d = Array(quad) + [UInt8](repeating: 0, count: 4 - quad.count)
            out.append(d[0] << 2 | d[1] >> 4)
            if quad.count > 2 { out.append(d[1] << 4 | d[2] >> 2) }
            if quad.count > 3 { out.append(d[2] << 6 | d[3]) }
            offset += 4
        }
        return out
    }
}
