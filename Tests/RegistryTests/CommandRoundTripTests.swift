// Proves every Command case, with awkward data, decodes back to exactly what was encoded.
import Registry
import XCTest

final class CommandRoundTripTests: XCTestCase {
    func testEveryCaseRoundTrips() throws {
        for tag in Command.Tag.allCases {
            let samples = CommandSamples.samples(of: tag)
            XCTAssertFalse(samples.isEmpty, "\(tag) needs samples")
            for command in samples {
                XCTAssertEqual(command.tag, tag)
                XCTAssertEqual(try Command.decode(command.encode()), command, "\(tag)")
            }
        }
    }

    func testEveryKVOperationAndTxnVerbRoundTrips() throws {
        for operation in CommandSamples.kvOperations {
            XCTAssertEqual(try Command.decode(Command.kv(operation).encode()), .kv(operation))
        }
        for operation in CommandSamples.txnOperations {
            XCTAssertEqual(try Command.decode(Command.txn([operation]).encode()), .txn([operation]))
        }
    }

    func testExtremeIntegersSurvive() throws {
        var definition = CheckDefinition()
        for value in [Int.min, -1, 0, 1, 63, 64, -64, -65, Int.max] {
            definition.successBeforePassing = value
            definition.ttlNanoseconds = Int64(value)
            let check = Check(node: "n", checkID: "c", name: "c", definition: definition, exposedPort: value)
            XCTAssertEqual(try Command.decode(Command.checkRegister(check).encode()), .checkRegister(check), "\(value)")
        }
        for value: UInt64 in [0, 127, 128, 16_383, 16_384, UInt64(Int64.max), UInt64.max] {
            let command = Command.sessionRenew(id: "s", nowMilliseconds: value)
            XCTAssertEqual(try Command.decode(command.encode()), command, "\(value)")
        }
    }

    func testNilAndPresentOptionalsAreDistinct() throws {
        let commands: [Command] = [
            .catalogDeregister(CatalogDeregistration(node: "n", serviceID: nil, checkID: nil)),
            .catalogDeregister(CatalogDeregistration(node: "n", serviceID: "", checkID: nil)),
            .catalogDeregister(CatalogDeregistration(node: "n", serviceID: nil, checkID: "")),
            .kv(.set(KVEntry(key: "k", session: nil))),
            .kv(.set(KVEntry(key: "k", session: ""))),
        ]
        let encodings = commands.map { $0.encode() }
        XCTAssertEqual(Set(encodings.map { $0.map(String.init).joined(separator: ",") }).count, commands.count)
        for (command, bytes) in zip(commands, encodings) {
            XCTAssertEqual(try Command.decode(bytes), command)
        }
    }

    func testLargeValueRoundTrips() throws {
        let value = (0..<(RegistryLimits.maxKVValueBytes + 1)).map { UInt8(truncatingIfNeeded: $0) }
        let command = Command.kv(.set(KVEntry(key: "big", value: value)))
        let bytes = command.encode()
        XCTAssertGreaterThan(bytes.count, value.count)
        XCTAssertEqual(try Command.decode(bytes), command)
    }
}
