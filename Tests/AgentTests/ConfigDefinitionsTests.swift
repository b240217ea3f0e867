// Proves the configuration file's services and checks: the script settings and definitions load, become the registrations the node proposes at start (decoded as the agent API decodes them), and a bad definition fails the start with a message naming the entry and the field.
import Registry
import XCTest

@testable import Agent

final class ConfigDefinitionsTests: XCTestCase {
    private func load(_ object: [String: Any]) throws -> AgentConfig {
        var config = AgentConfig()
        try ConfigFile.apply(object, to: &config, file: "f.json")
        return config
    }

    private func failure(_ object: [String: Any], file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let config = try load(object)
            _ = try ConfigDefinitions.commands(config, node: "n1")
            XCTFail("accepted", file: file, line: line)
            return ""
        } catch {
            return "\(error)"
        }
    }

    func testAServiceWithAScriptCheckLoadsAsItsRegistration() throws {
        let config = try load([
            "enable_local_script_checks": true,
            "services": [["name": "web", "id": "web-1", "port": 80, "tags": ["a"],
                          "checks": [["id": "web-script", "args": ["/bin/check", "web"], "interval": "10s", "timeout": "5s"]]]],
            "check": ["id": "mem", "name": "Memory", "args": ["/bin/mem"], "interval": "30s", "service_id": "web-1"],
        ])
        XCTAssertEqual(config.scriptChecks, .localOnly)
        let commands = try ConfigDefinitions.commands(config, node: "n1")
        XCTAssertEqual(commands.count, 2)
        guard case .serviceRegister(let registration) = commands.first else { return XCTFail("\(commands)") }
        XCTAssertEqual(registration.node, "n1")
        XCTAssertEqual([registration.service.id, registration.service.name], ["web-1", "web"])
        XCTAssertEqual(registration.service.port, 80)
        let check = try XCTUnwrap(registration.checks.first)
        XCTAssertEqual(check.checkID, "web-script")
        XCTAssertEqual(check.serviceID, "web-1")
        XCTAssertEqual(check.definition.args, ["/bin/check", "web"])
        XCTAssertEqual(check.definition.intervalNanoseconds, 10_000_000_000)
        XCTAssertEqual(check.definition.timeoutNanoseconds, 5_000_000_000)
        XCTAssertEqual(check.definition.type, "script")
        guard case .checkRegister(let mem) = commands.last else { return XCTFail("\(commands)") }
        XCTAssertEqual([mem.checkID, mem.name, mem.serviceID], ["mem", "Memory", "web-1"])
    }

    func testScriptSettingsAndTheirPolicy() throws {
        XCTAssertEqual(try load([:]).scriptChecks, .disabled)
        XCTAssertEqual(try load(["enable_local_script_checks": true]).scriptChecks, .localOnly)
        XCTAssertEqual(try load(["enable_script_checks": true]).scriptChecks, .enabled)
        XCTAssertEqual(try load(["enable_script_checks": true, "enable_local_script_checks": false]).scriptChecks, .enabled,
                       "enable_script_checks implies the local one, as in Consul")
        XCTAssertThrowsError(try load(["enable_script_checks": "yes"])) {
            XCTAssertEqual("\($0)", "configuration error: f.json: \"enable_script_checks\" must be true or false")
        }
    }

    func testBadDefinitionsFailWithTheEntryAndTheField() {
        let script: [String: Any] = ["args": ["/bin/check"], "interval": "10s"]
        XCTAssertEqual(failure(["services": [["name": "web", "check": script]]]),
                       "configuration error: services[0]: Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true")
        XCTAssertEqual(failure(["enable_local_script_checks": true, "services": [["name": "ok"], ["name": "web", "port": "eighty"]]]),
                       "configuration error: services[1]: Request decode failed: json: cannot unmarshal string into Go struct field ServiceDefinition.Port of type int")
        XCTAssertEqual(failure(["enable_local_script_checks": true, "services": [["name": "web", "check": ["args": ["/bin/check"]]]]]),
                       "configuration error: services[0]: Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks")
        XCTAssertEqual(failure(["enable_local_script_checks": true, "checks": [["args": ["/bin/check"], "interval": "10s"]]]),
                       "configuration error: checks[0]: Missing check name")
        XCTAssertEqual(failure(["enable_local_script_checks": true, "checks": [["name": "c", "service_id": "nope", "args": ["/bin/c"], "interval": "10s"]]]),
                       "configuration error: checks[0]: ServiceID \"nope\" does not exist")
        XCTAssertEqual(failure(["services": ["web"]]), "configuration error: f.json: \"services[0]\" must be an object")
        XCTAssertEqual(failure(["services": [["name": "consul"]]]),
                       "configuration error: services[0]: Invalid service ID \"consul\": reserved for the server's own registration")
    }
}
