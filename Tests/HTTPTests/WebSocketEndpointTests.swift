// The server end of a WebSocket as scenario transcripts: pings answered, closes echoed, failures
// closed with their code, pings sent and silent clients dropped on time, slow readers cut off.
@testable import HTTP
import XCTest

final class WebSocketEndpointTests: XCTestCase {
    typealias Frames = WebSocketFrameTests

    /// An endpoint with small, distinct limits, its clock, and a transcript of what it asked for.
    struct Scenario {
        var endpoint: WebSocketEndpoint
        var now: UInt64 = 1_000
        var unsent = 0

        init(limits: WebSocketLimits = Scenario.limits) {
            endpoint = WebSocketEndpoint(limits: limits, now: now)
        }

        static var limits: WebSocketLimits {
            var limits = WebSocketLimits()
            limits.maxMessageBytes = 64
            limits.pingIntervalMilliseconds = 30_000
            limits.idleTimeoutMilliseconds = 75_000
            limits.maxUnsentBytes = 1_000
            limits.closeTimeoutMilliseconds = 5_000
            return limits
        }

        mutating func receive(_ bytes: [UInt8]) -> [String] {
            var actions: [WebSocketAction] = []
            bytes.withUnsafeBytes { endpoint.received($0, now: now, unsentBytes: unsent, into: &actions) }
            return actions.map(Self.render)
        }

        mutating func send(_ text: String) -> [String] {
            var actions: [WebSocketAction] = []
            endpoint.send(text: Array(text.utf8), now: now, unsentBytes: unsent, into: &actions)
            return actions.map(Self.render)
        }

        mutating func advance(to milliseconds: UInt64) -> [String] {
            now = milliseconds
            var actions: [WebSocketAction] = []
            endpoint.tick(now: now, unsentBytes: unsent, into: &actions)
            return actions.map(Self.render)
        }

        mutating func goAway() -> [String] {
            var actions: [WebSocketAction] = []
            endpoint.goAway(now: now, into: &actions)
            return actions.map(Self.render)
        }

        /// "write text hello", "write ping ", "write close 1000 reason", "close after writes", "close now".
        static func render(_ action: WebSocketAction) -> String {
            switch action {
            case .write(let bytes): "write " + renderServerFrame(bytes)
            case .closeAfterWrites: "close after writes"
            case .closeNow: "close now"
            }
        }

        /// Parses one server frame by masking it as a client would and reusing the parser.
        static func renderServerFrame(_ bytes: [UInt8]) -> String {
            var parser = WebSocketFrameParser(maxMessageBytes: 1 << 20)
            parser.feed(Frames.maskServerFrame(bytes, with: [9, 8, 7, 6]))
            guard let event = parser.next() else { return "incomplete" }
            XCTAssertNil(parser.next(), "one action writes one frame")
            return Frames.render(event)
        }
    }

    func testPingIsAnsweredWithTheSamePayload() {
        var scenario = Scenario()
        XCTAssertEqual(scenario.receive(Frames.frame(0x9, [1, 2, 3])), ["write pong 010203"])
        XCTAssertEqual(scenario.receive(Frames.frame(0x9, []) + Frames.frame(0x9, [7])), ["write pong ", "write pong 07"])
        XCTAssertTrue(scenario.endpoint.isOpen)
    }

    func testMessagesFromTheClientAreIgnoredButBounded() {
        var scenario = Scenario()
        XCTAssertEqual(scenario.receive(Frames.text("hello") + Frames.frame(0x2, [1]) + Frames.frame(0xA, [])), [])
        XCTAssertEqual(scenario.receive(Frames.frame(0x2, [UInt8](repeating: 0, count: 65))),
                       ["write close 1009 message over 64 bytes", "close after writes"])
        XCTAssertFalse(scenario.endpoint.isOpen)
        XCTAssertEqual(scenario.endpoint.endReason, "protocol failure 1009: message over 64 bytes")
    }

    func testClientCloseIsEchoed() {
        var scenario = Scenario()
        XCTAssertEqual(scenario.receive(Frames.close(4001, Array("done".utf8))), ["write close 4001", "close after writes"])
        XCTAssertEqual(scenario.receive(Frames.frame(0x9, [])), [], "nothing after the close")
        XCTAssertEqual(scenario.send("late"), [])
        var bare = Scenario()
        XCTAssertEqual(bare.receive(Frames.frame(0x8, [])), ["write close 1000", "close after writes"])
        XCTAssertEqual(bare.endpoint.endReason, "client closed (no code)")
    }

