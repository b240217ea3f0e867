// Proves the CRC-32C implementation matches the published check values, is the same fed at once or in pieces, and
// that its eight-bytes-at-a-time path agrees with a plain bit-by-bit reference at every length and alignment.
import Store
import XCTest

final class CRC32CTests: XCTestCase {
    func testPublishedCheckValues() {
        // The catalogue check value for CRC-32C, and RFC 3720 §B.4's 32-byte vectors.
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0x00, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum(Array(0...31)), 0x46DD_794E)
        XCTAssertEqual(CRC32C.checksum([]), 0)
    }

    func testIncrementalUpdatesMatchOneShot() {
        var crc = CRC32C()
        crc.update(Array("1234".utf8))
        crc.update(UInt8(ascii: "5"))
        crc.update(Array("6789".utf8))
        XCTAssertEqual(crc.value, 0xE306_9283)

        var integer = CRC32C()
        integer.update(littleEndian: 0x0807_0605_0403_0201)
        XCTAssertEqual(integer.value, CRC32C.checksum([1, 2, 3, 4, 5, 6, 7, 8]))
    }

    func testWordPathMatchesBitwiseReference() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for length in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200, 300 - start] where start + length <= data.count {
                let piece = Array(data[start..<(start + length)])
                XCTAssertEqual(CRC32C.checksum(piece), Self.bitwise(piece), "start \(start), length \(length)")
                // In place: words read at every alignment.
                var unaligned = CRC32C()
                data.withUnsafeBytes { unaligned.update(UnsafeRawBufferPointer(rebasing: $0[start..<(start + length)])) }
                XCTAssertEqual(unaligned.value, Self.bitwise(piece), "in place, start \(start), length \(length)")
                // Split at an odd point: the state carries over between the word and byte paths.
                var split = CRC32C()
                split.update(Array(piece.prefix(length / 3)))
                split.update(Array(piece.dropFirst(length / 3)))
                XCTAssertEqual(split.value, Self.bitwise(piece), "split, start \(start), length \(length)")
            }
        }
    }

    /// CRC-32C computed one bit at a time, with no table.
    private static func bitwise(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
