// RFC 6455 framing: the §5.7 examples byte for byte, and every rule the server parser enforces,
// with each input also fed one byte at a time and split in two at every byte.
@testable import HTTP
import XCTest

final class WebSocketFrameTests: XCTestCase {
    /// The masking key of RFC 6455 §5.7's examples.
    static let rfcMask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]

    /// How a test frame spells its payload length.
    enum LengthForm { case minimal, sixteen, sixtyFour }

    /// A client frame: FIN, RSV bits and opcode as given, masked with `mask` unless it is nil.
    static func frame(_ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8]? = rfcMask,
                      length: LengthForm = .minimal) -> [UInt8] {
        var bytes: [UInt8] = [(fin ? 0x80 : 0) | rsv << 4 | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let count = payload.count
        switch length {
        case .minimal where count < 126:
            bytes.append(maskBit | UInt8(count))
        case .minimal where count <= 0xFFFF, .sixteen:
            bytes += [maskBit | 126, UInt8(count >> 8), UInt8(count & 0xFF)]
        case .minimal, .sixtyFour:
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: UInt64(count) >> (8 * UInt64($0))) }
        }
        guard let mask else { return bytes + payload }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    static func text(_ string: String, fin: Bool = true) -> [UInt8] { frame(0x1, Array(string.utf8), fin: fin) }
    static func close(_ code: UInt16, _ reason: [UInt8] = []) -> [UInt8] { frame(0x8, [UInt8(code >> 8), UInt8(code & 0xFF)] + reason) }

    /// "text Hello", "binary 256", "ping 48656c6c6f", "pong ", "close 1000 bye", "close none",
    /// or "fail 1002 client frames must be masked".
    static func render(_ event: WebSocketEvent) -> String {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format2: $0) }.joined() }
        switch event {
        case .text(let text): return "text \(text)"
        case .binary(let bytes): return "binary \(bytes.count)"
        case .ping(let payload): return "ping \(hex(payload))"
        case .pong(let payload): return "pong \(hex(payload))"
        case .close(let code?, let reason): return "close \(code) \(reason)".trimmingTrailingSpace
        case .close(nil, _): return "close none"
        case .failure(let error): return "fail \(error.code) \(error.message)"
        }
    }

    /// Feeds `pieces` in order and collects the events; checks that nothing comes out after the
    /// parser ended, even when more bytes come.
    static func events(_ pieces: [ArraySlice<UInt8>], limit: Int, file: StaticString = #filePath, line: UInt = #line) -> [String] {
        var parser = WebSocketFrameParser(maxMessageBytes: limit)
        var events: [String] = []
        for piece in pieces {
            parser.feed(Array(piece))
            while let event = parser.next() { events.append(render(event)) }
        }
        if parser.hasEnded {
            parser.feed(text("more"))
            XCTAssertNil(parser.next(), "an event after the end", file: file, line: line)
        }
        return events
    }

    /// Checks the events of `input` fed whole, one byte at a time, and split in two everywhere.
    func assertEvents(_ input: [UInt8], _ expected: [String], limit: Int = 1 << 20, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(Self.events([input[...]], limit: limit, file: file, line: line), expected, "whole", file: file, line: line)
        let bytewise = input.indices.map { input[$0...$0] }
        XCTAssertEqual(Self.events(bytewise, limit: limit, file: file, line: line), expected, "one byte at a time", file: file, line: line)
        for split in 0...input.count {
            let got = Self.events([input[..<split], input[split...]], limit: limit, file: file, line: line)
            if got != expected {
                XCTFail("split at \(split): \(got)", file: file, line: line)
                return
            }
        }
    }

    // MARK: RFC 6455 §5.7

    func testSection57MaskedTextHello() {
        let bytes: [UInt8] = [0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        XCTAssertEqual(Self.text("Hello"), bytes, "the helper masks as the RFC does")
        assertEvents(bytes, ["text Hello"])
    }

    func testSection57UnmaskedTextIsWhatTheServerSendsAndWhatItRefuses() {
        let bytes: [UInt8] = [0x81, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F]
        var out: [UInt8] = []
        WebSocketFrame.appendText(Array("Hello".utf8), into: &out)
        XCTAssertEqual(out, bytes)
        assertEvents(bytes, ["fail 1002 client frames must be masked"])
    }

    func testSection57FragmentedText() {
        // The RFC's unmasked fragments "Hel" + "lo", here as a client must send them: masked.
        let first: [UInt8] = [0x01, 0x03, 0x48, 0x65, 0x6C]
        let second: [UInt8] = [0x80, 0x02, 0x6C, 0x6F]
        assertEvents(first + second, ["fail 1002 client frames must be masked"])
        assertEvents(Self.frame(0x1, Array("Hel".utf8), fin: false) + Self.frame(0x0, Array("lo".utf8)), ["text Hello"])
    }

    func testSection57PingAndMaskedPong() {
        var ping: [UInt8] = []
        WebSocketFrame.appendPing(Array("Hello".utf8), into: &ping)
        XCTAssertEqual(ping, [0x89, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
        let pong: [UInt8] = [0x8A, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]
        assertEvents(pong, ["pong 48656c6c6f"])
        var serverPong: [UInt8] = []
        WebSocketFrame.appendPong(Array("Hello".utf8), into: &serverPong)
        XCTAssertEqual(serverPong, [0x8A, 0x05, 0x48, 0x65, 0x6C, 0x6C, 0x6F])
    }

    func testSection57BinaryWith16And64BitLengths() {
        let small = [UInt8](repeating: 0xAB, count: 256)
        var out: [UInt8] = []
        WebSocketFrame.appendBinary(small, into: &out)
        XCTAssertEqual(Array(out.prefix(4)), [0x82, 0x7E, 0x01, 0x00])
        XCTAssertEqual(Array(out.dropFirst(4)), small)
        let large = [UInt8](repeating: 0xCD, count: 65536)
        out = []
        WebSocketFrame.appendBinary(large, into: &out)
        XCTAssertEqual(Array(out.prefix(10)), [0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00])
        XCTAssertEqual(out.count, 10 + 65536)
        XCTAssertEqual(WebSocketFrame.frameBytes(payloadBytes: 125), 127)
        XCTAssertEqual(WebSocketFrame.frameBytes(payloadBytes: 126), 130)
        XCTAssertEqual(WebSocketFrame.frameBytes(payloadBytes: 65535), 65539)
        XCTAssertEqual(WebSocketFrame.frameBytes(payloadBytes: 65536), 65546)
    }

    // MARK: lengths

    func testMaskedLengthsInEveryForm() {
        let payload = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        assertEvents(Self.frame(0x2, payload), ["binary 300"])
        assertEvents(Self.frame(0x2, payload, length: .sixtyFour), ["binary 300"])
        assertEvents(Self.frame(0x2, Array(payload.prefix(5)), length: .sixteen), ["binary 5"])
        var parser = WebSocketFrameParser(maxMessageBytes: 1 << 20)
        parser.feed(Self.frame(0x2, payload, length: .sixtyFour))
        XCTAssertEqual(parser.next(), .binary(payload), "unmasked at every offset")
        // 70000 bytes need the 64-bit form; fed whole and bytewise (every split is too slow here).
        let big = [UInt8](repeating: 7, count: 70000)
        let frame = Self.frame(0x2, big)
        XCTAssertEqual(frame[1], 0xFF)
        XCTAssertEqual(Self.events([frame[...]], limit: 1 << 20), ["binary 70000"])
        XCTAssertEqual(Self.events(frame.indices.map { frame[$0...$0] }, limit: 1 << 20), ["binary 70000"])
    }

    func testTopBitOf64BitLengthIsRefused() {
        var bytes: [UInt8] = [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1]
        bytes += Self.rfcMask
        assertEvents(bytes, ["fail 1002 64-bit payload length has its top bit set"])
    }

    func testEmptyPayloads() {
        assertEvents(Self.frame(0x1, []) + Self.frame(0x2, []) + Self.frame(0x9, []) + Self.frame(0xA, []),
                     ["text ", "binary 0", "ping ", "pong "])
    }

    // MARK: framing rules

    func testUnmaskedFrameIsRefused() {
        assertEvents(Self.frame(0x9, [1, 2], mask: nil), ["fail 1002 client frames must be masked"])
    }

    func testReservedBitsAreRefused() {
        for rsv: UInt8 in [1, 2, 4, 7] {
            assertEvents(Self.frame(0x1, Array("x".utf8), rsv: rsv), ["fail 1002 reserved bits set without an extension"])
        }
    }

    func testUnknownOpcodesAreRefused() {
        for opcode: UInt8 in [0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF] {
            assertEvents(Self.frame(opcode, []), ["fail 1002 unknown opcode \(opcode)"])
        }
    }

    func testControlFramesAreShortAndFinal() {
        assertEvents(Self.frame(0x9, [UInt8](repeating: 1, count: 125)), ["ping " + String(repeating: "01", count: 125)])
        assertEvents(Self.frame(0x9, [UInt8](repeating: 1, count: 126)), ["fail 1002 control frame payload over 125 bytes"])
        assertEvents(Self.frame(0xA, [1], length: .sixteen), ["fail 1002 control frame payload over 125 bytes"])
        assertEvents(Self.frame(0x8, [3, 232], length: .sixtyFour), ["fail 1002 control frame payload over 125 bytes"])
        assertEvents(Self.frame(0x9, [], fin: false), ["fail 1002 fragmented control frame"])
        assertEvents(Self.frame(0x8, [3, 232], fin: false), ["fail 1002 fragmented control frame"])
    }

    func testContinuationWithoutAMessage() {
        assertEvents(Self.frame(0x0, Array("x".utf8)), ["fail 1002 continuation frame without a message to continue"])
        assertEvents(Self.text("done") + Self.frame(0x0, []), ["text done", "fail 1002 continuation frame without a message to continue"])
    }

    func testNewMessageInsideAFragmentedOne() {
        assertEvents(Self.text("a", fin: false) + Self.text("b"), ["fail 1002 new message before the fragmented one ended"])
        assertEvents(Self.frame(0x2, [1], fin: false) + Self.frame(0x1, [], fin: false),
                     ["fail 1002 new message before the fragmented one ended"])
    }

    func testControlFramesInterleaveWithFragments() {
        let input = Self.text("ab", fin: false) + Self.frame(0x9, [9]) + Self.frame(0x0, Array("cd".utf8), fin: false)
            + Self.frame(0xA, []) + Self.frame(0x0, Array("ef".utf8)) + Self.text("next")
        assertEvents(input, ["ping 09", "pong ", "text abcdef", "text next"])
        assertEvents(Self.frame(0x2, [1, 2], fin: false) + Self.frame(0x0, [3]), ["binary 3"])
    }

    func testEmptyFragmentsAreFine() {
        assertEvents(Self.frame(0x1, [], fin: false) + Self.frame(0x0, [], fin: false) + Self.frame(0x0, Array("z".utf8)), ["text z"])
    }

    // MARK: size limit

    func testMessageLimitCountsReassembledBytes() {
        assertEvents(Self.frame(0x2, [UInt8](repeating: 0, count: 16)), ["binary 16"], limit: 16)
        assertEvents(Self.frame(0x2, [UInt8](repeating: 0, count: 17)), ["fail 1009 message over 16 bytes"], limit: 16)
        let fragments = Self.frame(0x1, Array("12345678".utf8), fin: false) + Self.frame(0x0, Array("12345678".utf8), fin: false)
        assertEvents(fragments + Self.frame(0x0, []), ["text 1234567812345678"], limit: 16)
        assertEvents(fragments + Self.frame(0x0, [0x41]), ["fail 1009 message over 16 bytes"], limit: 16)
        // Control frames do not count against it.
        assertEvents(Self.frame(0x9, [UInt8](repeating: 2, count: 20)), ["ping " + String(repeating: "02", count: 20)], limit: 16)
    }

    func testOversizedMessageFailsAtItsHeaderBeforeThePayload() {
        // The payload of a 1 GiB frame never has to arrive for the refusal.
        var header: [UInt8] = [0x82, 0xFF, 0, 0, 0, 0, 0x40, 0, 0, 0]
        header += Self.rfcMask
        assertEvents(header, ["fail 1009 message over 65536 bytes"], limit: 65536)
    }

    // MARK: UTF-8

    func testInvalidUTF8TextIsRefused() {
        let invalid: [[UInt8]] = [
            [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xCE],
            [0x41, 0x80], [0xF0, 0x9F, 0x98],
        ]
        for bytes in invalid {
            assertEvents(Self.frame(0x1, bytes), ["fail 1007 text message is not UTF-8"])
        }
        assertEvents(Self.frame(0x2, [0xFF]), ["binary 1"], limit: 16)
    }

    func testMultiByteCharacterSpanningFragments() {
        let smile = Array("κόσμε 😀".utf8)  // 2-byte and 4-byte characters
        for cut in 1..<smile.count {
            let input = Self.frame(0x1, Array(smile[..<cut]), fin: false) + Self.frame(0x0, Array(smile[cut...]))
            XCTAssertEqual(Self.events([input[...]], limit: 64), ["text κόσμε 😀"], "cut at \(cut)")
        }
        let emoji = Array("😀".utf8)
        let split = Self.frame(0x1, [emoji[0]], fin: false) + Self.frame(0x0, [emoji[1], emoji[2]], fin: false) + Self.frame(0x0, [emoji[3]])
        assertEvents(split, ["text 😀"])
        // A character left unfinished when the message ends is still refused.
        assertEvents(Self.frame(0x1, [emoji[0]], fin: false) + Self.frame(0x0, [emoji[1]]), ["fail 1007 text message is not UTF-8"])
    }

    // MARK: close frames

    func testCloseFramesWithAndWithoutCode() {
        assertEvents(Self.frame(0x8, []), ["close none"])
        assertEvents(Self.close(1000), ["close 1000"])
        assertEvents(Self.close(1001, Array("bye ✓".utf8)), ["close 1001 bye ✓"])
        assertEvents(Self.close(4999), ["close 4999"])
        // Nothing after a close is parsed.
        assertEvents(Self.close(1000) + Self.text("late") + Self.frame(0x9, [], mask: nil), ["close 1000"])
    }

    func testCloseFramePayloadOfOneByte() {
        assertEvents(Self.frame(0x8, [3]), ["fail 1002 close frame payload of 1 byte"])
    }

    func testCloseCodesThatMayNotBeSent() {
        let refused: [UInt16] = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
        for code in refused {
            assertEvents(Self.close(code), ["fail 1002 close code \(code) may not be sent"])
        }
        let allowed: [UInt16] = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]
        for code in allowed {
            assertEvents(Self.close(code), ["close \(code)"])
        }
    }

    func testCloseReasonMustBeUTF8() {
        assertEvents(Self.close(1000, [0xCE, 0xBA, 0xE1, 0xBD]), ["fail 1007 close reason is not UTF-8"])
    }

    // MARK: encoder

    func testCloseFrameEncoding() {
        var out: [UInt8] = []
        WebSocketFrame.appendClose(.normalClosure, into: &out)
        XCTAssertEqual(out, [0x88, 0x02, 0x03, 0xE8])
        out = []
        WebSocketFrame.appendClose(.messageTooBig, reason: "big", into: &out)
        XCTAssertEqual(out, [0x88, 0x05, 0x03, 0xF1] + Array("big".utf8))
    }

    func testEncodedFramesParseBackOnceMasked() {
        // What the encoder writes, masked as a client would, parses to the same message.
        let payloads: [[UInt8]] = [[], Array("hi".utf8), [UInt8](repeating: 0x61, count: 125), [UInt8](repeating: 0x62, count: 126),
                                   [UInt8](repeating: 0x63, count: 65535), [UInt8](repeating: 0x64, count: 65536)]
        for payload in payloads {
            var out: [UInt8] = []
            WebSocketFrame.appendText(payload, into: &out)
            let masked = Self.maskServerFrame(out, with: [1, 2, 3, 4])
            var parser = WebSocketFrameParser(maxMessageBytes: 1 << 20)
            parser.feed(masked)
            XCTAssertEqual(parser.next(), .text(String(decoding: payload, as: UTF8.self)), "\(payload.count) bytes")
        }
    }

    /// Sets the MASK bit of a server frame and masks its payload.
    static func maskServerFrame(_ frame: [UInt8], with mask: [UInt8]) -> [UInt8] {
        let lengthBytes = frame[1] == 126 ? 2 : frame[1] == 127 ? 8 : 0
        let headerEnd = 2 + lengthBytes
        var out = [frame[0], frame[1] | 0x80] + frame[2..<headerEnd] + mask
        out += frame[headerEnd...].enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return out
    }

    // MARK: robustness

    func testRandomBytesNeverCrashAndEndOrWait() {
        var random = SplitMix64(seed: 6455)  // the same inputs on every run
        for _ in 0..<2000 {
            var input = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Most of the time, get past the first checks: no RSV bits, the MASK bit set.
            if input.count >= 2, random.next() % 4 != 0 { input[0] &= 0x8F; input[1] |= 0x80 }
            var parser = WebSocketFrameParser(maxMessageBytes: 100)
            parser.feed(input)
            var count = 0
            while parser.next() != nil { count += 1 }
            XCTAssertLessThanOrEqual(count, input.count)
        }
    }
}

extension String {
    /// Two lowercase hex digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    var trimmingTrailingSpace: String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
