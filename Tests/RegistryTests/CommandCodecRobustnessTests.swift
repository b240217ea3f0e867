// Proves decoding never traps: truncations, trailing bytes, bad versions, tags and fields, and 10,000 seeded garbage inputs all throw or decode canonically.
import Registry
import XCTest

final class CommandCodecRobustnessTests: XCTestCase {
    func testEveryTruncationThrows() {
        for command in CommandSamples.all {
            let bytes = command.encode()
            for length in Self.truncationLengths(of: bytes.count) {
                XCTAssertThrowsError(try Command.decode(Array(bytes[..<length])), "\(command.tag) cut at \(length)")
            }
        }
    }

    /// Every length for small encodings; for large ones (kilobytes of payload, where each try
    /// copies the prefix) both ends in full and a stride through the middle.
    static func truncationLengths(of count: Int) -> [Int] {
        guard count > 8_192 else { return Array(0..<count) }
        return Array(0..<1_024) + Array(stride(from: 1_024, to: count - 1_024, by: 61)) + Array((count - 1_024)..<count)
    }

    func testTrailingBytesAreRefused() {
        for command in CommandSamples.all {
            XCTAssertThrowsError(try Command.decode(command.encode() + [0])) { error in
                XCTAssertEqual(error as? CommandDecodingError, .trailingBytes(count: 1))
            }
        }
    }

    func testEmptyInputIsRefused() {
        XCTAssertThrowsError(try Command.decode([])) { error in
            XCTAssertEqual(error as? CommandDecodingError, .truncated(offset: 0))
        }
    }

    func testUnknownVersionsAreRefused() {
        var bytes = Command.sessionDestroy(id: "x").encode()
        for version: UInt8 in [0, 2, 255] {
            bytes[0] = version
            XCTAssertThrowsError(try Command.decode(bytes)) { error in
                XCTAssertEqual(error as? CommandDecodingError, .unsupportedVersion(version))
            }
        }
    }

    func testUnknownTagsAreRefused() {
        for tag: UInt16 in [0, UInt16(Command.Tag.allCases.count + 1), 256, 0xffff] {
            XCTAssertThrowsError(try Command.decode([1, UInt8(tag >> 8), UInt8(tag & 0xff), 0])) { error in
                XCTAssertEqual(error as? CommandDecodingError, .unknownTag(tag))
            }
        }
    }

    func testHugeLengthsAndCountsAreRefusedBeforeAllocating() {
        let hugeVarint: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
        // sessionDestroy whose id claims 2^63 - 1 bytes.
        assertRefused([1, 0, 10] + hugeVarint, .truncated(offset: 3))
        // txn claiming 2^63 - 1 operations.
        assertRefused([1, 0, 12] + hugeVarint, .truncated(offset: 3))
        // A string claiming one byte more than what is left.
        assertRefused([1, 0, 10, 3, 0x61, 0x62], .truncated(offset: 3))
    }

    func testMalformedVarintsAreRefused() {
        // sessionRenew(id: "", nowMilliseconds: ...) with a bad varint at offset 4.
        let prefix: [UInt8] = [1, 0, 11, 0]
        assertRefused(prefix + [0x80, 0x00], .malformedVarint(offset: 4))  // overlong zero
        assertRefused(prefix + [0xff, 0x80, 0x00], .malformedVarint(offset: 4))  // overlong 127
        assertRefused(prefix + Array(repeating: 0xff, count: 9) + [0x02], .malformedVarint(offset: 4))  // 2^64
        assertRefused(prefix + Array(repeating: 0x80, count: 10) + [0x01], .malformedVarint(offset: 4))  // 11 bytes
        XCTAssertEqual(try Command.decode(prefix + Array(repeating: 0xff, count: 9) + [0x01]),
                       .sessionRenew(id: "", nowMilliseconds: UInt64.max))
    }

