// Proves node and registration validation: lenient node names, optional UUID IDs, node meta, Consul's address rule, check ownership.
import Registry
import XCTest

final class NodeAndRegistrationValidationTests: XCTestCase {
    let node = Node(name: "node-1", address: "10.0.0.1")

    func testNodeNamesAreLenient() throws {
        for name in ["node-1", "Node_1.example", "ノード", "with space", "a/b"] {
            XCTAssertNoThrow(try Node(name: name, address: "a").validate(), name)
        }
        assertRefused("Missing node name", field: "Node") { try Node(name: "", address: "a").validate() }
        assertRefused("Invalid node name \"bad\\nname\": control characters are not allowed") {
            try Node(name: "bad\nname", address: "a").validate()
        }
        assertRefused("Invalid node name \"x\\u{7F}\": control characters are not allowed") {
            try Node(name: "x\u{7f}", address: "a").validate()
        }
    }

    func testNodeIDIsOptionalButMustBeAUUID() throws {
        try Node(id: "", name: "n", address: "a").validate()
        try Node(id: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", name: "n", address: "a").validate()
        try Node(id: "0B9C1B6E-2D6F-4A1E-9C3E-5F7A8B9C0D1E", name: "n", address: "a").validate()
        assertRefused("Bad node ID: \"nope\" is not a UUID", field: "ID") { try Node(id: "nope", name: "n", address: "a").validate() }
    }

    func testNodeMetaFollowsTheMetaRules() {
        let node = Node(name: "n", address: "a", meta: ["consul-version": "1.20"])
        assertRefused("Invalid Node Meta: Couldn't load metadata pair ('consul-version', '1.20'): Key prefix 'consul-' is reserved for internal use",
                      field: "NodeMeta") { try node.validate() }
    }

    func testCatalogRegistrationNeedsAnAddressUnlessSkippingNodeUpdate() throws {
        let addressless = Node(name: "n", address: "")
        assertRefused("Must provide address if SkipNodeUpdate is not set", field: "Address") {
            try CatalogRegistration(node: addressless).validate()
        }
        try CatalogRegistration(node: addressless, skipNodeUpdate: true).validate()
    }

    func testCatalogRegistrationChecksServiceAndChecks() throws {
        let service = Service(id: "web-1", name: "web", port: 80)
        let check = Check(node: "node-1", checkID: "c", name: "c", serviceID: "web-1", definition: CheckDefinition(http: "no interval"))
        try CatalogRegistration(node: node, service: service, checks: [check]).validate()
        assertRefused("Missing service name") {
            try CatalogRegistration(node: node, service: Service(id: "x", name: ""), checks: []).validate()
        }
        var stranger = check
        stranger.node = "node-2"
        assertRefused("Check node \"node-2\" does not match node \"node-1\"", field: "Check.Node") {
            try CatalogRegistration(node: node, checks: [stranger]).validate()
        }
        var unnamed = check
        unnamed.name = ""
        assertRefused("Missing check name") { try CatalogRegistration(node: node, checks: [unnamed]).validate() }
    }

    func testServiceRegistrationChecksDefinitionsAndOwnership() throws {
        let service = Service(id: "web-1", name: "web", port: 80)
        let ttl = CheckDefinition(ttlNanoseconds: 10_000_000_000)
        let check = Check(node: "node-1", checkID: "service:web-1", name: "Service 'web' check", serviceID: "web-1", definition: ttl)
        try ServiceRegistration(node: "node-1", service: service, checks: [check]).validate()
        var noTTL = check
        noTTL.definition = CheckDefinition()
        assertRefused("Invalid check: TTL must be > 0 for TTL checks") {
            try ServiceRegistration(node: "node-1", service: service, checks: [noTTL]).validate()
        }
        var other = check
        other.serviceID = "web-2"
        assertRefused("Check \"service:web-1\" does not belong to service \"web-1\" on node \"node-1\"") {
            try ServiceRegistration(node: "node-1", service: service, checks: [other]).validate()
        }
        assertRefused("Missing node name") { try ServiceRegistration(node: "", service: service).validate() }
    }
}
