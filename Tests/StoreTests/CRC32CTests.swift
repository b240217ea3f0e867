// Proves the CRC-32C implementation matches the published check values and is the same fed at once or in pieces.
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
}