    func testProtocolFailuresCloseWithTheirCode() {
        let cases: [([UInt8], String)] = [
            (Frames.frame(0x1, Array("x".utf8), mask: nil), "write close 1002 client frames must be masked"),
            (Frames.frame(0x1, [0xFF]), "write close 1007 text message is not UTF-8"),
            (Frames.frame(0x3, []), "write close 1002 unknown opcode 3"),
            (Frames.close(1005), "write close 1002 close code 1005 may not be sent"),
        ]
        for (input, expected) in cases {
            var scenario = Scenario()
            XCTAssertEqual(scenario.receive(input), [expected, "close after writes"])
        }
    }

    func testPushedMessagesGoOutAsTextFrames() {
        var scenario = Scenario()
        XCTAssertEqual(scenario.send("{\"version\":1}"), ["write text {\"version\":1}"])
    }

    func testASlowReaderIsClosedWith1008AndNothingMoreIsQueued() {
        var scenario = Scenario()
        scenario.unsent = 990
        XCTAssertEqual(scenario.send("0123456789"), ["write close 1008 client does not read its messages"])
        XCTAssertFalse(scenario.endpoint.isOpen)
        XCTAssertEqual(scenario.send("more"), [])
        XCTAssertEqual(scenario.receive(Frames.frame(0x9, [])), [], "no pong after our close")
        // The client answers our close: the handshake is over.
        XCTAssertEqual(scenario.receive(Frames.close(1008)), ["close after writes"])
    }

    func testPongsCountAgainstTheUnsentLimit() {
        var scenario = Scenario()
        scenario.unsent = 1_000 - 2 * 7
        // Each pong of 5 bytes payload is 7 bytes: two fit, the third closes.
        let ping = Frames.frame(0x9, [1, 2, 3, 4, 5])
        XCTAssertEqual(scenario.receive(ping + ping + ping), [
            "write pong 0102030405", "write pong 0102030405", "write close 1008 client does not read its messages",
        ])
    }

    func testPingsEveryIntervalAndSilentClientsAreDropped() {
        var scenario = Scenario()
        XCTAssertEqual(scenario.advance(to: 30_999), [])
        XCTAssertEqual(scenario.advance(to: 31_000), ["write ping "])
        XCTAssertEqual(scenario.advance(to: 31_500), [])
        XCTAssertEqual(scenario.advance(to: 61_000), ["write ping "])
        XCTAssertEqual(scenario.advance(to: 75_999), [])
        XCTAssertEqual(scenario.advance(to: 76_000), ["close now"])
        XCTAssertTrue(scenario.endpoint.isClosed)
        XCTAssertEqual(scenario.endpoint.endReason, "client silent for 75000ms")
        XCTAssertEqual(scenario.advance(to: 200_000), [])
    }

    func testAnyBytesKeepTheClientAlive() {
        var scenario = Scenario()
        scenario.now = 70_000
        // Half a frame is still a sign of life.
        XCTAssertEqual(scenario.receive(Array(Frames.frame(0xA, []).prefix(3))), [])
        XCTAssertEqual(scenario.advance(to: 144_999).filter { $0 != "write ping " }, [])
        XCTAssertEqual(scenario.advance(to: 145_000), ["close now"])
    }

    func testGoingAwayWaitsForTheClientsCloseThenTimesOut() {
        var limits = Scenario.limits
        limits.pingIntervalMilliseconds = 1_000
        limits.idleTimeoutMilliseconds = 3_000
        var answered = Scenario(limits: limits)
        XCTAssertEqual(answered.goAway(), ["write close 1001 server shutting down"])
        XCTAssertEqual(answered.goAway(), [])
        XCTAssertEqual(answered.advance(to: 5_999), [], "neither pings nor the idle timeout while closing")
        var closing = Scenario()
        _ = closing.goAway()
        XCTAssertEqual(closing.receive(Frames.close(1001)), ["close after writes"])
        XCTAssertEqual(closing.advance(to: 5_999), [])
        XCTAssertEqual(closing.advance(to: 6_000), ["close now"], "the last writes may take the close timeout, no longer")
        var silent = Scenario()
        _ = silent.goAway()
        XCTAssertEqual(silent.advance(to: 5_999), [])
        XCTAssertEqual(silent.advance(to: 6_000), ["close now"])
    }

    func testFailureWhileClosingSendsNoSecondClose() {
        var scenario = Scenario()
        _ = scenario.goAway()
        XCTAssertEqual(scenario.receive(Frames.frame(0x1, [], mask: nil)), ["close after writes"])
    }
}
