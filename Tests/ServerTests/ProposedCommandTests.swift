// Proves the leader's shortcut around decoding its own entries: an entry applied at an index it
// proposed in the same term takes the kept command; one of another term at that index is
// decoded from its bytes; either way the kept command is dropped, so nothing accumulates.
import Foundation
import HTTP
import Raft
import Registry
@testable import Server
import Store
import XCTest

final class ProposedCommandTests: XCTestCase {
    private func set(_ key: String, _ value: String) -> Command {
        .kv(.set(KVEntry(key: key, value: Array(value.utf8))))
    }

    private func entry(_ index: UInt64, term: UInt64, _ command: Command) -> RaftEntry {
        RaftEntry(index: index, term: term, kind: .command, data: LogEntryPayload.encode(command, leaderMilliseconds: 1))
    }

    private func value(_ harness: NodeHarness, _ key: String) throws -> String? {
        try harness.store.kvEntry(key: key).value.map { String(decoding: $0.value.value, as: UTF8.self) }
    }

    func testTheLeaderAppliesWhatItProposedAndKeepsNothing() throws {
        var harness = try NodeHarness()
        _ = harness.advance(milliseconds: 3_000)
        XCTAssertEqual(try harness.send("PUT", "/v1/kv/a", body: "one").1?.status, .ok)
        XCTAssertEqual(try value(harness, "a"), "one")
        XCTAssertTrue(harness.node.proposedCommands.isEmpty, "applied proposals are dropped")
    }

    func testAnEntryOfTheSameTermTakesTheKeptCommandAndAnotherTermIsDecoded() throws {
        var harness = try NodeHarness()
        _ = harness.advance(milliseconds: 3_000)
        let next = harness.store.appliedIndex + 1
        // The kept command differs from the entry's bytes only so that the test can tell which
        // one was applied; in the node they are always the same command.
        harness.node.proposedCommands[next] = ProposedCommand(term: 5, command: set("k", "kept"), leaderMilliseconds: 1)
        harness.node.proposedCommands[next + 1] = ProposedCommand(term: 5, command: set("m", "kept"), leaderMilliseconds: 1)
        harness.node.apply([entry(next, term: 5, set("k", "bytes")), entry(next + 1, term: 6, set("m", "bytes"))])
        XCTAssertEqual(try value(harness, "k"), "kept")
        XCTAssertEqual(try value(harness, "m"), "bytes", "an entry of another term at a proposed index is decoded")
        XCTAssertTrue(harness.node.proposedCommands.isEmpty)
    }
}
