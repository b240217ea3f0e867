// Proves command tag numbers and the exact bytes of small commands never change, so a renumbering cannot corrupt a Raft log.
import Registry
import XCTest

final class CommandTagTests: XCTestCase {
    /// The append-only table of Command.swift. Add rows; never edit one.
    static let pinned: [(Command.Tag, UInt16)] = [
        (.catalogRegister, 1), (.catalogDeregister, 2), (.serviceRegister, 3), (.serviceDeregister, 4),
        (.checkRegister, 5), (.checkDeregister, 6), (.checkUpdate, 7), (.kv, 8), (.sessionCreate, 9),
        (.sessionDestroy, 10), (.sessionRenew, 11), (.txn, 12), (.eventFire, 13), (.ttlExpired, 14),
        (.configPut, 15), (.configDelete, 16), (.leaseGrant, 17), (.leaseRelease, 18), (.checkResult, 19),
        (.nodeLiveness, 20),
    ]

    func testEveryTagKeepsItsNumber() {
        XCTAssertEqual(Command.Tag.allCases.count, Self.pinned.count, "a new tag needs a row in `pinned`")
        for (tag, number) in Self.pinned {
            XCTAssertEqual(tag.rawValue, number, "\(tag)")
            XCTAssertEqual(Command.Tag(rawValue: number), tag)
        }
    }

    func testEveryCommandWritesItsTagAfterTheVersion() {
        for (tag, number) in Self.pinned {
            for command in CommandSamples.samples(of: tag) {
                let bytes = command.encode()
                XCTAssertEqual(Array(bytes.prefix(3)), [1, UInt8(number >> 8), UInt8(number & 0xff)], "\(tag)")
            }
        }
    }

    func testSmallCommandsKeepTheirExactBytes() {
        XCTAssertEqual(Command.sessionDestroy(id: "ab").encode(), [1, 0, 10, 2, 0x61, 0x62])
        XCTAssertEqual(Command.sessionRenew(id: "", nowMilliseconds: 300).encode(), [1, 0, 11, 0, 0xac, 0x02])
        XCTAssertEqual(Command.kv(.delete(key: "k")).encode(), [1, 0, 8, 5, 1, 0x6b])
        XCTAssertEqual(Command.kv(.deleteCAS(key: "", index: 1)).encode(), [1, 0, 8, 6, 0, 1])
        XCTAssertEqual(
            Command.checkUpdate(CheckUpdate(node: "n", checkID: "c", status: .warning, output: "")).encode(),
            [1, 0, 7, 1, 0x6e, 1, 0x63, 2, 0])
        XCTAssertEqual(
            Command.catalogDeregister(CatalogDeregistration(node: "n", serviceID: nil, checkID: "c")).encode(),
            [1, 0, 2, 1, 0x6e, 0, 1, 1, 0x63])
        // KVEntry: key, flags, value, session?, lockIndex; set = operation code 1.
        XCTAssertEqual(
            Command.kv(.set(KVEntry(key: "k", flags: 1, value: [9], session: "s", lockIndex: 2))).encode(),
            [1, 0, 8, 1, 1, 0x6b, 1, 1, 9, 1, 1, 0x73, 2])
        // Session: id, name, node, nodeChecks, serviceChecks, lockDelay (zigzag), behavior, ttl?; then now.
        let session = Session(id: "i", node: "n", nodeChecks: ["c"], lockDelayNanoseconds: -1, behavior: .delete, ttlNanoseconds: 1)
        XCTAssertEqual(
            Command.sessionCreate(session, nowMilliseconds: 5).encode(),
            [1, 0, 9, 1, 0x69, 0, 1, 0x6e, 1, 1, 0x63, 0, 1, 2, 1, 2, 5])
    }
}
