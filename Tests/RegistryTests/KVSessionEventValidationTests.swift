// Proves KV key, session and event validation: `Missing key name`, key limits, Consul's session TTL and behavior texts, lock delay bounds.
import Registry
import XCTest

final class KVSessionEventValidationTests: XCTestCase {
    static let second: Int64 = 1_000_000_000

    func testKVKeys() throws {
        for key in ["a", "a/b/c", "a/", "con..fig", "..hidden", "foo bar", "ç/%2F/日本", String(repeating: "k", count: 1_024)] {
            XCTAssertNoThrow(try KVEntry.validateKey(key), key)
        }
        assertRefused("Missing key name", field: "Key") { try KVEntry.validateKey("") }
        assertRefused("Invalid key: 1025 bytes long, the limit is 1024") { try KVEntry.validateKey(String(repeating: "k", count: 1_025)) }
        assertRefused("Invalid key: 1026 bytes long, the limit is 1024") { try KVEntry.validateKey(String(repeating: "é", count: 513)) }
        for key in ["..", "../etc/passwd", "a/../b", "a/.."] {
            assertRefused("Invalid key \"\(key)\": path traversal ('..') is not allowed") { try KVEntry.validateKey(key) }
        }
        XCTAssertNoThrow(try KVEntry.validatePrefix(""))
        assertRefused("Invalid key \"a/..\": path traversal ('..') is not allowed") { try KVEntry.validatePrefix("a/..") }
    }

    func testSessionTTLBoundsInConsulsWords() throws {
        for ttl: Int64? in [nil, 0, 10 * Self.second, 86_400 * Self.second] {
            XCTAssertNoThrow(try Session.validateTTL(ttl))
        }
        assertRefused("Invalid Session TTL '5000000000', must be between [10s=24h0m0s]", field: "TTL") {
            try Session.validateTTL(5 * Self.second)
        }
        assertRefused("Invalid Session TTL '86400000000001', must be between [10s=24h0m0s]") {
            try Session.validateTTL(86_400 * Self.second + 1)
        }
        assertRefused("Invalid Session TTL '-10000000000', must be between [10s=24h0m0s]") { try Session.validateTTL(-10 * Self.second) }
        XCTAssertEqual(try Session.parseTTL("15s"), 15 * Self.second)
        XCTAssertEqual(try Session.parseTTL(""), nil)
        assertRefused("Session TTL 'soon' invalid: time: invalid duration \"soon\"") { _ = try Session.parseTTL("soon") }
        assertRefused("Invalid Session TTL '1000000000', must be between [10s=24h0m0s]") { _ = try Session.parseTTL("1s") }
    }

    func testSessionBehavior() throws {
        XCTAssertEqual(try SessionBehavior.parse(""), .release)
        XCTAssertEqual(try SessionBehavior.parse("release"), .release)
        XCTAssertEqual(try SessionBehavior.parse("delete"), .delete)
        assertRefused("Invalid Behavior setting 'Delete'", field: "Behavior") { _ = try SessionBehavior.parse("Delete") }
    }

    func testSessionLockDelayAndNode() throws {
        let session = Session(id: "s", node: "node-1")
        try session.validate()
        XCTAssertEqual(session.lockDelayNanoseconds, 15 * Self.second)
        XCTAssertEqual(session.nodeChecks, ["serfHealth"])
        XCTAssertEqual(session.behavior, .release)
        XCTAssertNil(session.ttlNanoseconds)
        var edge = session
        edge.lockDelayNanoseconds = 0
        try edge.validate()
        edge.lockDelayNanoseconds = 60 * Self.second
        try edge.validate()
        edge.lockDelayNanoseconds = 60 * Self.second + 1
        assertRefused("Invalid LockDelay '1m0.000000001s', must be between [0s=1m0s]", field: "LockDelay") { try edge.validate() }
        edge.lockDelayNanoseconds = -Self.second
        assertRefused("Invalid LockDelay '-1s', must be between [0s=1m0s]") { try edge.validate() }
        var nodeless = session
        nodeless.node = ""
        assertRefused("Missing node name") { try nodeless.validate() }
        var shortTTL = session
        shortTTL.ttlNanoseconds = Self.second
        assertRefused("Invalid Session TTL '1000000000', must be between [10s=24h0m0s]") { try shortTTL.validate() }
    }

    func testUserEvents() throws {
        try UserEvent(id: "e", name: "deploy", serviceFilter: "web", tagFilter: "v1").validate()
        assertRefused("Missing name", field: "Name") { try UserEvent(id: "e", name: "").validate() }
        assertRefused("Invalid event name \"_internal\": names starting with '_' are reserved") {
            try UserEvent(id: "e", name: "_internal").validate()
        }
        assertRefused("Cannot provide tag filter without service filter") { try UserEvent(id: "e", name: "x", tagFilter: "v1").validate() }
    }
}
