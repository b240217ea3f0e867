// Proves the codec's primitives: shortest-form LEB128 and zigzag varints at their boundaries, strict flags, length prefixes.
@testable import Registry
import XCTest

final class BinaryCodingTests: XCTestCase {
    func testUnsignedVarintsUseTheShortestForm() throws {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0]), (1, [1]), (127, [0x7f]), (128, [0x80, 0x01]), (300, [0xac, 0x02]),
            (16_383, [0xff, 0x7f]), (16_384, [0x80, 0x80, 0x01]),
            (UInt64.max, Array(repeating: 0xff, count: 9) + [0x01]),
        ]
        for (value, expected) in cases {
            var writer = BinaryWriter()
            writer.writeVarUInt(value)
            XCTAssertEqual(writer.bytes, expected, "\(value)")
            var reader = BinaryReader(expected)
            XCTAssertEqual(try reader.readVarUInt(), value)
            XCTAssertNoThrow(try reader.finish())
        }
    }

    func testSignedVarintsAreZigzagged() throws {
        let cases: [(Int64, UInt64)] = [(0, 0), (-1, 1), (1, 2), (-2, 3), (2, 4), (Int64.max, UInt64.max - 1), (Int64.min, UInt64.max)]
        for (value, zigzag) in cases {
            var signed = BinaryWriter()
            signed.writeVarInt(value)
            var unsigned = BinaryWriter()
            unsigned.writeVarUInt(zigzag)
            XCTAssertEqual(signed.bytes, unsigned.bytes, "\(value)")
            var reader = BinaryReader(signed.bytes)
            XCTAssertEqual(try reader.readVarInt(), value)
        }
    }

    func testReaderRefusesBadFlagsAndReportsOffsets() {
        var reader = BinaryReader([1, 0, 7])
        XCTAssertEqual(try reader.readBool(), true)
        XCTAssertEqual(try reader.readBool(), false)
        XCTAssertThrowsError(try reader.readBool()) { error in
            XCTAssertEqual(error as? CommandDecodingError, .invalidFlag(offset: 2, byte: 7))
        }
    }

    func testStringsAndBytesAreLengthPrefixed() throws {
        var writer = BinaryWriter()
        writer.writeString("日本")
        writer.writeBytes([])
        writer.writeOptionalString(nil)
        writer.writeOptionalString("")
        XCTAssertEqual(writer.bytes, [6, 0xe6, 0x97, 0xa5, 0xe6, 0x9c, 0xac, 0, 0, 1, 0])
        var reader = BinaryReader(writer.bytes)
        XCTAssertEqual(try reader.readString(), "日本")
        XCTAssertEqual(try reader.readBytes(), [])
        XCTAssertEqual(try reader.readOptionalString(), nil)
        XCTAssertEqual(try reader.readOptionalString(), "")
        XCTAssertNoThrow(try reader.finish())
    }
}
