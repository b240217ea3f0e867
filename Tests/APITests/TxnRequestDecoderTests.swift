// Proves what the txn decoder refuses on its own, before any body-size limit: oversized values
// (413), bad check statuses, durations as nanoseconds, and keys in any letter case.
@testable import API
import HTTP
import Registry
import XCTest

final class TxnRequestDecoderTests: XCTestCase {
    func testAValueOverTheKVLimitIs413() {
        let value = Base64.encode([UInt8](repeating: 1, count: RegistryLimits.maxKVValueBytes + 1))
        let body = Array(#"[{"KV":{"Verb":"set","Key":"big","Value":"\#(value)"}}]"#.utf8)
        XCTAssertThrowsError(try TxnRequestDecoder.decode(body)) { error in
            XCTAssertEqual(error as? APIError, APIError(.payloadTooLarge, #"Value for key "big" is too large (524289 > 524288 bytes)"#))
        }
    }

    func testCheckStatusAndDurations() throws {
        let bad = Array(#"[{"Check":{"Verb":"set","Check":{"Node":"n","CheckID":"c","Name":"c","Status":"sleepy"}}}]"#.utf8)
        XCTAssertThrowsError(try TxnRequestDecoder.decode(bad)) { error in
            XCTAssertEqual(error as? APIError, .badRequest("Invalid transaction operation 0: Bad check status"))
        }
        let good = Array(#"[{"Check":{"Verb":"set","Check":{"Node":"n","CheckID":"c","Name":"c","Definition":{"TCP":"a:1","Interval":2000000000}}}}]"#.utf8)
        guard case .check(let op)? = try TxnRequestDecoder.decode(good).first else { return XCTFail("not a check operation") }
        XCTAssertEqual(op.check.status, .critical, "no status is Consul's initial critical")
        XCTAssertEqual(op.check.definition.intervalNanoseconds, 2_000_000_000)
        XCTAssertEqual(op.check.definition.tcp, "a:1")
    }

    func testKVOperationFieldsAreDecodedCaseInsensitively() throws {
        let body = Array(#"[{"kv":{"VERB":"lock","KEY":"k","value":"dg==","FLAGS":3,"index":9,"session":"s"}}]"#.utf8)
        guard case .kv(let op)? = try TxnRequestDecoder.decode(body).first else { return XCTFail("not a KV operation") }
        XCTAssertEqual(op, TxnKVOperation(verb: .lock, entry: KVEntry(key: "k", flags: 3, value: Array("v".utf8)), index: 9, session: "s"))
    }
}
