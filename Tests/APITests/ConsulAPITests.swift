// Proves the Consul status and agent/self handlers and Consul's routing rules without sockets.
import API
import HTTP
import Registry
import Foundation
import XCTest

func makeView(leader: String? = "10.0.0.1:8300") throws -> NodeView {
    var view = NodeView(
        identity: try AgentIdentity(nodeName: "node-a", nodeID: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", datacenter: "dc1"),
        version: "0.1.0", consulCompatibleVersion: "1.20.0", isServer: true,
        serverAddress: "10.0.0.1:8300", leaderAddress: leader, peers: ["10.0.0.1:8300"],
        raftState: leader == nil ? "Candidate" : "Leader", lastContactMilliseconds: 0, isCaughtUp: leader != nil,
        ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761))
    view.servers = [NodeView.RaftServer(id: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", node: "node-a", address: "10.0.0.1:8300",
                                        leader: leader == "10.0.0.1:8300", voter: true)]
    return view
}

func request(_ method: String, _ target: String, body: String = "") throws -> HTTPRequest {
    try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")]), body: Array(body.utf8))
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

extension ConsulAPI {
    /// The response of a handler that answers at once (these tests write nothing and do not block).
    func respond(_ request: HTTPRequest, node: NodeView) throws -> HTTPResponse {
        guard let response = handle(request, environment: try makeEnvironment(node)).immediateResponse else {
            throw NSError(domain: "expected an immediate response", code: 1)
        }
        return response
    }
}

final class ConsulAPITests: XCTestCase {
    let api = ConsulAPI()

    func testStatusLeader() throws {
        let response = try api.respond(try request("GET", "/v1/status/leader"), node: try makeView())
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.text, "\"10.0.0.1:8300\"")
        XCTAssertEqual(response.headers["Content-Type"], "application/json")
        XCTAssertEqual(response.headers["X-Consul-Default-ACL-Policy"], "allow")
    }

    func testStatusLeaderIsEmptyStringWithoutLeader() throws {
        let response = try api.respond(try request("GET", "/v1/status/leader"), node: try makeView(leader: nil))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.text, "\"\"")
    }

    func testStatusPeersAndPretty() throws {
        XCTAssertEqual(try api.respond(try request("GET", "/v1/status/peers"), node: try makeView()).text, "[\"10.0.0.1:8300\"]")
        XCTAssertEqual(try api.respond(try request("GET", "/v1/status/peers?pretty"), node: try makeView()).text, "[\n    \"10.0.0.1:8300\"\n]\n")
    }

    func testAgentSelfLeaderAddressMatchesStatusLeader() throws {
        let response = try api.respond(try request("GET", "/v1/agent/self"), node: try makeView())
        XCTAssertEqual(response.status, .ok)
        let text = response.text
        XCTAssertTrue(text.contains("\"NodeName\":\"node-a\""))
        XCTAssertTrue(text.contains("\"leader_addr\":\"10.0.0.1:8300\""))
        XCTAssertTrue(text.contains("\"Datacenter\":\"dc1\""))
        XCTAssertTrue(text.hasPrefix("{\"Config\":{"))
    }

    func testUnknownPathIsConsuls404() throws {
        let response = try api.respond(try request("GET", "/v1/nothing/here"), node: try makeView())
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.text, "Invalid URL path: not a recognized HTTP API endpoint")
    }

    func testWrongMethodIs405WithAllowAndOptionsIs200() throws {
        let refused = try api.respond(try request("DELETE", "/v1/status/leader"), node: try makeView())
        XCTAssertEqual(refused.status, .methodNotAllowed)
        XCTAssertEqual(refused.headers["Allow"], "OPTIONS,GET")
        XCTAssertEqual(refused.text, "method DELETE not allowed")
        let options = try api.respond(try request("OPTIONS", "/v1/status/leader"), node: try makeView())
        XCTAssertEqual(options.status, .ok)
        XCTAssertEqual(options.headers["Allow"], "OPTIONS,GET")
        XCTAssertTrue(options.body.isEmpty)
    }

    func testOtherDatacenterHasNoPathYet() throws {
        let response = try api.respond(try request("GET", "/v1/status/leader?dc=dc2"), node: try makeView())
        XCTAssertEqual(response.status, .internalServerError)
        XCTAssertEqual(response.text, "No path to datacenter")
        XCTAssertEqual(try api.respond(try request("GET", "/v1/status/leader?dc=dc1"), node: try makeView()).status, .ok)
    }

    func testEnterpriseOnlyParametersAre400() throws {
        let ns = try api.respond(try request("GET", "/v1/status/leader?ns=team"), node: try makeView())
        XCTAssertEqual(ns.status, .badRequest)
        XCTAssertEqual(ns.text, "Invalid query parameter: \"ns\" - Namespaces are a Consul Enterprise feature")
        XCTAssertEqual(try api.respond(try request("GET", "/v1/status/leader?ns=default"), node: try makeView()).status, .ok)
        XCTAssertEqual(try api.respond(try request("GET", "/v1/status/leader?partition=p1"), node: try makeView()).status, .badRequest)
    }

    func testStaleWithConsistentConflicts() throws {
        let response = try api.respond(try request("GET", "/v1/status/leader?stale&consistent"), node: try makeView())
        XCTAssertEqual(response.status, .badRequest)
        XCTAssertEqual(response.text, "Cannot specify ?stale with ?consistent, conflicting semantics.")
    }
}

final class DiscoveryAPITests: XCTestCase {
    let api = DiscoveryAPI()

    func testHealthAndReady() throws {
        XCTAssertEqual(try api.respond(try request("GET", "/health"), node: try makeView()).status, .ok)
        let ready = try api.respond(try request("GET", "/health/ready"), node: try makeView())
        XCTAssertEqual(ready.status, .ok)
        XCTAssertEqual(ready.text, "{\"status\":\"ready\",\"leader\":\"10.0.0.1:8300\"}")
    }

    func testNotReadyWithoutLeader() throws {
        let response = try api.respond(try request("GET", "/health/ready"), node: try makeView(leader: nil))
        XCTAssertEqual(response.status, .serviceUnavailable)
        XCTAssertEqual(response.text, "{\"status\":\"not_ready\",\"reason\":\"no known leader\"}")
    }

    func testUnknownPathUsesTheEnvelope() throws {
        let response = try api.respond(try request("GET", "/api/v1/nope"), node: try makeView())
        XCTAssertEqual(response.status, .notFound)
        XCTAssertEqual(response.text, #"{"success":false,"error":{"code":"not_found","message":"no such endpoint: GET /api/v1/nope","details":null}}"#)
    }

    func testWrongMethodNamesTheAllowedOnes() throws {
        let response = try api.respond(try request("PATCH", "/api/v1/register"), node: try makeView())
        XCTAssertEqual(response.status, .methodNotAllowed)
        XCTAssertEqual(response.headers["Allow"], "POST")
        XCTAssertTrue(response.text.contains(#""code":"method_not_allowed""#))
    }
}

extension DiscoveryAPI {
    func respond(_ request: HTTPRequest, node: NodeView) throws -> HTTPResponse {
        guard let response = handle(request, environment: try makeEnvironment(node)).immediateResponse else {
            throw XCTSkip("not an immediate answer")
        }
        return response
    }
}
