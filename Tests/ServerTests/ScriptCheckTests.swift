// Script checks through a whole node without sockets: the agent API refuses Args unless enable_script_checks is set (Consul's text, nothing written), the configuration file's checks are registered at start and run with enable_local_script_checks alone, and a definition written by another road (catalog register) never runs a program the file did not name.
import API
import Foundation
import HTTP
import Registry
@testable import Server
import Store
import XCTest

final class ScriptCheckTests: XCTestCase {
    private static let remoteRefusal = "Scripts are disabled on this agent from remote calls; to enable, configure 'enable_script_checks' to true"

    private func harness(_ policy: ScriptCheckPolicy, local: [Command] = []) throws -> NodeHarness {
        try NodeHarness { config in
            config.scriptChecks = policy
            config.localRegistrations = local
        }
    }

    private func agentChecks(_ harness: inout NodeHarness) throws -> [String: [String: Any]] {
        let (_, response) = try harness.send("GET", "/v1/agent/checks")
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(response).body)) as? [String: [String: Any]])
    }

    /// The script probes the node asked for within `milliseconds`, by their arguments.
    private func scriptProbes(_ harness: inout NodeHarness, within milliseconds: UInt64) -> [(ProbeID, ScriptProbe)] {
        _ = harness.advance(milliseconds: milliseconds)
        return harness.probes.compactMap { id, spec in
            if case .script(let probe) = spec { return (id, probe) }
            return nil
        }
    }

    private func json(_ text: String) throws -> JSON { try JSONParser.parse(Array(text.utf8)) }

    func testTheAgentAPIRefusesScriptsUnlessEnableScriptChecks() throws {
        for policy in [ScriptCheckPolicy.disabled, .localOnly] {
            var h = try harness(policy)
            let before = h.store.appliedIndex
            let (_, check) = try h.send("PUT", "/v1/agent/check/register", body: #"{"Name":"s","Args":["/bin/true"],"Interval":"10s"}"#)
            XCTAssertEqual(check?.status, .badRequest, "\(policy)")
            XCTAssertEqual(check?.text, Self.remoteRefusal, "\(policy)")
            let (_, goClient) = try h.send("PUT", "/v1/agent/check/register", body: #"{"Name":"s","ScriptArgs":["/bin/true"],"Interval":"10s"}"#)
            XCTAssertEqual(goClient?.status, .badRequest, "the Go client's ScriptArgs too")
            let (_, service) = try h.send("PUT", "/v1/agent/service/register",
                                          body: #"{"Name":"w","Checks":[{"TTL":"10s"},{"Args":["sh","-c","exit 0"],"Interval":"10s"}]}"#)
            XCTAssertEqual(service?.status, .badRequest, "\(policy)")
            XCTAssertEqual(service?.text, Self.remoteRefusal)
            XCTAssertEqual(h.store.appliedIndex, before, "nothing written")
            XCTAssertEqual(try agentChecks(&h).keys.sorted(), [], "no check, not even the service's TTL one")
            XCTAssertTrue(scriptProbes(&h, within: 20_000).isEmpty)
        }
    }

    func testEnableScriptChecksAcceptsThemAndTheNodeRunsThem() throws {
        var h = try harness(.enabled)
        let (_, check) = try h.send("PUT", "/v1/agent/check/register",
                                    body: #"{"Name":"disk","Args":["/usr/local/bin/check-disk","-w","80"],"Interval":"2s","Timeout":"3s","OutputMaxSize":100}"#)
        XCTAssertEqual(check?.status, .ok, check?.text ?? "")
        let (_, service) = try h.send("PUT", "/v1/agent/service/register",
                                      body: #"{"Name":"web","Check":{"ScriptArgs":["/bin/check-web"],"Interval":"2s"}}"#)
        XCTAssertEqual(service?.status, .ok, service?.text ?? "")
        let probes = scriptProbes(&h, within: 2_100)
        let byProgram = Dictionary(uniqueKeysWithValues: probes.map { ($0.1.args[0], $0) })
        XCTAssertEqual(byProgram["/usr/local/bin/check-disk"]?.1, ScriptProbe(args: ["/usr/local/bin/check-disk", "-w", "80"], timeoutMilliseconds: 3000, maxOutputBytes: 100))
        XCTAssertEqual(byProgram["/bin/check-web"]?.1, ScriptProbe(args: ["/bin/check-web"], timeoutMilliseconds: 30_000, maxOutputBytes: 4096),
                       "Consul's 30 s script timeout when none is given")
        let web = try XCTUnwrap(byProgram["/bin/check-web"]?.0)
        _ = h.step(.probeFinished(web, ProbeResult(status: .warning, output: "slow\n", durationMilliseconds: 3)))
        let checks = try agentChecks(&h)
        XCTAssertEqual(checks["service:web"]?["Status"] as? String, "warning")
        XCTAssertEqual(checks["service:web"]?["Output"] as? String, "slow\n")
        XCTAssertEqual(checks["service:web"]?["Type"] as? String, "script")
    }

    func testConfigFileChecksAreRegisteredAtStartAndRunWithLocalScriptChecksOnly() throws {
        let service = try ConfigFileDefinitions.service(
            try json(#"{"name":"web","id":"web-1","port":80,"checks":[{"id":"web-script","args":["/bin/check","web"],"interval":"1s","timeout":"5s"}]}"#),
            node: "n1", policy: .localOnly)
        let nodeCheck = try ConfigFileDefinitions.check(try json(#"{"id":"mem","name":"Memory","args":["/bin/mem"],"interval":"1s"}"#), node: "n1", policy: .localOnly)
        var h = try harness(.localOnly, local: [.serviceRegister(service), .checkRegister(nodeCheck)])
        let checks = try agentChecks(&h)
        XCTAssertEqual(checks.keys.sorted(), ["mem", "web-script"])
        XCTAssertEqual(checks["web-script"]?["ServiceID"] as? String, "web-1")
        XCTAssertEqual(checks["web-script"]?["Status"] as? String, "critical", "critical until its first run, as in Consul")
        let probes = scriptProbes(&h, within: 1_100)
        XCTAssertEqual(probes.map(\.1.args).sorted { $0[0] < $1[0] }, [["/bin/check", "web"], ["/bin/mem"]])
        // The HTTP API still refuses scripts on this node.
        let (_, refused) = try h.send("PUT", "/v1/agent/check/register", body: #"{"Name":"s","Args":["/bin/true"],"Interval":"10s"}"#)
        XCTAssertEqual(refused?.text, Self.remoteRefusal)
    }

    func testAConfigFileScriptNeedsAScriptSetting() throws {
        let definition = try json(#"{"name":"web","check":{"args":["/bin/check"],"interval":"10s"}}"#)
        XCTAssertThrowsError(try ConfigFileDefinitions.service(definition, node: "n1", policy: .disabled)) {
            XCTAssertEqual(($0 as? APIError)?.message,
                           "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true")
        }
        XCTAssertNoThrow(try ConfigFileDefinitions.service(definition, node: "n1", policy: .localOnly))
        XCTAssertNoThrow(try ConfigFileDefinitions.service(definition, node: "n1", policy: .enabled))
    }

    func testOtherRoadsCannotRunAProgramTheFileDidNotName() throws {
        let local = try ConfigFileDefinitions.check(try json(#"{"id":"mem","name":"Memory","args":["/bin/mem"],"interval":"1s"}"#), node: "n1", policy: .localOnly)
        var h = try harness(.localOnly, local: [.checkRegister(local)])
        // A catalog registration on this agent's node with a script definition: stored, never run.
        let (_, catalog) = try h.send("PUT", "/v1/catalog/register", body: #"""
            {"Node":"n1","Address":"127.0.0.1","Check":{"CheckID":"evil","Name":"evil","Definition":{"Args":["/bin/evil"],"Interval":"1s"}}}
            """#)
        XCTAssertEqual(catalog?.status, .ok, catalog?.text ?? "")
        XCTAssertEqual(scriptProbes(&h, within: 1_100).map(\.1.args), [["/bin/mem"]], "only the file's check runs")
        // The file's check ID with other arguments: not the file's script any more, so not run.
        let (_, swapped) = try h.send("PUT", "/v1/catalog/register", body: #"""
            {"Node":"n1","Address":"127.0.0.1","Check":{"CheckID":"mem","Name":"Memory","Definition":{"Args":["/bin/evil"],"Interval":"1s"}}}
            """#)
        XCTAssertEqual(swapped?.status, .ok, swapped?.text ?? "")
        let before = h.probes.count
        _ = scriptProbes(&h, within: 5_000)
        XCTAssertTrue(h.probes[before...].allSatisfy { if case .script(let probe) = $0.1 { probe.args != ["/bin/evil"] } else { true } },
                      "no run of a swapped-in program")
    }

    func testAServerRunsOnlyItsOwnNodesScriptsEvenWhenItOwnsAnotherNodesChecks() {
        let gate = ScriptCheckGate(policy: .enabled, localRegistrations: [], node: "n1")
        var own = Check(node: "n1", checkID: "disk", name: "disk", status: .critical)
        own.definition.args = ["/bin/true"]
        own.definition.intervalNanoseconds = 1_000_000_000
        var taken = own
        taken.node = "n2"
        XCTAssertNotNil(gate.spec(own))
        XCTAssertNil(gate.spec(taken), "a script checks the host it runs on: a server taking over n2 must not run n2's scripts")
    }
}
