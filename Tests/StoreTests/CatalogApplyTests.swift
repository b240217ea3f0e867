// Proves catalog and agent commands register, replace and remove nodes, services and checks as Consul does, with Consul's refusal texts.
import Registry
@testable import Store
import XCTest

final class CatalogApplyTests: StateTestCase {
    func testCatalogRegisterCreatesNodeServiceAndChecksWithIndexes() throws {
        let web = Fixture.service("web-1", name: "web", tags: ["v2", "blue"])
        let check = Fixture.httpCheck("web-http", node: "n1", serviceID: "web-1")
        let outcome = accept(Fixture.register(Fixture.node("n1"), service: web, checks: [check]))
        XCTAssertEqual(outcome.result, .done)

        let node = try XCTUnwrap(store.node(named: "n1").value)
        XCTAssertEqual(node.node.value, Fixture.node("n1"))
        XCTAssertEqual([node.node.createIndex, node.node.modifyIndex], [1, 1])
        XCTAssertEqual(node.services.map(\.value), [web])

        let checks = try store.checks(onNode: "n1").value
        XCTAssertEqual(checks.count, 1)
        XCTAssertEqual(checks[0].value.serviceName, "web", "service checks carry the service's name")
        XCTAssertEqual(checks[0].value.serviceTags, ["v2", "blue"])
        XCTAssertEqual(checks[0].value.definition.header, ["X-A": ["1", "2"], "X-B": ["3"]])
    }

    func testReRegisteringTheSameThingWritesNothing() throws {
        let command = Fixture.register(Fixture.node("n1"), service: Fixture.service("web"), checks: [Fixture.ttlCheck("c", node: "n1")])
        accept(command)
        let before = try dump()
        let again = accept(command)
        XCTAssertEqual(again.touched, [], "an unchanged registration wakes nobody")
        XCTAssertEqual(try dump(), before.replacingOccurrences(of: "\"applied_index\" | 1", with: "\"applied_index\" | 2"))
    }

    func testChangingANodeKeepsItsCreateIndex() throws {
        accept(Fixture.register(Fixture.node("n1")))
        accept(Fixture.register(Fixture.node("n1", address: "10.0.0.9")))
        let node = try XCTUnwrap(store.node(named: "n1").value?.node)
        XCTAssertEqual(node.value.address, "10.0.0.9")
        XCTAssertEqual([node.createIndex, node.modifyIndex], [1, 2])
    }

    func testSkipNodeUpdateKeepsTheStoredNodeButCreatesAMissingOne() throws {
        accept(Fixture.register(Fixture.node("n1", address: "10.0.0.1")))
        accept(.catalogRegister(CatalogRegistration(node: Fixture.node("n1", address: ""), service: Fixture.service("a"), skipNodeUpdate: true)))
        XCTAssertEqual(try store.node(named: "n1").value?.node.value.address, "10.0.0.1")
        XCTAssertEqual(try store.node(named: "n1").value?.services.map(\.value.id), ["a"])

        accept(.catalogRegister(CatalogRegistration(node: Fixture.node("n2", address: "10.0.0.2"), skipNodeUpdate: true)))
        XCTAssertEqual(try store.node(named: "n2").value?.node.value.address, "10.0.0.2")
    }

    func testCatalogCheckForAMissingServiceRefusesTheWholeRegistration() throws {
        let before = try dump()
        let outcome = apply(Fixture.register(Fixture.node("n1"), checks: [Fixture.ttlCheck("c", node: "n1", serviceID: "nope")]))
        XCTAssertEqual(outcome.result, .refused(status: 500, message: "failed inserting check: Missing service registration"))
        XCTAssertEqual(try dump(), before, "not even the node was written")
    }

    func testCatalogDeregisterOfANodeRemovesEverythingOnIt() throws {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web"), checks: [Fixture.ttlCheck("serfHealth", node: "n1")]))
        accept(.sessionCreate(Fixture.session("s1", node: "n1", checks: ["serfHealth"]), nowMilliseconds: 0))
        accept(Fixture.register(Fixture.node("n2"), service: Fixture.service("web")))
        accept(.catalogDeregister(CatalogDeregistration(node: "n1")))

        XCTAssertNil(try store.node(named: "n1").value)
        XCTAssertEqual(try store.nodes().value.map(\.value.name), ["n2"])
        XCTAssertEqual(try store.serviceInstances(named: "web").value.map(\.node.value.name), ["n2"])
        XCTAssertEqual(try store.checks(inState: nil).value, [])
        XCTAssertEqual(try store.sessions().value, [], "the node's sessions are invalidated")
    }

