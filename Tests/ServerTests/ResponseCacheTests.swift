// Proves the node's read cache: a repeated read is served from memory, a write drops exactly the
// answers it may change, and blocking queries are never cached.
import HTTP
@testable import Server
import XCTest

final class ResponseCacheTests: XCTestCase {
    func register(_ harness: inout NodeHarness, _ id: String, _ name: String) throws {
        let (_, response) = try harness.send("PUT", "/v1/agent/service/register", body: #"{"ID":"\#(id)","Name":"\#(name)","Port":80}"#)
        XCTAssertEqual(response?.status, .ok, response?.text ?? "no answer")
    }

    func testRepeatedReadsComeFromTheCacheUntilAWriteChangesThem() throws {
        var harness = try NodeHarness()
        try register(&harness, "web-1", "web")
        let first = try harness.send("GET", "/v1/catalog/service/web").1
        XCTAssertEqual(harness.node.cache.count, 1)
        let second = try harness.send("GET", "/v1/catalog/service/web").1
        XCTAssertEqual(first?.body, second?.body)
        XCTAssertEqual(first?.headers["X-Consul-Index"], second?.headers["X-Consul-Index"])

        try register(&harness, "db-1", "db")
        XCTAssertEqual(harness.node.cache.count, 1, "a write to another service keeps web's answer")
        try register(&harness, "web-2", "web")
        XCTAssertEqual(harness.node.cache.count, 0, "a write to web drops it")
        let third = try harness.send("GET", "/v1/catalog/service/web").1
        XCTAssertTrue(third?.text.contains("web-2") == true)
    }

    func testKVPrefixReadsAreDroppedByWritesUnderThePrefix() throws {
        var harness = try NodeHarness()
        _ = try harness.send("PUT", "/v1/kv/app/a", body: "1")
        _ = try harness.send("GET", "/v1/kv/app/?recurse")
        XCTAssertEqual(harness.node.cache.count, 1)
        _ = try harness.send("PUT", "/v1/kv/other", body: "x")
        XCTAssertEqual(harness.node.cache.count, 1)
        _ = try harness.send("PUT", "/v1/kv/app/b", body: "2")
        XCTAssertEqual(harness.node.cache.count, 0)
        let keys = try harness.send("GET", "/v1/kv/app/?keys").1
        XCTAssertEqual(keys?.text, #"["app/a","app/b"]"#)
    }

    func testBlockingQueriesAreNotCached() throws {
        var harness = try NodeHarness()
        try register(&harness, "web-1", "web")
        _ = try harness.send("GET", "/v1/catalog/service/web?index=1&wait=1s")
        XCTAssertEqual(harness.node.cache.count, 0)
    }
}
