// Proves the queries return what the Consul endpoints show, in Consul's orders: nodes by name, instances by node then ID, tags sorted and unique, health entries with node-level checks, cut key lists.
import Registry
@testable import Store
import XCTest

final class QueryTests: StateTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        accept(Fixture.register(
            Fixture.node("n2"), service: Fixture.service("web-b", name: "web", tags: ["blue", "v1"]),
            checks: [Fixture.ttlCheck("web-b-check", node: "n2", serviceID: "web-b", status: .warning)]))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web-a", name: "web", tags: ["v1", "green", "v1"])))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("db"), checks: [Fixture.ttlCheck("db-check", node: "n1", serviceID: "db")]))
        accept(Fixture.register(Fixture.node("n1"), checks: [Fixture.ttlCheck("serfHealth", node: "n1")]))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web-0", name: "web")))
    }

    func testNodesAndNodeServicesAreOrdered() throws {
        XCTAssertEqual(try store.nodes().value.map(\.value.name), ["n1", "n2"])
        XCTAssertEqual(try store.node(named: "n1").value?.services.map(\.value.id), ["db", "web-0", "web-a"])
        XCTAssertNil(try store.node(named: "nope").value)
        XCTAssertEqual(try store.agentServices(onNode: "n1").value.map(\.value.id), ["db", "web-0", "web-a"])
    }

    /// A node's distinct service names in byte order (from `ServiceNameIndex`): what a
    /// node-level change touches.
    func testANodesServiceNamesAreDistinctAndOrdered() throws {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("api-1", name: "api")))
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("Zeta")))
        let read = store.read
        XCTAssertEqual(read.serviceNames(onNode: "n1"), ["Zeta", "api", "db", "web"])
        XCTAssertEqual(read.serviceNames(onNode: "n2"), ["web"])
        XCTAssertEqual(read.serviceNames(onNode: "nope"), [])
    }

    func testServicesListTheUnionOfTagsSortedAndUnique() throws {
        XCTAssertEqual(try store.services().value, [
            ServiceTags(name: "db", tags: []),
            ServiceTags(name: "web", tags: ["blue", "green", "v1"]),
        ])
    }

    func testInstancesAreOrderedByNodeThenServiceID() throws {
        let instances = try store.serviceInstances(named: "web").value
        XCTAssertEqual(instances.map { "\($0.node.value.name)/\($0.service.value.id)" }, ["n1/web-0", "n1/web-a", "n2/web-b"])
        XCTAssertEqual(instances[0].service.value.tags, [], "an instance keeps its own tags")
        XCTAssertEqual(instances[1].service.value.tags, ["v1", "green", "v1"], "in the client's order, duplicates kept")
    }

    func testHealthEntriesCarryNodeChecksAndTheirOwnChecksOnly() throws {
        let entries = try store.healthServiceEntries(named: "web").value
        XCTAssertEqual(entries.map { $0.checks.map(\.value.checkID) }, [["serfHealth"], ["serfHealth"], ["web-b-check"]])
        XCTAssertEqual(try store.healthServiceEntries(named: "db").value.first?.checks.map(\.value.checkID), ["db-check", "serfHealth"])
    }

    func testChecksByServiceNodeAndState() throws {
        XCTAssertEqual(try store.checks(ofService: "web").value.map(\.value.checkID), ["web-b-check"])
        XCTAssertEqual(try store.checks(onNode: "n1").value.map(\.value.checkID), ["db-check", "serfHealth"])
        XCTAssertEqual(try store.checks(inState: .warning).value.map(\.value.checkID), ["web-b-check"])
        XCTAssertEqual(try store.checks(inState: nil).value.map(\.value.checkID), ["db-check", "serfHealth", "web-b-check"])
    }

    func testKeysCutAfterTheSeparatorFollowingThePrefix() throws {
        for key in ["base/base/foo", "base/foo", "base/bar/1", "base/bar/2", "other"] { accept(Fixture.set(key, "x")) }
        XCTAssertEqual(try store.kvKeys(prefix: "base/", separator: "/").value, ["base/bar/", "base/base/", "base/foo"])
        XCTAssertEqual(try store.kvKeys(prefix: "", separator: "/").value, ["base/", "other"])
        XCTAssertEqual(try store.kvKeys(prefix: "base/b").value, ["base/bar/1", "base/bar/2", "base/base/foo"])
        XCTAssertEqual(try store.kvEntries(prefix: "base/bar/").value.map(\.value.key), ["base/bar/1", "base/bar/2"])
    }

    func testSessionsByNodeAndID() throws {
        accept(.sessionCreate(Fixture.session("b", node: "n1"), nowMilliseconds: 0))
        accept(.sessionCreate(Fixture.session("a", node: "n2"), nowMilliseconds: 0))
        XCTAssertEqual(try store.sessions().value.map(\.value.id), ["a", "b"])
        XCTAssertEqual(try store.sessions(onNode: "n1").value.map(\.value.id), ["b"])
        XCTAssertNil(try store.session(id: "zz").value)
    }
}
