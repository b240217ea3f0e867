import HTTP
import Server
import XCTest

/// `ServerNode.step(_:into:beforeApplying:)`: what the node asks for before it applies
/// committed entries is handed out first, so the shell can start the next log batch's fsync
/// while the node applies; taking those outputs early changes no order.
final class EarlyOutputTests: XCTestCase {
    private func put(_ key: String, _ sequence: UInt64) throws -> NodeInput {
        let request = try HTTPRequest(method: "PUT", target: "/v1/kv/\(key)", version: .http1_1,
                                      headers: HTTPHeaders([("Host", "x")]), body: Array("v".utf8))
        return .request(RequestID(connection: 1, sequence: sequence), .consul, request)
    }

    /// Two writes: the first one's batch is in flight when the second arrives, so when the first
    /// is durable the node has the second batch to persist and the first entry to apply.
    private func nodeWithTwoWritesInFlight() throws -> NodeHarness {
        var harness = try NodeHarness()
        var outputs: [NodeOutput] = []
        harness.node.step(try put("a", 1), into: &outputs)
        XCTAssertEqual(outputs.filter { if case .persist = $0 { true } else { false } }.count, 1, "the first write's batch goes out")
        outputs.removeAll()
        harness.node.step(try put("b", 2), into: &outputs)
        XCTAssertTrue(outputs.allSatisfy { if case .persist = $0 { false } else { true } }, "one batch in flight at a time")
        return harness
    }

    func testTheNextBatchIsHandedOutBeforeTheEntriesAreApplied() throws {
        var harness = try nodeWithTwoWritesInFlight()
        var early: [NodeOutput] = []
        var outputs: [NodeOutput] = []
        var calls = 0
        harness.node.step(.persisted, into: &outputs) { gathered in
            calls += 1
            early.append(contentsOf: gathered)
            gathered.removeAll()
        }
        XCTAssertEqual(calls, 1)
        guard case .persist(let batch)? = early.first else { return XCTFail("early outputs: \(early)") }
        XCTAssertEqual(batch.entries.count, 1, "the second write's entry")
        XCTAssertFalse(early.contains { if case .respond = $0 { true } else { false } }, "nothing is answered before it is applied")
        let answered = outputs.compactMap { output -> (RequestID, HTTPResponse)? in
            if case .respond(let id, let response) = output { (id, response) } else { nil }
        }
        XCTAssertEqual(answered.map(\.0.sequence), [1])
        XCTAssertEqual(answered.first.map { String(decoding: $0.1.body, as: UTF8.self) }, "true")
    }

    func testTakingOutputsEarlyChangesNoOrder() throws {
        var taking = try nodeWithTwoWritesInFlight()
        var leaving = try nodeWithTwoWritesInFlight()
        var early: [NodeOutput] = []
        var rest: [NodeOutput] = []
        taking.node.step(.persisted, into: &rest) { gathered in
            early.append(contentsOf: gathered)
            gathered.removeAll()
        }
        var all: [NodeOutput] = []
        leaving.node.step(.persisted, into: &all)
        XCTAssertEqual(describe(early + rest), describe(all))
    }

    private func describe(_ outputs: [NodeOutput]) -> [String] {
        outputs.map { output in
            switch output {
            case .respond(let id, let response): "respond \(id.sequence) \(response.status.code)"
            case .persist(let batch): "persist \(batch.entries.map(\.index))"
            default: "\(output)"
            }
        }
    }
}
