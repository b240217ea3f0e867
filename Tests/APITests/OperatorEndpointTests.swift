// Proves /v1/operator/raft/configuration: Consul's shape for this single server, its applied
// index as LastIndex, and "No cluster leader" without a leader unless ?stale.
import API
import HTTP
import Registry
import Store
import XCTest

final class OperatorEndpointTests: XCTestCase {
    func testRaftConfigurationDescribesThisServer() throws {
        let store = try temporaryStateStore()
        _ = store.apply(.kv(.set(KVEntry(key: "a"))), at: 7)
        let api = ConsulAPI()
        guard let response = api.handle(try request("GET", "/v1/operator/raft/configuration"),
                                                        environment: try makeEnvironment(try makeView(), store: store)).immediateResponse else {
            return XCTFail("expected an answer")
        }
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.text, """
            {"Servers":[{"ID":"0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e","Node":"node-a","Address":"10.0.0.1:8300",\
            "Leader":true,"Voter":true,"ProtocolVersion":"3","LastIndex":7}],"Index":0}
            """)
    }

    func testWithoutALeaderOnlyStaleAnswers() throws {
        let api = ConsulAPI()
        let refused = try api.respond(try request("GET", "/v1/operator/raft/configuration"), node: try makeView(leader: nil))
        XCTAssertEqual(refused.status, .internalServerError)
        XCTAssertEqual(refused.text, "No cluster leader")
        let stale = try api.respond(try request("GET", "/v1/operator/raft/configuration?stale"), node: try makeView(leader: nil))
        XCTAssertEqual(stale.status, .ok)
        XCTAssertTrue(stale.text.contains("\"Leader\":false"), stale.text)
    }

    func testTransferAndRemoveAreOperationsForTheNode() throws {
        let api = ConsulAPI()
        let environment = try makeEnvironment(try makeView())
        guard case .operate(let transfer, let respond) = api.handle(try request("POST", "/v1/operator/raft/transfer-leader?id=abc"), environment: environment) else {
            return XCTFail("expected an operation")
        }
        XCTAssertEqual(transfer, .transferLeader(id: "abc"))
        XCTAssertEqual(respond(nil).text, #"{"Success":true}"#)
        XCTAssertEqual(respond("cannot").status, .internalServerError)
        guard case .operate(let removal, _) = api.handle(try request("DELETE", "/v1/operator/raft/peer?address=10.0.0.2:8300"), environment: environment) else {
            return XCTFail("expected an operation")
        }
        XCTAssertEqual(removal, .removePeer(id: nil, address: "10.0.0.2:8300"))
        let neither = try api.respond(try request("DELETE", "/v1/operator/raft/peer"), node: try makeView())
        XCTAssertEqual(neither.status, .badRequest)
        XCTAssertTrue(neither.text.hasPrefix("Must specify either ?id"), neither.text)
    }
}
