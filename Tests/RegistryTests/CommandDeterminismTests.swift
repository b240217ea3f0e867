// Proves encoding is deterministic: dictionaries filled and iterated in different orders give the same bytes, keys in UTF-8 byte order.
import Registry
import XCTest

final class CommandDeterminismTests: XCTestCase {
    static let keys = (0..<40).map { "key-\($0)" } + ["Z", "a", "é", "e\u{301}x", "日本", "🚀", ""]

    /// The same pairs inserted in a shuffled order into a dictionary of a different capacity,
    /// which changes its bucket layout and so (almost always) its iteration order.
    static func map(seed: UInt64, capacity: Int) -> [String: String] {
        var generator = SplitMix64(seed: seed)
        var map = [String: String](minimumCapacity: capacity)
        for key in keys.shuffled(using: &generator) {
            map[key] = "value of \(key)"
        }
        return map
    }

    func testDictionariesFilledInDifferentOrdersEncodeToTheSameBytes() {
        var iterationOrders = Set<[String]>()
        var encodings = Set<[UInt8]>()
        for seed in 0..<8 as Range<UInt64> {
            let meta = Self.map(seed: seed, capacity: Int(seed) * 300)
            iterationOrders.insert(Array(meta.keys))
            let node = Node(name: "n", address: "a", taggedAddresses: meta, meta: meta)
            var service = Service(id: "s", name: "s", meta: meta)
            service.taggedAddresses = meta.mapValues { ServiceAddress(address: $0, port: 1) }
            let definition = CheckDefinition(header: meta.mapValues { [$0, $0] })
            let check = Check(node: "n", checkID: "c", name: "c", definition: definition)
            let command = Command.catalogRegister(CatalogRegistration(node: node, service: service, checks: [check]))
            encodings.insert(command.encode())
        }
        XCTAssertGreaterThan(iterationOrders.count, 1, "the test must see dictionaries iterate differently")
        XCTAssertEqual(encodings.count, 1)
    }

    func testMapKeysAreWrittenInUTF8ByteOrder() {
        let node = Node(name: "", address: "", meta: ["b": "", "a": "", "B": "", "é": "", "aa": ""])
        let bytes = Command.catalogRegister(CatalogRegistration(node: node)).encode()
        // version, tag(2), id, name, address, datacenter, taggedAddresses count, meta count = 9 bytes.
        var rest = Array(bytes.dropFirst(9))
        var keys: [String] = []
        while rest.count > 3 {
            let length = Int(rest[0])
            keys.append(String(decoding: rest[1...length], as: UTF8.self))
            rest.removeFirst(length + 2)  // key length, key, empty value
        }
        XCTAssertEqual(keys, ["B", "a", "aa", "b", "é"])
    }

    func testEncodingTheSameCommandTwiceGivesTheSameBytes() {
        for command in CommandSamples.all {
            XCTAssertEqual(command.encode(), command.encode())
        }
    }
}
