// The opening handshake against RFC 6455's own example and the refusals it requires.
@testable import HTTP
import XCTest

final class WebSocketHandshakeTests: XCTestCase {
    func testSHA1KnownAnswers() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        XCTAssertEqual(hex(SHA1.digest([])), "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        XCTAssertEqual(hex(SHA1.digest(Array("abc".utf8))), "a9993e364706816aba3e25717850c26c9cd0d89d")
        // Two blocks (FIPS 180-4 example) and a length right at the padding boundary.
        XCTAssertEqual(hex(SHA1.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))), "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        XCTAssertEqual(hex(SHA1.digest(Array(repeating: UInt8(ascii: "a"), count: 1000))), "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    func testAcceptValueFromTheRFCExample() {
        // RFC 6455 §1.3.
        XCTAssertEqual(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    private func upgrade(_ extra: [(String, String)] = [], drop: Set<String> = [], method: String = "GET") -> HTTPRequest {
        var fields: [(name: String, value: String)] = [
            ("Host", "localhost"), ("Upgrade", "websocket"), ("Connection", "keep-alive, Upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13"),
        ].filter { !drop.contains($0.0) }
        fields += extra.map { (name: $0.0, value: $0.1) }
        return try! HTTPRequest(method: method, target: "/api/v1/config/watch/web", headers: HTTPHeaders(fields))
    }

    func testValidUpgradeGets101() throws {
        let response = try WebSocketHandshake.accept(upgrade()).get()
        XCTAssertEqual(response.status, .switchingProtocols)
        XCTAssertEqual(response.headers["Upgrade"], "websocket")
        XCTAssertEqual(response.headers["Connection"], "Upgrade")
        XCTAssertEqual(response.headers["Sec-WebSocket-Accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
        var wire: [UInt8] = []
        response.write(into: &wire, keepAlive: true)
        XCTAssertFalse(String(decoding: wire, as: UTF8.self).contains("Content-Length"), "a 101 has no body framing")
    }

    func testRefusals() {
        func status(_ request: HTTPRequest) -> Int? {
            if case .failure(let error) = WebSocketHandshake.accept(request) { return error.status.code }
            return nil
        }
        XCTAssertEqual(status(upgrade(method: "POST")), 405)
        XCTAssertEqual(status(upgrade(drop: ["Upgrade"])), 426)
        XCTAssertEqual(status(upgrade(drop: ["Connection"])), 400)
        XCTAssertEqual(status(upgrade(drop: ["Sec-WebSocket-Key"])), 400)
        XCTAssertEqual(status(upgrade([("Sec-WebSocket-Key", "x")], drop: ["Sec-WebSocket-Key"])), 400, "not 16 bytes")
        XCTAssertEqual(status(upgrade([("Sec-WebSocket-Version", "8")], drop: ["Sec-WebSocket-Version"])), 426)
        if case .failure(let error) = WebSocketHandshake.accept(upgrade([("Sec-WebSocket-Version", "8")], drop: ["Sec-WebSocket-Version"])) {
            XCTAssertEqual(error.headers["Sec-WebSocket-Version"], "13")
        }
        XCTAssertFalse(WebSocketHandshake.isUpgrade(upgrade(drop: ["Upgrade"])))
    }
}
