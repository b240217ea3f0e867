// Proves ServerNode's input/output contract: requests become responses for the same ID, routed by
// listener, and the node is deterministic (same inputs, same output bytes).
import API
import HTTP
import Registry
import Server
import XCTest

final class ServerNodeTests: XCTestCase {
    func makeNode() throws -> ServerNode {
        ServerNode(config: ServerConfig(
            identity: try AgentIdentity(nodeName: "n1", nodeID: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", datacenter: "dc1"),
            version: "0.1.0", consulCompatibleVersion: "1.20.0", serverAddress: "127.0.0.1:8300",
            ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761)))
    }

    func get(_ target: String) throws -> HTTPRequest {
        try HTTPRequest(method: "GET", target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: [])
    }

    func responses(_ node: inout ServerNode, _ inputs: [NodeInput]) -> [(RequestID, HTTPResponse)] {
        var outputs: [NodeOutput] = []
        for input in inputs { node.step(input, into: &outputs) }
        return outputs.map { output in
            switch output {
            case .respond(let id, let response): (id, response)
            }
        }
    }

    func testRequestsAreAnsweredByIDAndListener() throws {
        var node = try makeNode()
        let a = RequestID(connection: 1, sequence: 1)
        let b = RequestID(connection: 2, sequence: 7)
        let out = responses(&node, [
            .tick(nowMilliseconds: 50),
            .request(a, .consul, try get("/v1/status/leader")),
            .request(b, .discovery, try get("/health/ready")),
        ])
        XCTAssertEqual(out.map(\.0), [a, b])
        XCTAssertEqual(String(decoding: out[0].1.body, as: UTF8.self), "\"127.0.0.1:8300\"")
        XCTAssertEqual(out[1].1.status, .ok)
        XCTAssertEqual(String(decoding: out[1].1.body, as: UTF8.self), "{\"status\":\"ready\",\"leader\":\"127.0.0.1:8300\"}")
    }

    func testConsulPathsAreNotServedOnTheDiscoveryListener() throws {
        var node = try makeNode()
        let out = responses(&node, [.request(RequestID(connection: 1, sequence: 1), .discovery, try get("/v1/status/leader"))])
        XCTAssertEqual(out.first?.1.status, .notFound)
    }

    func testSameInputsGiveSameBytes() throws {
        var first = try makeNode()
        var second = try makeNode()
        let inputs: [NodeInput] = [
            .tick(nowMilliseconds: 0),
            .request(RequestID(connection: 1, sequence: 1), .consul, try get("/v1/agent/self")),
            .tick(nowMilliseconds: 100),
            .request(RequestID(connection: 1, sequence: 2), .consul, try get("/v1/status/peers?pretty")),
        ]
        let a = responses(&first, inputs).map { $0.1.body }
        let b = responses(&second, inputs).map { $0.1.body }
        XCTAssertEqual(a, b)
    }
}
