// Proves ServerNode's input/output contract: requests answered by ID and listener, the node's
// own catalog registration through the log, and determinism (same inputs, same output bytes).
import API
import HTTP
import Registry
import Server
import XCTest

final class ServerNodeTests: XCTestCase {
    func testRequestsAreAnsweredByIDAndListener() throws {
        var harness = try NodeHarness()
        let (_, leader) = try harness.send("GET", "/v1/status/leader")
        XCTAssertEqual(leader?.text, "\"127.0.0.1:8300\"")
        let (_, ready) = try harness.send("GET", "/health/ready", listener: .discovery)
        XCTAssertEqual(ready?.text, "{\"status\":\"ready\",\"leader\":\"127.0.0.1:8300\"}")
    }

    func testConsulPathsAreNotServedOnTheDiscoveryListener() throws {
        var harness = try NodeHarness()
        let (_, response) = try harness.send("GET", "/v1/status/leader", listener: .discovery)
        XCTAssertEqual(response?.status, .notFound)
    }

    func testTheServerRegistersItselfThroughTheLog() throws {
        let harness = try NodeHarness()
        let nodes = try harness.store.nodes()
        XCTAssertEqual(nodes.value.map(\.value.name), ["n1"])
        XCTAssertGreaterThanOrEqual(nodes.index, 1)
        let services = try harness.store.services().value.map(\.name)
        XCTAssertEqual(services, ["consul"])
    }

    func testSameInputsGiveSameBytes() throws {
        func run() throws -> [[UInt8]] {
            var harness = try NodeHarness(seed: 42)
            var bodies: [[UInt8]] = []
            for target in ["/v1/agent/self", "/v1/status/peers?pretty"] {
                bodies.append(try harness.send("GET", target).1?.body ?? [])
            }
            return bodies
        }
        XCTAssertEqual(try run(), try run())
    }
}
