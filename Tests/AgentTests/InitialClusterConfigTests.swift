// Proves `initial_cluster` reads from the config file, GRAVITY_INITIAL_CLUSTER and becomes the
// server's list (default port 8300, no bootstrap_expect), and that every mistake in it fails the
// start with a message naming initial_cluster.
import Foundation
import Registry
import Server
import XCTest

@testable import Agent

final class InitialClusterConfigTests: XCTestCase {
    private func config(_ entries: [String], node: String? = "n1") -> AgentConfig {
        var config = AgentConfig()
        config.dataDir = "/nonexistent"
        config.nodeName = node
        config.initialCluster = entries
        return config
    }

    /// The message of the validation error, failing the test when there is none.
    private func refusal(_ config: AgentConfig, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            try config.validate()
            XCTFail("accepted \(config.initialCluster)", file: file, line: line)
            return ""
        } catch {
            XCTAssertEqual(error.field, "initial_cluster", file: file, line: line)
            XCTAssertTrue(error.message.contains("initial_cluster"), error.message, file: file, line: line)
            return error.message
        }
    }

    func testTheFileTakesAnArrayOfNameEqualsAddress() throws {
        var loaded = AgentConfig()
        try ConfigFile.apply(["node_name": "n1", "initial_cluster": ["n1=10.0.0.1", "n2=db.internal:8301", "n3=[fd00::3]"]], to: &loaded, file: "f.json")
        XCTAssertEqual(loaded.initialCluster, ["n1=10.0.0.1", "n2=db.internal:8301", "n3=[fd00::3]"])
        XCTAssertEqual(try loaded.initialMembers(nodeName: "n1"), [
            InitialClusterMember(name: "n1", address: "10.0.0.1:8300"),
            InitialClusterMember(name: "n2", address: "db.internal:8301"),
            InitialClusterMember(name: "n3", address: "[fd00::3]:8300"),
        ])
        // The list decides: no bootstrap_expect, not even the lone server's default of 1.
        XCTAssertEqual(loaded.effectiveBootstrapExpect, 0)
        loaded.dataDir = "/nonexistent"
        XCTAssertNoThrow(try loaded.validate())
    }

    func testTheFileRefusesAStringOrNonStringItems() {
        for value: Any in ["n1=a,n2=b", ["n1=a", 7]] {
            var loaded = AgentConfig()
            XCTAssertThrowsError(try ConfigFile.apply(["initial_cluster": value], to: &loaded, file: "f.json")) { error in
                XCTAssertTrue("\(error)".contains("\"initial_cluster\""), "\(error)")
            }
        }
    }

    func testTheEnvironmentTakesACommaSeparatedList() throws {
        var loaded = AgentConfig()
        try ConfigFile.applyEnvironment(["GRAVITY_INITIAL_CLUSTER": "n1=a, n2=b:9,,n3=c"], to: &loaded)
        XCTAssertEqual(loaded.initialCluster, ["n1=a", "n2=b:9", "n3=c"])
    }

    func testEveryMistakeNamesInitialCluster() {
        XCTAssertTrue(refusal(config(["n2=a", "n3=b"])).contains("\"n1\""), "this server must be listed")
        XCTAssertTrue(refusal(config(["n1=a", "n2=b", "n1=c"])).contains("twice"))
        XCTAssertTrue(refusal(config(["n1=a", "n2="])).contains("n2="))
        XCTAssertTrue(refusal(config(["n1=a", "n2=:8300"])).contains("host[:port]"))
        XCTAssertTrue(refusal(config(["n1=a", "n2"])).contains("name=host"))
        XCTAssertTrue(refusal(config(["n1=a", "=b"])).contains("=b"))
        XCTAssertTrue(refusal(config(["n1=a", "n 2=b"])).contains("n 2=b"))
        var both = config(["n1=a", "n2=b"])
        both.bootstrapExpect = 2
        XCTAssertTrue(refusal(both).contains("bootstrap_expect"))
        var dev = config(["n1=a", "n2=b"])
        dev.dev = true
        XCTAssertTrue(refusal(dev).contains("-dev"))
        var lone = config(["n1=127.0.0.1"])
        lone.dev = true
        XCTAssertNoThrow(try lone.validate(), "a dev server may list only itself")
    }

    func testWithoutANodeNameTheHostNameMustBeListed() {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gravity-initial-\(UUID().uuidString)")
        var unnamed = config(["not-this-host=a", "other=b"], node: nil)
        unnamed.dataDir = folder.path
        XCTAssertNoThrow(try unnamed.validate(), "the host name is only known to the agent")
        XCTAssertThrowsError(try Agent(config: unnamed)) { error in
            XCTAssertTrue("\(error)".contains("initial_cluster"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path), "nothing is opened before the list is checked")
    }
}
