// Proves check validation: Consul's `Invalid check: ...` texts, Gravity's stricter rules, required names, per-endpoint status texts.
import Registry
import XCTest

final class CheckValidationTests: XCTestCase {
    static let second: Int64 = 1_000_000_000

    func testValidDefinitionsOfEveryKindPass() throws {
        let interval = Self.second * 10
        let definitions = [
            CheckDefinition(ttlNanoseconds: Self.second),
            CheckDefinition(http: "http://x/health", intervalNanoseconds: interval),
            CheckDefinition(tcp: "x:80", intervalNanoseconds: interval),
            CheckDefinition(udp: "x:53", intervalNanoseconds: interval),
            CheckDefinition(grpc: "x:9090", intervalNanoseconds: interval),
            CheckDefinition(h2ping: "x:443", intervalNanoseconds: interval),
            CheckDefinition(args: ["/bin/true"], intervalNanoseconds: interval),
            CheckDefinition(aliasService: "web"),
            CheckDefinition(aliasNode: "node-2", aliasService: "web"),
        ]
        for definition in definitions {
            XCTAssertNoThrow(try definition.validate(), "\(definition.type)")
        }
    }

    func testConsulTexts() {
        let cases: [(CheckDefinition, String)] = [
            (CheckDefinition(ttlNanoseconds: Self.second, intervalNanoseconds: Self.second),
             "Interval and TTL cannot both be specified"),
            (CheckDefinition(http: "http://x"), "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
            (CheckDefinition(tcp: "x:1", intervalNanoseconds: 0), "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
            (CheckDefinition(args: ["x"], intervalNanoseconds: -1), "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
            (CheckDefinition(http: "http://x", aliasService: "web", intervalNanoseconds: Self.second),
             "Interval cannot be set for Alias checks"),
            (CheckDefinition(aliasNode: "n", ttlNanoseconds: Self.second), "TTL must be not be set for Alias checks"),
            (CheckDefinition(), "TTL must be > 0 for TTL checks"),
            (CheckDefinition(ttlNanoseconds: -Self.second), "TTL must be > 0 for TTL checks"),
            (CheckDefinition(ttlNanoseconds: Self.second, outputMaxSize: -1), "MaxOutputMaxSize must be positive"),
            (CheckDefinition(ttlNanoseconds: Self.second, failuresBeforeWarning: 3, failuresBeforeCritical: 2),
             "FailuresBeforeWarning can't be higher than FailuresBeforeCritical"),
        ]
        for (definition, message) in cases {
            assertRefused("Invalid check: " + message, field: "Check") { try definition.validate() }
        }
    }

    func testOnlyOneKindMayBeSet() {
        let definition = CheckDefinition(http: "http://x", tcp: "x:80", intervalNanoseconds: Self.second)
        assertRefused("Invalid check: only one of TTL, HTTP, TCP, UDP, GRPC, H2PING, Args or Alias may be set, got HTTP, TCP") {
            try definition.validate()
        }
    }

    func testCountersMayNotBeNegative() {
        let base = CheckDefinition(ttlNanoseconds: Self.second)
        var definition = base
        definition.successBeforePassing = -1
        assertRefused("Invalid check: SuccessBeforePassing must be >= 0, got -1") { try definition.validate() }
        definition = base
        definition.failuresBeforeWarning = -2
        assertRefused("Invalid check: FailuresBeforeWarning must be >= 0, got -2") { try definition.validate() }
        definition = base
        definition.failuresBeforeWarning = -5
        definition.failuresBeforeCritical = -3
        assertRefused("Invalid check: FailuresBeforeWarning must be >= 0, got -5") { try definition.validate() }
    }

    func testTypeFollowsConsulsPrecedence() {
        let interval = Self.second
        XCTAssertEqual(CheckDefinition().type, "")
        XCTAssertEqual(CheckDefinition(ttlNanoseconds: interval).type, "ttl")
        XCTAssertEqual(CheckDefinition(http: "h", intervalNanoseconds: interval).type, "http")
        XCTAssertEqual(CheckDefinition(http: "h").type, "", "an HTTP check without interval has no type, as in Consul")
        XCTAssertEqual(CheckDefinition(tcp: "t", intervalNanoseconds: interval).type, "tcp")
        XCTAssertEqual(CheckDefinition(udp: "u", intervalNanoseconds: interval).type, "udp")
        XCTAssertEqual(CheckDefinition(grpc: "g", intervalNanoseconds: interval).type, "grpc")
        XCTAssertEqual(CheckDefinition(h2ping: "p", intervalNanoseconds: interval).type, "h2ping")
        XCTAssertEqual(CheckDefinition(args: ["a"], intervalNanoseconds: interval).type, "script")
        XCTAssertEqual(CheckDefinition(aliasNode: "n").type, "alias")
        XCTAssertEqual(CheckDefinition(http: "h", grpc: "g", intervalNanoseconds: interval).type, "grpc")
        XCTAssertEqual(Check(node: "n", checkID: "c", name: "c", definition: CheckDefinition(ttlNanoseconds: 1)).type, "ttl")
    }

    func testCheckNeedsNodeNameAndID() throws {
        let check = Check(node: "node-1", checkID: "mem", name: "Memory", definition: CheckDefinition(ttlNanoseconds: Self.second))
        try check.validate(includingDefinition: true)
        var bad = check
        bad.name = ""
        assertRefused("Missing check name", field: "Name") { try bad.validate(includingDefinition: false) }
        bad = check
        bad.checkID = ""
        assertRefused("Missing check ID", field: "CheckID") { try bad.validate(includingDefinition: false) }
        bad = check
        bad.node = ""
        assertRefused("Missing node name") { try bad.validate(includingDefinition: false) }
        bad = check
        bad.exposedPort = 70_000
        assertRefused("Invalid exposed port 70000: must be between 0 and 65535") { try bad.validate(includingDefinition: false) }
    }

    func testCatalogChecksAreRecordsWhoseDefinitionIsNotChecked() throws {
        let record = Check(node: "n", checkID: "c", name: "c", definition: CheckDefinition(http: "http://x"))
        try record.validate(includingDefinition: false)
        assertRefused("Invalid check: Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks") {
            try record.validate(includingDefinition: true)
        }
    }

    func testStatusTextsPerEndpoint() throws {
        for status in HealthStatus.allCases {
            XCTAssertEqual(try HealthStatus.parse(status.rawValue, from: .checkUpdate), status)
        }
        XCTAssertEqual(HealthStatus.allCases.map(\.rawValue), ["passing", "warning", "critical"])
        assertRefused("Invalid check status: 'maintenance'", field: "Status") { _ = try HealthStatus.parse("maintenance", from: .checkUpdate) }
        assertRefused("Invalid check status: ''") { _ = try HealthStatus.parse("", from: .checkUpdate) }
        assertRefused("Invalid check status: 'Passing'") { _ = try HealthStatus.parse("Passing", from: .checkUpdate) }
        assertRefused("Status for checks must 'passing', 'warning', 'critical'") {
            _ = try HealthStatus.parse("ok", from: .serviceRegistration)
        }
        assertRefused("Bad check status") { _ = try HealthStatus.parse("ok", from: .checkRegistration) }
        XCTAssertEqual(try HealthStatus.parse("", from: .serviceRegistration), .critical)
        XCTAssertEqual(try HealthStatus.parse("", from: .checkRegistration), .critical)
        XCTAssertEqual(HealthStatus.initial, .critical)
    }
}
