// Proves ?filter= evaluation as go-bexpr defines it: every operator and its negation, coercion to the field's kind, the any-item rule through arrays, missing fields, precedence.
import API
import XCTest

final class FilterTests: XCTestCase {
    /// A /v1/health/service/web entry.
    static let healthEntry: JSON = .object([
        ("Node", .object([("Node", "n1"), ("Address", "10.0.0.1"), ("Meta", .object([("rack", "r1")]))])),
        ("Service", .object([
            ("ID", "web-1"), ("Service", "web"), ("Tags", .array(["prod", "v2"])),
            ("Meta", .object([("env", "prod"), ("a.b", "dotted"), ("quote", "say \"hi\"\n")])), ("Port", 8080),
        ])),
        ("Checks", .array([
            .object([("CheckID", "serfHealth"), ("Status", "passing")]),
            .object([("CheckID", "service:web-1"), ("Status", "critical")]),
        ])),
    ])

    /// A /v1/agent/services value.
    static let agentService: JSON = .object([
        ("ID", "redis-1"), ("Service", "redis"), ("Tags", .array([])), ("Meta", .object([])), ("Port", 6379),
        ("Address", ""), ("Ports", .array([80, 443])), ("Weights", .object([("Passing", 1), ("Warning", 1)])),
        ("EnableTagOverride", false), ("Connect", .object([("Native", true)])), ("Proxy", .null),
        ("Ratio", .double(0.75)),
    ])

    /// A KV-like map of one entry.
    static let kvEntry: JSON = .object([
        ("Key", "config/web/limits"), ("Flags", 42), ("Value", "dGVzdA=="), ("Session", ""), ("LockIndex", 0),
    ])