    func testCatalogDeregisterOfAServiceOrACheck() throws {
        accept(Fixture.register(
            Fixture.node("n1"), service: Fixture.service("web"),
            checks: [Fixture.ttlCheck("node-check", node: "n1"), Fixture.ttlCheck("web-check", node: "n1", serviceID: "web")]))
        accept(.catalogDeregister(CatalogDeregistration(node: "n1", checkID: "node-check")))
        XCTAssertEqual(try store.checks(onNode: "n1").value.map(\.value.checkID), ["web-check"])
        accept(.catalogDeregister(CatalogDeregistration(node: "n1", serviceID: "web")))
        XCTAssertEqual(try store.checks(onNode: "n1").value, [], "the service's checks go with it")
        XCTAssertNotNil(try store.node(named: "n1").value)
        XCTAssertEqual(accept(.catalogDeregister(CatalogDeregistration(node: "ghost"))).result, .done, "unknown is a no-op")
    }

    func testServiceRegisterNeedsTheNode() throws {
        let outcome = apply(.serviceRegister(ServiceRegistration(node: "n1", service: Fixture.service("web"))))
        XCTAssertEqual(outcome.result, .refused(status: 500, message: "Missing node registration"))
    }

    func testServiceRegisterKeepsOrReplacesExistingChecks() throws {
        accept(Fixture.register(Fixture.node("n1")))
        let web = Fixture.service("web")
        let a = Fixture.ttlCheck("service:web:1", node: "n1", serviceID: "web")
        let b = Fixture.ttlCheck("service:web:2", node: "n1", serviceID: "web")
        accept(.serviceRegister(ServiceRegistration(node: "n1", service: web, checks: [a, b])))
        accept(.serviceRegister(ServiceRegistration(node: "n1", service: web, checks: [a])))
        XCTAssertEqual(try store.checks(onNode: "n1").value.map(\.value.checkID), ["service:web:1", "service:web:2"])
        accept(.serviceRegister(ServiceRegistration(node: "n1", service: web, checks: [a], replaceExistingChecks: true)))
        XCTAssertEqual(try store.checks(onNode: "n1").value.map(\.value.checkID), ["service:web:1"])
    }

    func testKeptChecksFollowTheServicesNewTags() throws {
        accept(Fixture.register(Fixture.node("n1")))
        let check = Fixture.ttlCheck("c", node: "n1", serviceID: "web")
        accept(.serviceRegister(ServiceRegistration(node: "n1", service: Fixture.service("web", tags: ["a"]), checks: [check])))
        accept(.serviceRegister(ServiceRegistration(node: "n1", service: Fixture.service("web", tags: ["b"]))))
        XCTAssertEqual(try store.checks(onNode: "n1").value.first?.value.serviceTags, ["b"])
    }

