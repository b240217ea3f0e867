// Proves /v1/event: fire answers Consul's event JSON and writes through a command, list shows
// the events meant for this agent with Consul's opaque index, filters and names are checked,
// and a blocking list waits while the index equals the client's.
import API
import HTTP
import Registry
import Store
import XCTest

/// ConsulAPI over a real store: a write is applied at the next index and answered, as the node would.
struct EventTestDriver {
    let api = ConsulAPI()
    let store: StateStore
    let view: NodeView
    var nextIndex: UInt64 = 1
    var ids: [String]

    init() throws {
        store = try temporaryStateStore()
        view = try makeView()
        ids = (1...9).map { "6f9619ff-8b86-d011-b42d-00c04fc964f\($0)" }
    }

    mutating func apply(_ command: Command) -> ApplyResult {
        defer { nextIndex += 1 }
        return store.apply(command, at: nextIndex, leaderMilliseconds: 1_700_000_000_000).result
    }

    /// Runs the handler; a write is applied and its answer returned, a wait comes back as nil.
    mutating func send(_ method: String, _ target: String, body: String = "", finalAttempt: Bool = false) throws -> HTTPResponse? {
        let environment = RequestEnvironment(node: view, store: store, wallMilliseconds: 1_700_000_000_000,
                                             newID: ids.isEmpty ? "00000000-0000-0000-0000-000000000000" : ids.removeFirst(),
                                             finalAttempt: finalAttempt)
        switch api.handle(try request(method, target, body: body), environment: environment) {
        case .response(let response), .read(let response, _): return response
        case .write(let command, let respond): return respond(apply(command))
        case .wait, .probe, .operate: return nil
        }
    }
}

final class EventEndpointTests: XCTestCase {
    func testFireAnswersConsulsEventJSON() throws {
        var d = try EventTestDriver()
        let fired = try XCTUnwrap(d.send("PUT", "/v1/event/fire/deploy?service=web&tag=v1", body: "v1.2.3"))
        XCTAssertEqual(fired.status, .ok)
        XCTAssertEqual(fired.text, """
            {"ID":"6f9619ff-8b86-d011-b42d-00c04fc964f1","Name":"deploy","Payload":"djEuMi4z","NodeFilter":"",\
            "ServiceFilter":"web","TagFilter":"v1","Version":1,"LTime":0}
            """)
        let empty = try XCTUnwrap(d.send("PUT", "/v1/event/fire/ping"))
        XCTAssertEqual(try JSONParser.parse(empty.body)["Payload"], .null)
    }

    func testListShowsEventsWithLamportTimesAndConsulsIndex() throws {
        var d = try EventTestDriver()
        _ = try d.send("PUT", "/v1/event/fire/a", body: "x")
        _ = try d.send("PUT", "/v1/event/fire/b")
        _ = try d.send("PUT", "/v1/event/fire/a", body: "y")
        let all = try XCTUnwrap(d.send("GET", "/v1/event/list"))
        let events = try JSONParser.parse(all.body)
        guard case .array(let items) = events else { return XCTFail(all.text) }
        XCTAssertEqual(items.map { $0["Name"] }, ["a", "b", "a"])
        XCTAssertEqual(items.map { $0["LTime"] }, [1, 2, 3])
        // uuidToUint64 of ...f3: 6f9619ff8b86d011 XOR b42d00c04fc964f3.
        XCTAssertEqual(all.headers["X-Consul-Index"], String(UInt64(0x6f9619ff8b86d011) ^ UInt64(0xb42d00c04fc964f3)))
        let named = try XCTUnwrap(d.send("GET", "/v1/event/list?name=b"))
        guard case .array(let onlyB) = try JSONParser.parse(named.body) else { return XCTFail(named.text) }
        XCTAssertEqual(onlyB.map { $0["ID"] }, ["6f9619ff-8b86-d011-b42d-00c04fc964f2"], "IDs are drawn in request order")
    }

    func testListKeepsOnlyEventsWhoseFiltersMatchThisAgent() throws {
        var d = try EventTestDriver()
        let node = d.view.identity.nodeName
        let registration = CatalogRegistration(
            node: Node(name: node, address: "10.0.0.1"), service: Service(id: "web-1", name: "web", tags: ["v1", "blue"]))
        XCTAssertEqual(d.apply(.catalogRegister(registration)), .done)
        _ = try d.send("PUT", "/v1/event/fire/for-us?node=^node-&service=web&tag=^bl")
        _ = try d.send("PUT", "/v1/event/fire/other-node?node=^elsewhere$")
        _ = try d.send("PUT", "/v1/event/fire/other-service?service=^db$")
        _ = try d.send("PUT", "/v1/event/fire/other-tag?service=web&tag=green")
        let listed = try XCTUnwrap(d.send("GET", "/v1/event/list"))
        guard case .array(let items) = try JSONParser.parse(listed.body) else { return XCTFail(listed.text) }
        XCTAssertEqual(items.map { $0["Name"] }, ["for-us"])
    }

    func testRefusals() throws {
        var d = try EventTestDriver()
        let cases: [(String, String, HTTPStatus, String)] = [
            ("/v1/event/fire/", "", .badRequest, "Missing name"),
            ("/v1/event/fire/_rexec", "", .badRequest, #"Invalid event name "_rexec": names starting with '_' are reserved"#),
            ("/v1/event/fire/e?tag=v1", "", .badRequest, "Cannot provide tag filter without service filter"),
            ("/v1/event/fire/e?node=(unclosed", "", .badRequest, "Invalid node filter: "),
            ("/v1/event/fire/e", String(repeating: "p", count: 512), .payloadTooLarge,
             "user event exceeds configured limit of 512 bytes before encoding"),
        ]
        for (target, body, status, text) in cases {
            let response = try XCTUnwrap(d.send("PUT", target, body: body))
            XCTAssertEqual(response.status, status, target)
            XCTAssertTrue(response.text.hasPrefix(text), "\(target): \(response.text)")
        }
        let none = try XCTUnwrap(d.send("GET", "/v1/event/list"))
        XCTAssertEqual(none.text, "[]", "refused events are not kept")
        XCTAssertEqual(none.headers["X-Consul-Index"], "1", "no events: index 1, never 0")
    }

    func testBlockingListWaitsWhileTheIndexIsTheClients() throws {
        var d = try EventTestDriver()
        _ = try d.send("PUT", "/v1/event/fire/first")
        let index = try XCTUnwrap(d.send("GET", "/v1/event/list")?.headers["X-Consul-Index"])
        XCTAssertNil(try d.send("GET", "/v1/event/list?index=\(index)&wait=1s"), "nothing new: it waits")
        let timedOut = try XCTUnwrap(d.send("GET", "/v1/event/list?index=\(index)&wait=1s", finalAttempt: true))
        XCTAssertEqual(timedOut.headers["X-Consul-Index"], index)
        XCTAssertNotNil(try d.send("GET", "/v1/event/list?index=12345"), "any other index answers at once: it is not monotonic")
        _ = try d.send("PUT", "/v1/event/fire/second")
        let woken = try XCTUnwrap(d.send("GET", "/v1/event/list?index=\(index)&wait=1s"))
        XCTAssertNotEqual(woken.headers["X-Consul-Index"], index)
    }
}
