// Proves service validation refuses what Consul refuses, in Consul's words: name, wildcard address, weights, meta, ports.
import Registry
import XCTest

final class ServiceValidationTests: XCTestCase {
    let valid = Service(id: "web-1", name: "web", tags: ["a"], address: "10.0.0.1", meta: ["version": "1"], port: 8080)

    func testAValidServicePasses() throws {
        try valid.validate()
        try Service(id: "", name: "minimal").validate()
    }

    func testNameIsRequired() {
        var service = valid
        service.name = ""
        assertRefused("Missing service name", field: "Service") { try service.validate() }
    }

    func testWildcardAddressesAreRefused() {
        for address in ["0.0.0.0", "::", "[::]"] {
            var service = valid
            service.address = address
            assertRefused("Invalid service address", field: "Address") { try service.validate() }
        }
    }

    func testWeights() throws {
        var service = valid
        service.weights = Weights(passing: 0, warning: 1)
        assertRefused("Invalid Weights: Passing must be greater than 0") { try service.validate() }
        service.weights = Weights(passing: 1, warning: -1)
        assertRefused("Invalid Weights: Warning must be greater or equal than 0") { try service.validate() }
        service.weights = Weights(passing: 65_536, warning: 0)
        assertRefused("Invalid Weights: DNS Weight must be between 0 and 65535") { try service.validate() }
        service.weights = Weights(passing: 1, warning: 0)
        try service.validate()
        XCTAssertEqual(Weights(), Weights(passing: 1, warning: 1))
    }

    func testMetaRules() throws {
        let prefix = "Invalid Service Meta: "
        let cases: [([String: String], String)] = [
            (["": "v"], "Couldn't load metadata pair ('', 'v'): Key cannot be blank"),
            (["a b": "v"], "Couldn't load metadata pair ('a b', 'v'): Key contains invalid characters"),
            (["ké": "v"], "Couldn't load metadata pair ('ké', 'v'): Key contains invalid characters"),
            ([String(repeating: "k", count: 129): "v"],
             "Couldn't load metadata pair ('\(String(repeating: "k", count: 129))', 'v'): Key is too long (limit: 128 characters)"),
            (["consul-version": "1"], "Couldn't load metadata pair ('consul-version', '1'): Key prefix 'consul-' is reserved for internal use"),
            (["k": String(repeating: "v", count: 513)],
             "Couldn't load metadata pair ('k', '\(String(repeating: "v", count: 513))'): Value is too long (limit: 512 characters)"),
        ]
        for (meta, message) in cases {
            var service = valid
            service.meta = meta
            assertRefused(prefix + message, field: "Meta") { try service.validate() }
        }
        var service = valid
        service.meta = [String(repeating: "k", count: 128): String(repeating: "v", count: 512), "Under_score-1": ""]
        try service.validate()
    }

    func testMetaPairCountAndFirstBadKeyIsDeterministic() throws {
        var service = valid
        service.meta = Dictionary(uniqueKeysWithValues: (0..<64).map { ("k\($0)", "") })
        try service.validate()
        service.meta["one-too-many"] = ""
        assertRefused("Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs") {
            try service.validate()
        }
        // Several bad keys: the first in byte order is reported, whatever the dictionary order.
        service.meta = ["z z": "", "b b": "", "consul-x": "", "a a": ""]
        assertRefused("Invalid Service Meta: Couldn't load metadata pair ('a a', ''): Key contains invalid characters") {
            try service.validate()
        }
    }

    func testPorts() throws {
        for port in [-1, 65_536, Int.max] {
            var service = valid
            service.port = port
            assertRefused("Invalid service port \(port): must be between 0 and 65535", field: "Port") {
                try service.validate()
            }
        }
        var service = valid
        service.port = 65_535
        service.taggedAddresses = ["lan": ServiceAddress(address: "10.0.0.1", port: 0)]
        try service.validate()
        service.taggedAddresses["wan"] = ServiceAddress(address: "203.0.113.1", port: 70_000)
        assertRefused("Invalid tagged address \"wan\" port 70000: must be between 0 and 65535", field: "TaggedAddresses") {
            try service.validate()
        }
    }

    func testChecksInConsulOrderNameFirst() {
        let service = Service(id: "", name: "", address: "0.0.0.0", port: -1, weights: Weights(passing: 0))
        assertRefused("Missing service name") { try service.validate() }
    }
}
