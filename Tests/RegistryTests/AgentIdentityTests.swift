// Proves that node names, node IDs and datacenters are validated with messages naming the field.
import Registry
import XCTest

final class AgentIdentityTests: XCTestCase {
    let goodID = "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e"

    func testValidIdentity() throws {
        let identity = try AgentIdentity(nodeName: "node-1.example", nodeID: goodID, datacenter: "dc1")
        XCTAssertEqual(identity.nodeName, "node-1.example")
        XCTAssertEqual(identity.datacenter, "dc1")
    }

    func testBadDatacenterNamesTheField() {
        for bad in ["", "DC1", "dc 1", "dc/1", String(repeating: "a", count: 65)] {
            XCTAssertThrowsError(try AgentIdentity(nodeName: "n", nodeID: goodID, datacenter: bad)) { error in
                XCTAssertEqual((error as? ValidationError)?.field, "Datacenter", "\(bad)")
                XCTAssertTrue("\(error)".contains("Datacenter"))
            }
        }
    }

    func testBadNodeNames() {
        for bad in ["", "a b", "a/b", "ä", String(repeating: "n", count: 129)] {
            XCTAssertThrowsError(try AgentIdentity(nodeName: bad, nodeID: goodID, datacenter: "dc1")) { error in
                XCTAssertEqual((error as? ValidationError)?.field, "NodeName", "\(bad)")
            }
        }
    }

    func testBadNodeIDs() {
        for bad in ["", "not-a-uuid", goodID.uppercased(), goodID.replacingDash(), goodID + "0"] {
            XCTAssertThrowsError(try AgentIdentity(nodeName: "n", nodeID: bad, datacenter: "dc1")) { error in
                XCTAssertEqual((error as? ValidationError)?.field, "NodeID", "\(bad)")
            }
        }
    }

    func testFormatNodeIDMakesAVersion4UUID() throws {
        let id = AgentIdentity.formatNodeID(randomBytes: Array(repeating: 0xff, count: 16))
        XCTAssertEqual(id, "ffffffff-ffff-4fff-bfff-ffffffffffff")
        XCTAssertNoThrow(try AgentIdentity.validateNodeID(id))
        XCTAssertEqual(AgentIdentity.formatNodeID(randomBytes: Array(0..<16)), "00010203-0405-4607-8809-0a0b0c0d0e0f")
    }
}

private extension String {
    func replacingDash() -> String { String(map { $0 == "-" ? "x" : $0 }) }
}
