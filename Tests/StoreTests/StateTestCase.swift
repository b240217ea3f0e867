// Shared set-up for the state machine tests: a fresh StateStore per test, Raft indexes handed out in order, and builders for registry values.
import Registry
@testable import Store
import XCTest

class StateTestCase: StoreTestCase {
    var store: StateStore!
    /// The index of the last command applied through `apply`.
    private(set) var lastIndex: UInt64 = 0

    override func setUpWithError() throws {
        try super.setUpWithError()
        store = try StateStore(path: path("state.db"))
    }

    override func tearDownWithError() throws {
        store.close()
        try super.tearDownWithError()
    }

    /// Applies `command` at the next index (with the leader time `now`, if given).
    @discardableResult
    func apply(_ command: Command, now: UInt64? = nil) -> ApplyOutcome {
        lastIndex += 1
        return store.apply(command, at: lastIndex, leaderMilliseconds: now)
    }

    /// Applies `command` and fails the test unless it was accepted.
    @discardableResult
    func accept(_ command: Command, now: UInt64? = nil, file: StaticString = #filePath, line: UInt = #line) -> ApplyOutcome {
        let outcome = apply(command, now: now)
        XCTAssertFalse(outcome.result.isRefusal, "refused: \(outcome.result)", file: file, line: line)
        return outcome
    }

    /// Reopens the store from its file.
    func reopen() throws {
        store.close()
        store = try StateStore(path: path("state.db"))
    }

    func dump() throws -> String {
        try store.canonicalDump()
    }
}

/// Builders with the defaults the tests need; each test changes what it is about.
enum Fixture {
    static func node(_ name: String, address: String = "10.0.0.1", meta: [String: String] = [:]) -> Node {
        Node(id: "", name: name, address: address, datacenter: "dc1", taggedAddresses: ["lan": address], meta: meta)
    }

    static func service(_ id: String, name: String? = nil, tags: [String] = [], port: Int = 8080) -> Service {
        Service(id: id, name: name ?? id, tags: tags, meta: ["version": "1"], port: port)
    }

    static func ttlCheck(
        _ id: String, node: String, serviceID: String = "", status: HealthStatus = .passing, outputMaxSize: Int = 4096
    ) -> Check {
        Check(
            node: node, checkID: id, name: "check " + id, status: status, serviceID: serviceID,
            definition: CheckDefinition(ttlNanoseconds: 30_000_000_000, outputMaxSize: outputMaxSize))
    }

    static func httpCheck(_ id: String, node: String, serviceID: String = "", status: HealthStatus = .passing) -> Check {
        Check(
            node: node, checkID: id, name: "check " + id, status: status, serviceID: serviceID,
            definition: CheckDefinition(
                http: "http://127.0.0.1:8080/health", header: ["X-A": ["1", "2"], "X-B": ["3"]],
                intervalNanoseconds: 10_000_000_000))
    }

    /// `catalog/register` of a node, optionally with one service and checks.
    static func register(_ node: Node, service: Service? = nil, checks: [Check] = []) -> Command {
        .catalogRegister(CatalogRegistration(node: node, service: service, checks: checks))
    }

    static func session(
        _ id: String, node: String, checks: [String] = [], behavior: SessionBehavior = .release,
        lockDelaySeconds: Int64 = 15, ttlSeconds: Int64? = nil
    ) -> Session {
        Session(
            id: id, name: "s-" + id, node: node, nodeChecks: checks, lockDelayNanoseconds: lockDelaySeconds * 1_000_000_000,
            behavior: behavior, ttlNanoseconds: ttlSeconds.map { $0 * 1_000_000_000 })
    }

    static func set(_ key: String, _ value: String, flags: UInt64 = 0) -> Command {
        .kv(.set(KVEntry(key: key, flags: flags, value: Array(value.utf8))))
    }

    static func lock(_ key: String, _ value: String = "", session: String) -> Command {
        .kv(.lock(KVEntry(key: key, value: Array(value.utf8)), session: session))
    }

    static func unlock(_ key: String, _ value: String = "", session: String) -> Command {
        .kv(.unlock(KVEntry(key: key, value: Array(value.utf8)), session: session))
    }
}
