// Proves that requests handed to the node together (`.requests`, what the shell reads in one
// loop round) are taken in order as one input: their writes make one log batch, and each is
// answered as if it had come alone.
import HTTP
import Server
import XCTest

final class BatchedRequestsTests: XCTestCase {
    private func put(_ key: String, _ value: String, connection: UInt64) throws -> IncomingRequest {
        let request = try HTTPRequest(method: "PUT", target: "/v1/kv/\(key)", version: .http1_1,
                                      headers: HTTPHeaders([("Host", "x")]), body: Array(value.utf8))
        return IncomingRequest(id: RequestID(connection: connection, sequence: 1), listener: .consul, request: request)
    }

    func testWritesThatArriveTogetherMakeOneLogBatchAndAreEachAnswered() throws {
        var harness = try NodeHarness()
        let batch = try (1...4).map { try put("batch/k\($0)", "v\($0)", connection: UInt64(100 + $0)) }
        var outputs: [NodeOutput] = []
        harness.node.step(.requests(batch), into: &outputs)
        let persists = outputs.compactMap { output -> PersistBatch? in
            if case .persist(let batch) = output { return batch } else { return nil }
        }
        XCTAssertEqual(persists.count, 1)
        XCTAssertEqual(persists.first?.entries.count, 4, "one entry per write, all in the first batch")
        let responses = harness.step(.persisted)
        XCTAssertEqual(responses.map(\.0.connection).sorted(), [101, 102, 103, 104])
        XCTAssertTrue(responses.allSatisfy { $0.1.status == .ok && $0.1.text == "true" }, "\(responses.map(\.1.text))")
        let (_, read) = try harness.send("GET", "/v1/kv/batch/k3?raw")
        XCTAssertEqual(read?.text, "v3")
    }

    func testABatchMixesReadsAndWritesInOrder() throws {
        var harness = try NodeHarness()
        let get = try HTTPRequest(method: "GET", target: "/v1/kv/mixed?raw", version: .http1_1, headers: HTTPHeaders([("Host", "x")]))
        let batch = [
            IncomingRequest(id: RequestID(connection: 1, sequence: 1), listener: .consul, request: get),
            try put("mixed", "after", connection: 2),
        ]
        let responses = harness.step(.requests(batch))
        let byConnection = Dictionary(uniqueKeysWithValues: responses.map { ($0.0.connection, $0.1) })
        XCTAssertEqual(byConnection[1]?.status, .notFound, "the read came first and saw no key")
        XCTAssertEqual(byConnection[2]?.text, "true")
    }
}
