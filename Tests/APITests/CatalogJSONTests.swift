// Proves the catalog renderers write Consul's shapes: key order, optional keys only when set,
// durations as Go strings, maps sorted by bytes, the datacenter default, and a stable
// ContentHash.
@testable import API
import Registry
import Store
import XCTest

final class CatalogJSONTests: XCTestCase {
    func indexed<T>(_ value: T) -> Indexed<T> { Indexed(value: value, createIndex: 3, modifyIndex: 7) }

    func testNodeFallsBackToTheAgentsDatacenterAndShowsNullTaggedAddresses() {
        let json = CatalogJSON.node(indexed(Node(name: "a", address: "10.0.0.1", meta: ["b": "2", "a": "1"])), datacenter: "dc9")
        XCTAssertEqual(json, .object([
            ("ID", ""), ("Node", "a"), ("Address", "10.0.0.1"), ("Datacenter", "dc9"), ("TaggedAddresses", .null),
            ("Meta", .object([("a", "1"), ("b", "2")])), ("CreateIndex", 3), ("ModifyIndex", 7),
        ]))
    }

    func testAgentServiceAddsKindAndTaggedAddressesOnlyWhenSet() {
        var service = Service(id: "p", name: "proxy", kind: "connect-proxy")
        service.taggedAddresses = ["wan": ServiceAddress(address: "1.1.1.1", port: 9), "lan": ServiceAddress(address: "10.0.0.1", port: 8)]
        let json = CatalogJSON.agentService(service, datacenter: "dc1")
        XCTAssertEqual(json["Kind"], "connect-proxy")
        XCTAssertEqual(json["TaggedAddresses"], .object([
            ("lan", .object([("Address", "10.0.0.1"), ("Port", 8)])), ("wan", .object([("Address", "1.1.1.1"), ("Port", 9)])),
        ]))
        guard case .object(let members) = json else { return XCTFail() }
        XCTAssertEqual(members.map(\.0), ["Kind", "ID", "Service", "Tags", "Meta", "Port", "Address", "TaggedAddresses", "Weights",
                                          "EnableTagOverride", "Datacenter"])
    }

    func testDefinitionWritesGoDurationsAndOptionalFields() {
        var definition = CheckDefinition(http: "http://a/", header: ["X": ["1"]], intervalNanoseconds: 90_000_000_000)
        var json = CatalogJSON.definition(definition)
        XCTAssertEqual(json["Interval"], "1m30s")
        XCTAssertEqual(json["Timeout"], "0s")
        XCTAssertEqual(json["DeregisterCriticalServiceAfter"], "0s")
        XCTAssertEqual(json["Header"], .object([("X", .array(["1"]))]))
        XCTAssertNil(json["TTL"])
        XCTAssertNil(json["ScriptArgs"])
        definition.args = ["/bin/true"]
        definition.ttlNanoseconds = 100_000_000
        json = CatalogJSON.definition(definition)
        XCTAssertEqual(json["ScriptArgs"], .array(["/bin/true"]))
        XCTAssertEqual(json["TTL"], "100ms")
    }

    func testHealthCheckShowsIndexesExceptInTheAgentView() {
        let check = indexed(Check(node: "n", checkID: "c", name: "c", definition: CheckDefinition(ttlNanoseconds: 10_000_000_000)))
        XCTAssertEqual(CatalogJSON.healthCheck(check)["ModifyIndex"], .int(7))
        XCTAssertEqual(CatalogJSON.healthCheck(check, agentView: true)["ModifyIndex"], .int(0))
        XCTAssertEqual(CatalogJSON.healthCheck(check)["Type"], "ttl")
        XCTAssertEqual(CatalogJSON.healthCheck(check)["Interval"], "", "no interval was given")
    }

    func testServiceNodeUsesTheServicesIndexes() {
        let instance = ServiceInstance(node: Indexed(value: Node(name: "n", address: "a"), createIndex: 1, modifyIndex: 1),
                                       service: indexed(Service(id: "s", name: "s")))
        let json = CatalogJSON.serviceNode(instance, datacenter: "dc1")
        XCTAssertEqual(json["CreateIndex"], .int(3))
        XCTAssertEqual(json["ModifyIndex"], .int(7))
        XCTAssertEqual(json["ServiceTags"], .array([]))
        XCTAssertNil(json["ServiceTaggedAddresses"])
    }

    func testKeyedAndTagsByName() {
        let items: [JSON] = [.object([("ID", "b")]), .object([("ID", "a")])]
        XCTAssertEqual(keys(CatalogJSON.keyed(items, by: "ID")), ["b", "a"], "item order is kept")
        let nodes: [JSON] = [
            .object([("ServiceName", "web"), ("ServiceTags", .array(["z", "a"]))]),
            .object([("ServiceName", "db"), ("ServiceTags", .array([]))]),
            .object([("ServiceName", "web"), ("ServiceTags", .array(["a", "m"]))]),
        ]
        XCTAssertEqual(CatalogEndpoint.tagsByName(nodes), .object([("db", .array([])), ("web", .array(["a", "m", "z"]))]))
    }

    func testContentHashIsStableAndSensitive() {
        let a = CatalogJSON.agentService(Service(id: "w", name: "w", meta: ["x": "1", "y": "2"]), datacenter: "dc1")
        let b = CatalogJSON.agentService(Service(id: "w", name: "w", meta: ["y": "2", "x": "1"]), datacenter: "dc1")
        XCTAssertEqual(AgentServiceEndpoint.contentHash(a), AgentServiceEndpoint.contentHash(b))
        let c = CatalogJSON.agentService(Service(id: "w", name: "w", port: 1), datacenter: "dc1")
        XCTAssertNotEqual(AgentServiceEndpoint.contentHash(a), AgentServiceEndpoint.contentHash(c))
    }

    func keys(_ json: JSON) -> [String] {
        guard case .object(let members) = json else { return [] }
        return members.map(\.0)
    }
}