    func testBadFlagsUTF8AndCodesAreRefused() {
        // catalogDeregister(node: "", serviceID: <presence byte 2>).
        assertRefused([1, 0, 2, 0, 2], .invalidFlag(offset: 4, byte: 2))
        // sessionDestroy(id: <0xff>), and an unpaired surrogate in CESU-8 form.
        assertRefused([1, 0, 10, 1, 0xff], .invalidUTF8(offset: 3))
        assertRefused([1, 0, 10, 3, 0xed, 0xa0, 0x80], .invalidUTF8(offset: 3))
        // kv with operation codes 0 and 8.
        assertRefused([1, 0, 8, 0], .unknownCode(type: "KVOperation", code: 0, offset: 3))
        assertRefused([1, 0, 8, 8], .unknownCode(type: "KVOperation", code: 8, offset: 3))
        // checkUpdate(node: "", checkID: "", status: 4).
        assertRefused([1, 0, 7, 0, 0, 4, 0], .unknownCode(type: "HealthStatus", code: 4, offset: 5))
    }

    func testNonCanonicalMapsAreRefused() {
        // catalogRegister: node id, name, address, datacenter empty, then taggedAddresses.
        let prefix: [UInt8] = [1, 0, 1, 0, 0, 0, 0]
        let suffix: [UInt8] = [0, 0, 0, 0]  // meta, service absent, no checks, skipNodeUpdate
        let b: [UInt8] = [1, 0x62, 0], a: [UInt8] = [1, 0x61, 0]
        assertRefused(prefix + [2] + b + a + suffix, .nonCanonicalMap(offset: 11))
        assertRefused(prefix + [2] + a + a + suffix, .nonCanonicalMap(offset: 11))
        // "e" + combining acute (65 cc 81) sorts before "é" (c3 a9) by bytes, but they are one String.
        let decomposed: [UInt8] = [3, 0x65, 0xcc, 0x81, 0], precomposed: [UInt8] = [2, 0xc3, 0xa9, 0]
        assertRefused(prefix + [2] + decomposed + precomposed + suffix, .nonCanonicalMap(offset: 13))
        XCTAssertNoThrow(try Command.decode(prefix + [2] + a + b + suffix))
    }

    func testTenThousandRandomInputsNeverTrap() {
        var generator = SplitMix64(seed: 0x6772_6176_6974_79)
        var decoded = 0
        for round in 0..<10_000 {
            var bytes = Self.smallBiasedBytes(generator.below(200), using: &generator)
            // Most inputs get a valid version and tag so that the fields' decoders are reached.
            if round % 10 != 0, bytes.count >= 3 {
                bytes[0] = Command.codecVersion
                bytes[1] = 0
                bytes[2] = UInt8(1 + generator.below(Command.Tag.allCases.count))
            }
            if let command = try? Command.decode(bytes) {  // failing is the expected outcome
                decoded += 1
                XCTAssertEqual(command.encode(), bytes, "round \(round): decoded bytes must be canonical")
            }
        }
        XCTAssertGreaterThan(decoded, 0, "some random inputs should decode, or the fields are never reached")
    }

    /// Random bytes, three in four of them 0...2, so that lengths, counts, flags and codes are
    /// often plausible and decoding gets deep into the fields (sometimes to the end).
    static func smallBiasedBytes(_ count: Int, using generator: inout SplitMix64) -> [UInt8] {
        (0..<count).map { _ in
            let random = generator.next()
            return random % 4 == 0 ? UInt8(truncatingIfNeeded: random >> 8) : UInt8((random >> 8) % 3)
        }
    }

    func testTenThousandMutationsOfValidEncodingsNeverTrap() {
        var generator = SplitMix64(seed: 42)
        let encodings = CommandSamples.all.map { $0.encode() }.filter { $0.count < 4_096 }
        for round in 0..<10_000 {
            var bytes = encodings[generator.below(encodings.count)]
            for _ in 0...generator.below(3) where !bytes.isEmpty {
                bytes[generator.below(bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
            }
            if let command = try? Command.decode(bytes) {  // failing is the expected outcome
                XCTAssertEqual(command.encode(), bytes, "round \(round): decoded bytes must be canonical")
            }
        }
    }

    private func assertRefused(_ bytes: [UInt8], _ expected: CommandDecodingError, line: UInt = #line) {
        XCTAssertThrowsError(try Command.decode(bytes), line: line) { error in
            XCTAssertEqual(error as? CommandDecodingError, expected, line: line)
        }
    }
}