    func check(_ expression: String, _ expected: Bool, on element: JSON = healthEntry, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let filter = try FilterExpression(expression)
            XCTAssertEqual(filter.matches(element), expected, expression, file: file, line: line)
        } catch {
            XCTFail("\(expression): \(error)", file: file, line: line)
        }
    }

    func testEqualAndNotEqualCompareStrings() {
        check("Service.Service == web", true)
        check("Service.Service == \"web\"", true)
        check("Service.Service == `web`", true)
        check("Service.Service == api", false)
        check("Service.Service != api", true)
        check("Service.Service != web", false)
        check("Node.Address == \"10.0.0.1\"", true)
        check("Service.Meta.quote == \"say \\\"hi\\\"\\n\"", true)
    }

    func testFieldNamesAndValuesAreCaseSensitive() {
        check("service.service == web", false)
        check("Service.Service == Web", false)
        check("Service.service != web", true)
    }

    func testNumbersCoerceToTheFieldsKind() {
        check("Service.Port == 8080", true)
        check("Service.Port == \"8080\"", true)
        check("Service.Port == 8080.0", true)
        check("Service.Port == 8081", false)
        check("Service.Port != 8081", true)
        check("Service.Port == -8080", false)
        check("Ratio == 0.75", true, on: Self.agentService)
        check("Ratio == \"0.75\"", true, on: Self.agentService)
        check("Ratio != 0.5", true, on: Self.agentService)
        check("Flags == 42", true, on: Self.kvEntry)
        check("LockIndex == +0", true, on: Self.kvEntry)
    }

    func testAValueThatDoesNotConvertDoesNotMatch() {
        check("Service.Port == abc", false)
        check("Service.Port != abc", true)
        check("Service.Port == \"80 80\"", false)
        check("Ratio == high", false, on: Self.agentService)
        check("Connect.Native == yes", false, on: Self.agentService)
    }

    func testBoolsUseGoParseBoolSpellings() {
        check("Connect.Native == true", true, on: Self.agentService)
        check("Connect.Native == True", true, on: Self.agentService)
        check("Connect.Native == 1", true, on: Self.agentService)
        check("Connect.Native == \"t\"", true, on: Self.agentService)
        check("Connect.Native == false", false, on: Self.agentService)
        check("EnableTagOverride == false", true, on: Self.agentService)
        check("EnableTagOverride != true", true, on: Self.agentService)
    }

    func testEqualityOnArraysAndObjectsIsFalse() {
        check("Service.Tags == prod", false)
        check("Service.Tags != prod", true)
        check("Service.Meta == prod", false)
        check("Service.Meta != prod", true)
    }

    func testIsEmptyCoversStringsArraysObjectsNullAndMissing() {
        check("Address is empty", true, on: Self.agentService)
        check("Tags is empty", true, on: Self.agentService)
        check("Meta is empty", true, on: Self.agentService)
        check("Proxy is empty", true, on: Self.agentService)
        check("Missing is empty", true, on: Self.agentService)
        check("Port is empty", false, on: Self.agentService)
        check("Address is not empty", false, on: Self.agentService)
        check("Proxy is not empty", false, on: Self.agentService)
        check("Service.Tags is not empty", true)
        check("Service.Meta is not empty", true)
        check("Service.ID is not empty", true)
        check("Service.Tags is empty", false)
    }

    func testInAndContainsOnAnArrayAreMembership() {
        check("\"prod\" in Service.Tags", true)
        check("prod in Service.Tags", true)
        check("Service.Tags contains v2", true)
        check("\"pro\" in Service.Tags", false)
        check("\"dev\" not in Service.Tags", true)
        check("\"prod\" not in Service.Tags", false)
        check("Service.Tags not contains prod", false)
        check("Service.Tags not contains dev", true)
        check("443 in Ports", true, on: Self.agentService)
        check("\"443\" in Ports", true, on: Self.agentService)
        check("Ports contains 8443", false, on: Self.agentService)
    }

    func testInAndContainsOnAStringAreSubstring() {
        check("\"eb\" in Service.Service", true)
        check("Service.ID contains \"-1\"", true)
        check("Key contains \"web/\"", true, on: Self.kvEntry)
        check("\"\" in Service.Service", true)
        check("\"bew\" in Service.Service", false)
        check("\"bew\" not in Service.Service", true)
    }

    func testInAndContainsOnAnObjectAreKeyPresence() {
        check("env in Service.Meta", true)
        check("\"rack\" in Node.Meta", true)
        check("\"a.b\" in Service.Meta", true)
        check("\"prod\" in Service.Meta", false)
        check("\"zone\" not in Node.Meta", true)
        check("Node.Meta contains rack", true)
        check("Node.Meta contains Rack", false)
    }

    func testMatchesSearchesAnywhereAndOverArrays() {
        check("Service.Service matches \"^w.b$\"", true)
        check("Service.Service matches eb", true)
        check("Service.ID matches `-\\d+$`", true)
        check("Service.ID matches \"^\\\\w+-[0-9]$\"", true)
        check("Service.Service matches \"^eb\"", false)
        check("Service.Service not matches \"^api\"", true)
        check("Service.Tags matches \"^v[0-9]+$\"", true)
        check("Service.Tags not matches \"^v[0-9]+$\"", false)
        check("Service.Port matches \"80\"", false)
    }

    func testASelectorThroughAnArrayMatchesIfAnyItemDoes() {
        check("Checks.Status == passing", true)
        check("Checks.Status == critical", true)
        check("Checks.Status == warning", false)
        check("Checks.CheckID contains serf", true)
        check("\"passing\" in Checks.Status", true)
        check("Checks.Status matches \"^crit\"", true)
        check("Checks.Status is not empty", true)
    }

    func testANegatedOperatorThroughAnArrayHoldsIfNoItemMatches() {
        check("Checks.Status != passing", false)
        check("Checks.Status != warning", true)
        check("Checks.CheckID not contains serf", false)
        check("\"warning\" not in Checks.Status", true)
        check("Checks.Status not matches \"^crit\"", false)
        check("Checks.Status is empty", false)
        check("Checks.Notes is empty", true)
        check("Checks.Notes is not empty", false)
    }

    func testMissingFieldsMatchOnlyNegatedOperators() {
        check("Nope == x", false)
        check("Nope != x", true)
        check("x in Nope", false)
        check("x not in Nope", true)
        check("Nope contains x", false)
        check("Nope not contains x", true)
        check("Nope matches \".\"", false)
        check("Nope not matches \".\"", true)
        check("Nope is not empty", false)
        check("Service.Port.Deeper == 1", false)
        check("Service.Nope.Deeper != 1", true)
    }

    func testMapKeysByIndexOrByDot() throws {
        check("Service.Meta[\"a.b\"] == dotted", true)
        check("Service.Meta[`a.b`] == dotted", true)
        check("Service.Meta[ \"env\" ] == prod", true)
        check("Service[\"Meta\"].env == prod", true)
        check("Service.Meta.a == dotted", false)
        XCTAssertEqual(try FilterExpression("Service.Meta[\"env\"] == prod"), try FilterExpression("Service.Meta.env == prod"))
    }

    func testOrBindsLooserThanAndAndNotBindsTightest() {
        // true or (false and false)
        check("Service.Service == web or Service.Port == 1 and Node.Node == nope", true)
        // (false and false) or true
        check("Service.Port == 1 and Node.Node == nope or Service.Service == web", true)
        // (not true) and false: false; not (true and false) would be true
        check("not Service.Service == web and Node.Node == n2", false)
        check("not Service.Service == api and Node.Node == n1", true)
        check("not not Service.Service == web", true)
    }

    func testParenthesesGroup() {
        check("(Service.Service == web or Service.Port == 1) and Node.Node == nope", false)
        check("not (Service.Service == web and Node.Node == n2)", true)
        check("((Service.Service == web))", true)
        check("(Service.Service == web)and(Node.Node == n1)", true)
    }

    func testChainsOfAndAndOr() {
        check("Service.Service == web and Node.Node == n1 and Service.Port == 8080", true)
        check("Service.Service == web and Node.Node == n1 and Service.Port == 1", false)
        check("Service.Port == 1 or Node.Node == n2 or Checks.Status == critical", true)
        check("Service.Port == 1 or Node.Node == n2 or Checks.Status == warning", false)
    }

    func testWhitespaceDoesNotMatter() throws {
        check("  Service.Service==web\n\tand\r\n\"prod\"in Service.Tags  ", true)
        XCTAssertEqual(try FilterExpression("a==b"), try FilterExpression(" a  ==  b "))
        XCTAssertEqual(try FilterExpression("\"x\" in a"), try FilterExpression("a contains x"))
        XCTAssertNotEqual(try FilterExpression("a == b"), try FilterExpression("a != b"))
        XCTAssertNotEqual(try FilterExpression("a matches \"x\""), try FilterExpression("a matches \"y\""))
    }

    func testFilteringAList() throws {
        let other: JSON = .object([("Service", .object([("Service", "api"), ("Tags", .array(["canary"]))]))])
        let filter = try FilterExpression("\"prod\" in Service.Tags or Service.Service == api")
        XCTAssertEqual([Self.healthEntry, other, Self.agentService].filter(filter.matches), [Self.healthEntry, other])
    }
}
