// Proves /v1/txn end to end through a node: commits answer Results with Errors null, rollbacks
// answer 409 with Results null and change nothing, every KV verb and the catalog verbs, and
// Consul's 400/413 refusals.
import API
import Foundation
import HTTP
import Registry
import Server
import Store
import XCTest

final class TxnEndpointTests: XCTestCase {
    /// One `{"KV": {...}}` operation.
    private func kv(_ verb: String, _ key: String, value: String? = nil, index: UInt64? = nil, session: String? = nil) -> String {
        var fields = [#""Verb":"\#(verb)""#, #""Key":"\#(key)""#]
        if let value { fields.append(#""Value":"\#(Base64Text.encode(value))""#) }
        if let index { fields.append(#""Index":\#(index)"#) }
        if let session { fields.append(#""Session":"\#(session)""#) }
        return #"{"KV":{\#(fields.joined(separator: ","))}}"#
    }

    private func body(_ operations: [String]) -> String {
        "[" + operations.joined(separator: ",") + "]"
    }

    private func keysAndValues(_ h: NodeHarness) throws -> [String: [UInt8]] {
        var map: [String: [UInt8]] = [:]
        for entry in try h.store.kvEntries(prefix: "").value { map[entry.value.key] = entry.value.value }
        return map
    }

    func testCommitAnswersResultsWithValuesOnlyForReads() throws {
        var h = try NodeHarness()
        let response = try h.must("PUT", "/v1/txn", body: body([kv("set", "a", value: "1"), kv("set", "b", value: "2"), kv("get", "a")]))
        XCTAssertEqual(response.status, .ok, response.text)
        let json = try response.json()
        XCTAssertEqual(json["Errors"], .null)
        let results = json["Results"]?.items ?? []
        XCTAssertEqual(results.compactMap { $0["KV"]?["Key"]?.stringValue }, ["a", "b", "a"])
        XCTAssertEqual(results.map { $0["KV"]?["Value"] }, [.null, .null, .string("MQ==")])
        XCTAssertEqual(try keysAndValues(h), ["a": Array("1".utf8), "b": Array("2".utf8)])
    }

    func testRollbackAnswers409AndChangesNothing() throws {
        var h = try NodeHarness()
        _ = try h.must("PUT", "/v1/kv/keep", body: "kept")
        let before = try h.store.kvEntries(prefix: "")
        let response = try h.must("PUT", "/v1/txn", body: body([
            kv("set", "new", value: "x"), kv("cas", "d", value: "y", index: 999), kv("delete", "keep"), kv("get", "absent"),
        ]))
        XCTAssertEqual(response.status, .conflict)
        XCTAssertEqual(response.text, #"{"Results":null,"Errors":[{"OpIndex":1,"What":"failed to set key \"d\", index is stale"},{"OpIndex":3,"What":"key \"absent\" doesn't exist"}]}"#)
        XCTAssertEqual(try h.store.kvEntries(prefix: "").value, before.value, "a rolled-back transaction writes nothing")
    }

    func testLowercaseKeysAsPythonClientsSendThem() throws {
        var h = try NodeHarness()
        let response = try h.must("PUT", "/v1/txn", body: #"[{"kv":{"verb":"set","key":"lower","value":"eA==","flags":7}}]"#)
        XCTAssertEqual(response.status, .ok, response.text)
        XCTAssertEqual(try response.json()["Results"]?.items.first?["KV"]?["Flags"], .int(7))
        XCTAssertEqual(try h.must("GET", "/v1/kv/lower?raw").text, "x")
    }

    func testLocksAndChecksInsideATransaction() throws {
        var h = try NodeHarness()
        let session = try h.createSession()
        let locked = try h.must("PUT", "/v1/txn", body: body([kv("lock", "l", value: "v", session: session), kv("check-session", "l", session: session)]))
        XCTAssertEqual(locked.status, .ok, locked.text)
        let entry = try XCTUnwrap(locked.json()["Results"]?.items.first?["KV"])
        XCTAssertEqual(entry["Session"], .string(session))
        XCTAssertEqual(entry["LockIndex"], .int(1))
        let modifyIndex = try XCTUnwrap(entry["ModifyIndex"]?.intValue)
        let checks = try h.must("PUT", "/v1/txn", body: body([
            kv("check-index", "l", index: UInt64(modifyIndex)), kv("check-not-exists", "nothing"), kv("unlock", "l", value: "v", session: session),
        ]))
        XCTAssertEqual(checks.status, .ok, checks.text)
        XCTAssertNil(try h.must("GET", "/v1/kv/l").json().items.first?["Session"])
        let mismatch = try h.must("PUT", "/v1/txn", body: body([kv("check-session", "l", session: session)]))
        XCTAssertEqual(mismatch.status, .conflict)
        XCTAssertEqual(try mismatch.json()["Errors"]?.items.first?["What"], .string(#"failed session check for key "l", current session "" != "\#(session)""#))
    }

    func testTreeVerbsAndDeleteCASAndResultsNullWhenNothingIsReturned() throws {
        var h = try NodeHarness()
        for key in ["t/a", "t/b", "u"] { _ = try h.must("PUT", "/v1/kv/\(key)", body: key) }
        let tree = try h.must("PUT", "/v1/txn", body: body([kv("get-tree", "t/")]))
        XCTAssertEqual(try tree.json()["Results"]?.items.compactMap { $0["KV"]?["Value"]?.stringValue }, ["dC9h", "dC9i"])
        let modifyIndex = try XCTUnwrap(h.must("GET", "/v1/kv/u").json().items.first?["ModifyIndex"]?.intValue)
        let deletes = try h.must("PUT", "/v1/txn", body: body([kv("delete-tree", "t/"), kv("delete-cas", "u", index: UInt64(modifyIndex))]))
        XCTAssertEqual(deletes.status, .ok)
        XCTAssertEqual(deletes.text, #"{"Results":null,"Errors":null}"#)
        XCTAssertEqual(try keysAndValues(h), [:])
    }

    func testCatalogOperations() throws {
        var h = try NodeHarness()
        let response = try h.must("PUT", "/v1/txn", body: """
            [{"Node":{"Verb":"set","Node":{"Node":"web1","Address":"10.0.0.5","Meta":{"rack":"r1"}}}},
             {"Service":{"Verb":"set","Node":"web1","Service":{"Service":"web","Tags":["v1"],"Port":80}}},
             {"Check":{"Verb":"set","Check":{"Node":"web1","CheckID":"web-alive","Name":"alive","Status":"passing","ServiceID":"web",
                       "Definition":{"HTTP":"http://10.0.0.5/health","Interval":"10s"}}}},
             {"Service":{"Verb":"get","Node":"web1","Service":{"ID":"web"}}}]
            """)
        XCTAssertEqual(response.status, .ok, response.text)
        let results = try response.json()["Results"]?.items ?? []
        XCTAssertEqual(results.count, 4)
        XCTAssertEqual(results[0]["Node"]?["Datacenter"], .string("dc1"))
        XCTAssertEqual(results[0]["Node"]?["Meta"], .object([("rack", "r1")]))
        XCTAssertEqual(results[1]["Service"]?["ID"], .string("web"), "the ID defaults to the name")
        XCTAssertEqual(results[2]["Check"]?["Definition"]?["HTTP"], .string("http://10.0.0.5/health"))
        XCTAssertEqual(results[2]["Check"]?["Definition"]?["Interval"], .string("10s"))
        XCTAssertEqual(results[2]["Check"]?["Status"], .string("passing"))
        XCTAssertEqual(results[3]["Service"]?["Port"], .int(80))
        XCTAssertEqual(try h.store.serviceInstances(named: "web").value.map(\.node.value.name), ["web1"])
        let missing = try h.must("PUT", "/v1/txn", body: #"[{"Service":{"Verb":"get","Node":"web1","Service":{"ID":"nope"}}}]"#)
        XCTAssertEqual(missing.status, .conflict)
        XCTAssertEqual(try missing.json()["Errors"]?.items.first?["What"], .string(#"service "nope" on node "web1" doesn't exist"#))
    }

    func testRefusalsInConsulsWords() throws {
        var h = try NodeHarness()
        let tooMany = body(Array(repeating: kv("get", "a"), count: 129))
        let cases: [(String, HTTPStatus, String)] = [
            ("", .badRequest, "Failed to parse body: EOF"),
            ("{}", .badRequest, "Failed to parse body: json: cannot unmarshal object into Go value of type api.TxnOps"),
            ("[1]", .badRequest, "Failed to parse body: json: cannot unmarshal number into Go value of type api.TxnOp"),
            ("[{}]", .badRequest, "Failed to parse body: operation 0 has none of KV, Node, Service, Check"),
            (tooMany, .payloadTooLarge, "Transaction contains too many operations (129 > 128)"),
            (body([kv("explode", "a")]), .badRequest, #"Invalid transaction operation 0: unknown KV verb "explode""#),
            (body([kv("set", "")]), .badRequest, "Invalid transaction operation 0: Missing key name"),
            (#"[{"KV":{"Verb":"set","Key":"a","Value":"***"}}]"#, .badRequest, "Failed to parse body: illegal base64 data in KV.Value of operation 0"),
            (#"[{"KV":{"Verb":"set","Key":"a","Flags":"x"}}]"#, .badRequest,
             "Failed to parse body: json: cannot unmarshal string into Go struct field TxnOp.KV.Flags of type uint64"),
            (#"[{"Node":{"Verb":"sideways","Node":{"Node":"x"}}}]"#, .badRequest, #"Invalid transaction operation 0: unknown Node verb "sideways""#),
            (#"[{"Service":{"Verb":"set","Node":"n1","Service":{"Port":1}}}]"#, .badRequest, "Invalid transaction operation 0: Missing service name"),
        ]
        for (text, status, message) in cases {
            let response = try h.must("PUT", "/v1/txn", body: text)
            XCTAssertEqual(response.status, status, String(text.prefix(80)))
            XCTAssertEqual(response.text, message, String(text.prefix(80)))
        }
        let oversized = try h.must("PUT", "/v1/txn", body: String(repeating: " ", count: 512 * 1024 + 1))
        XCTAssertEqual(oversized.status, .payloadTooLarge)
        XCTAssertEqual(oversized.text, "Request body(524289 bytes) too large, max size: 524288 bytes")
        XCTAssertEqual(try keysAndValues(h), [:])
    }
}

/// Base64 of test strings, for request bodies (the API's own encoder is internal).
enum Base64Text {
    static func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }
}
