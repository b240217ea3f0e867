// Proves that a write the log cannot take (too many waiting for the disk) is a 429 in each API's
// own form: the error envelope on 8761, plain text on the Consul API.
import Foundation
import HTTP
import Registry
import Server
import Store
import TestFolders
import XCTest

final class DiscoveryBackPressureTests: XCTestCase {
    /// A node that lets one write wait for the disk, and whose disk never answers.
    private func stalledNode() throws -> ServerNode {
        let folder = try TestFolders.make("gravity-backpressure")
        var config = ServerConfig(
            identity: try AgentIdentity(nodeName: "n1", nodeID: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", datacenter: "dc1"),
            version: "0.1.0", consulCompatibleVersion: "1.20.0", serverAddress: "127.0.0.1:8300",
            ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761))
        config.maxPendingWrites = 1
        var node = ServerNode(config: config, store: try StateStore(path: folder.appendingPathComponent("state.db").path), boot: .empty, seed: 7)
        var outputs: [NodeOutput] = []
        // The first tick forms a one-server cluster and leads it; nothing becomes durable.
        node.step(.tick(monotonicMilliseconds: 0, wallMilliseconds: 1_700_000_000_000), into: &outputs)
        return node
    }

    private func send(_ node: inout ServerNode, _ sequence: UInt64, _ listener: Listener, _ method: String, _ target: String, _ body: String) throws -> HTTPResponse? {
        let id = RequestID(connection: 1, sequence: sequence)
        let request = try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: Array(body.utf8))
        var outputs: [NodeOutput] = []
        node.step(.request(id, listener, request), into: &outputs)
        for case .respond(id, let response) in outputs { return response }
        return nil
    }

    func testDiscoveryWriteBeyondTheLogIsTheErrorEnvelope() throws {
        var node = try stalledNode()
        let body = #"{"service_name":"web","service_id":"web-1","address":"10.0.0.1","port":8080}"#
        XCTAssertNil(try send(&node, 1, .discovery, "POST", "/api/v1/register", body), "the first write waits for the disk")
        let refused = try XCTUnwrap(try send(&node, 2, .discovery, "POST", "/api/v1/register", body))
        XCTAssertEqual(refused.status, .tooManyRequests)
        XCTAssertEqual(refused.headers["Content-Type"], "application/json")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(refused.body)) as? [String: Any])
        XCTAssertEqual(json["success"] as? Bool, false)
        XCTAssertEqual((json["error"] as? [String: Any])?["code"] as? String, "too_many_requests")
    }

    func testConsulWriteBeyondTheLogStaysPlainText() throws {
        var node = try stalledNode()
        XCTAssertNil(try send(&node, 1, .consul, "PUT", "/v1/kv/a", "1"))
        let refused = try XCTUnwrap(try send(&node, 2, .consul, "PUT", "/v1/kv/b", "2"))
        XCTAssertEqual(refused.status, .tooManyRequests)
        XCTAssertEqual(refused.headers["Content-Type"], "text/plain; charset=utf-8")
    }
}
