// Proves String(strictUTF8:) accepts and refuses exactly what String(validating:as:) does: ASCII on
// its fast path, multi-byte text, and every kind of invalid sequence, at any slice offset.
import Registry
import XCTest

final class StrictUTF8Tests: XCTestCase {
    private func assertSameAsStandard(_ bytes: [UInt8], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let padded = [0x41] + bytes + [0x42]
        let slice = padded[1..<(padded.count - 1)]
        XCTAssertEqual(String(strictUTF8: slice), String(validating: bytes, as: UTF8.self), label, file: file, line: line)
    }

    func testAgreesWithTheStandardLibrary() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("ASCII", Array("web-1.service_ID:8080".utf8)),
            ("two-byte", Array("café".utf8)),
            ("three-byte", Array("服务".utf8)),
            ("four-byte", Array("🚀 launch".utf8)),
            ("lone continuation", [0x61, 0x80, 0x62]),
            ("overlong slash", [0xC0, 0xAF]),
            ("overlong three-byte", [0xE0, 0x80, 0xAF]),
            ("UTF-16 surrogate", [0xED, 0xA0, 0x80]),
            ("beyond U+10FFFF", [0xF4, 0x90, 0x80, 0x80]),
            ("truncated four-byte", [0xF0, 0x9F, 0x98]),
            ("truncated at end", Array("ok".utf8) + [0xE2, 0x82]),
            ("0xFF", [0xFF]),
            ("NUL", [0x61, 0x00, 0x62]),
        ]
        for (label, bytes) in cases { assertSameAsStandard(bytes, label) }
        XCTAssertEqual(String(strictUTF8: Array("服务".utf8)[...]), "服务")
        XCTAssertNil(String(strictUTF8: [0xF0, 0x9F, 0x98][...]))
    }

    func testAgreesOnRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            let length = Int.random(in: 0...24, using: &generator)
            // Mostly ASCII with some high bytes, so that both paths and valid multi-byte text occur.
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? UInt8.random(in: 0x20...0x7E, using: &generator) : UInt8.random(in: 0...255, using: &generator)
            }
            assertSameAsStandard(bytes, "round \(round): \(bytes)")
        }
    }
}