    func testAgentDeregistrationsOfUnknownIDsAre404s() throws {
        accept(Fixture.register(Fixture.node("n1")))
        XCTAssertEqual(
            apply(.serviceDeregister(node: "n1", serviceID: "x")).result,
            .refused(status: 404, message: #"Unknown service ID "x". Ensure that the service ID is passed, not the service name."#))
        XCTAssertEqual(
            apply(.checkDeregister(node: "n1", checkID: "x")).result,
            .refused(status: 404, message: #"Unknown check ID "x". Ensure that the check ID is passed, not the check name."#))
    }

    func testCheckRegisterForAnUnknownServiceIsA404() throws {
        accept(Fixture.register(Fixture.node("n1")))
        XCTAssertEqual(
            apply(.checkRegister(Fixture.ttlCheck("c", node: "n1", serviceID: "x"))).result,
            .refused(status: 404, message: #"ServiceID "x" does not exist"#))
        XCTAssertEqual(
            apply(.checkRegister(Fixture.ttlCheck("c", node: "n9"))).result,
            .refused(status: 500, message: "Missing node registration"))
        accept(.checkRegister(Fixture.ttlCheck("c", node: "n1")))
        XCTAssertEqual(try store.agentChecks(onNode: "n1").value.map(\.value.checkID), ["c"])
    }

    func testServiceDeregisterRemovesItsChecks() throws {
        accept(Fixture.register(Fixture.node("n1"), service: Fixture.service("web"), checks: [Fixture.ttlCheck("c", node: "n1", serviceID: "web")]))
        XCTAssertEqual(accept(.serviceDeregister(node: "n1", serviceID: "web")).result, .done)
        XCTAssertEqual(try store.agentServices(onNode: "n1").value, [])
        XCTAssertEqual(try store.agentChecks(onNode: "n1").value, [])
    }

    func testCheckUpdateOnlyForTTLChecks() throws {
        accept(Fixture.register(Fixture.node("n1"), checks: [Fixture.ttlCheck("ttl", node: "n1"), Fixture.httpCheck("http", node: "n1")]))
        XCTAssertEqual(accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "ttl", status: .warning, output: "slow"))).result, .done)
        let ttl = try XCTUnwrap(store.checks(onNode: "n1").value.first { $0.value.checkID == "ttl" })
        XCTAssertEqual([ttl.value.status.rawValue, ttl.value.output], ["warning", "slow"])
        XCTAssertEqual(ttl.modifyIndex, 2)

        XCTAssertEqual(
            apply(.checkUpdate(CheckUpdate(node: "n1", checkID: "http", status: .passing))).result,
            .refused(status: 500, message: #"CheckID "http" does not have associated TTL"#))
        XCTAssertEqual(
            apply(.checkUpdate(CheckUpdate(node: "n1", checkID: "nope", status: .passing))).result,
            .refused(status: 404, message: #"Unknown check ID "nope". Ensure that the check ID is passed, not the check name."#))
    }

    func testCheckUpdateOutputIsCappedWithConsulsNote() throws {
        accept(Fixture.register(Fixture.node("n1"), checks: [Fixture.ttlCheck("ttl", node: "n1", outputMaxSize: 10)]))
        accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "ttl", status: .passing, output: "0123456789abcdef")))
        XCTAssertEqual(try store.checks(onNode: "n1").value[0].value.output, "0123456789 ... (captured 10 of 16 bytes)")
        XCTAssertEqual(CheckOutput.capped("ééééé", maxBytes: 5), "éé ... (captured 4 of 10 bytes)", "never splits a character")
        XCTAssertEqual(CheckOutput.capped("short", maxBytes: 0), "short", "0 means Consul's default 4096")
    }

    func testTTLExpiryTurnsTheCheckCriticalWithTheLeadersText() throws {
        accept(Fixture.register(Fixture.node("n1"), checks: [Fixture.ttlCheck("ttl", node: "n1")]))
        accept(.checkUpdate(CheckUpdate(node: "n1", checkID: "ttl", status: .passing, output: "all good")))
        let text = CheckOutput.ttlExpired(lastOutput: try store.checks(onNode: "n1").value[0].value.output)
        XCTAssertEqual(text, "TTL expired (last output before timeout follows): all good")
        XCTAssertEqual(CheckOutput.ttlExpired(lastOutput: ""), "TTL expired")
        accept(.ttlExpired(TTLExpiry(node: "n1", checkID: "ttl", output: text)))
        let check = try store.checks(onNode: "n1").value[0].value
        XCTAssertEqual(check.status, .critical)
        XCTAssertEqual(check.output, text)

        accept(.ttlExpired(TTLExpiry(node: "n1", checkID: "ttl", output: "TTL expired")))
        XCTAssertEqual(try store.checks(onNode: "n1").value[0].value.output, "TTL expired")
        XCTAssertEqual(
            apply(.ttlExpired(TTLExpiry(node: "n1", checkID: "gone", output: "TTL expired"))).result,
            .refused(status: 404, message: #"Unknown check ID "gone". Ensure that the check ID is passed, not the check name."#))
    }

    func testEventsKeepTheNewest256() throws {
        for number in 0..<300 {
            accept(.eventFire(UserEvent(id: "id-\(number)", name: number % 2 == 0 ? "deploy" : "other", ltime: UInt64(number))))
        }
        let events = try store.events().value
        XCTAssertEqual(events.count, 256)
        XCTAssertEqual(events.first?.id, "id-44")
        XCTAssertEqual(events.last?.id, "id-299")
        XCTAssertEqual(try store.events(named: "deploy").value.count, 128)
        XCTAssertEqual(try store.events().index, 300)
    }
}
