// Proves the catalog endpoints end to end: register and deregister (`true`, lowercase bodies,
// refusals that change nothing), the Node / ServiceNode / NodeService shapes, node-meta and tag
// filters, unknown names, index headers, and blocking queries that wake only for what they watch.
import API
import HTTP
import Registry
import Server
import XCTest

final class CatalogEndpointTests: XCTestCase {
    static let redis = """
        {"Node":"ext","Address":"10.1.1.1","NodeMeta":{"env":"prod"},"TaggedAddresses":{"wan":"1.2.3.4"},
         "Service":{"Service":"redis","Port":6379,"Tags":["primary","v7"]},
         "Check":{"Name":"redis alive","ServiceID":"redis","Status":"passing","Definition":{"TCP":"10.1.1.1:6379","Interval":"10s"}}}
        """
    // py-consul's spelling: all-lowercase keys, the service name under "service".
    static let redisReplica = #"{"node":"ext2","address":"10.1.1.2","service":{"service":"redis","id":"redis-2","port":6380,"tags":["replica"]},"check":{"name":"host up"}}"#

    func register(_ h: inout NodeHarness, _ body: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let response = try h.must("PUT", "/v1/catalog/register", body: body, file: file, line: line)
        XCTAssertEqual(response.status, .ok, response.text, file: file, line: line)
        XCTAssertEqual(response.text, "true", file: file, line: line)
    }

    func testRegisteredEntriesAppearInNodesServicesAndService() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        try register(&h, Self.redisReplica)
        let nodes = items(try h.getJSON("/v1/catalog/nodes"))
        XCTAssertEqual(nodes.map { $0["Node"] }, ["ext", "ext2", "n1"])
        XCTAssertEqual(keys(nodes.first), ["ID", "Node", "Address", "Datacenter", "TaggedAddresses", "Meta", "CreateIndex", "ModifyIndex"])
        XCTAssertEqual(nodes[0]["Datacenter"], "dc1")
        XCTAssertEqual(nodes[0]["TaggedAddresses"], .object([("wan", "1.2.3.4")]))
        XCTAssertEqual(nodes[1]["TaggedAddresses"], .null, "Consul shows null for a node registered without tagged addresses")
        XCTAssertEqual(nodes[1]["Meta"], .object([]))

        XCTAssertEqual(try h.getJSON("/v1/catalog/services"),
                       .object([("consul", .array([])), ("redis", .array(["primary", "replica", "v7"]))]))

        let instances = items(try h.getJSON("/v1/catalog/service/redis"))
        XCTAssertEqual(instances.map { $0["ServiceID"] }, ["redis", "redis-2"])
        XCTAssertEqual(keys(instances.first), [
            "ID", "Node", "Address", "Datacenter", "TaggedAddresses", "NodeMeta", "ServiceKind", "ServiceID", "ServiceName",
            "ServiceTags", "ServiceAddress", "ServiceWeights", "ServiceMeta", "ServicePort", "ServiceSocketPath",
            "ServiceEnableTagOverride", "ServiceProxy", "ServiceConnect", "CreateIndex", "ModifyIndex",
        ])
        XCTAssertEqual(instances[0]["Address"], "10.1.1.1")
        XCTAssertEqual(instances[0]["NodeMeta"], .object([("env", "prod")]))
        XCTAssertEqual(instances[0]["ServicePort"], .int(6379))
        XCTAssertEqual(instances[0]["ServiceAddress"], "")
        XCTAssertEqual(instances[0]["ServiceWeights"], .object([("Passing", 1), ("Warning", 1)]))
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/nope")), [], "unknown service: []")
    }

    func testTagsMustAllMatchAndNodeMetaFilters() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        try register(&h, Self.redisReplica)
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/redis?tag=primary")).map { $0["Node"] }, ["ext"])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/redis?tag=primary&tag=v7")).map { $0["Node"] }, ["ext"])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/redis?tag=primary&tag=replica")), [])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/redis?node-meta=env:prod")).map { $0["Node"] }, ["ext"])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/nodes?node-meta=env:prod")).map { $0["Node"] }, ["ext"])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/nodes?node-meta=env:dev")), [])
        XCTAssertEqual(try h.getJSON("/v1/catalog/services?node-meta=env:prod"), .object([("redis", .array(["primary", "v7"]))]))
        XCTAssertEqual(try h.getJSON("/v1/catalog/services?node-meta=consul-version:1.20.0"), .object([("consul", .array([]))]))
    }

    func testNodeAndNodeServicesShapes() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        let node = try h.getJSON("/v1/catalog/node/ext")
        XCTAssertEqual(keys(node), ["Node", "Services"])
        XCTAssertEqual(node["Node"]?["Address"], "10.1.1.1")
        XCTAssertEqual(keys(node["Services"]), ["redis"])
        XCTAssertEqual(keys(node["Services"]?["redis"]), ["ID", "Service", "Tags", "Address", "Meta", "Port", "Weights",
                                                          "EnableTagOverride", "Proxy", "Connect", "CreateIndex", "ModifyIndex"])
        let list = try h.getJSON("/v1/catalog/node-services/ext")
        XCTAssertEqual(items(list["Services"]).map { $0["ID"] }, ["redis"])

        let unknown = try h.must("GET", "/v1/catalog/node/nope")
        XCTAssertEqual(unknown.status, .ok)
        XCTAssertEqual(unknown.text, "null")
        XCTAssertGreaterThanOrEqual(try h.consulIndex(unknown), 1, "clients need the index even for a miss")
        XCTAssertEqual(try h.must("GET", "/v1/catalog/node-services/nope").text, #"{"Node":null,"Services":[]}"#)
    }

    func testCatalogChecksAreRecordsWithTheirDefinition() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        try register(&h, Self.redisReplica)
        let checks = try h.store.checks(onNode: "ext").value.map(\.value)
        XCTAssertEqual(checks.map(\.checkID), ["redis alive"], "the ID defaults to the name")
        XCTAssertEqual(checks.first?.status, .passing)
        XCTAssertEqual(checks.first?.definition.tcp, "10.1.1.1:6379")
        XCTAssertEqual(checks.first?.definition.intervalNanoseconds, 10_000_000_000)
        XCTAssertEqual(try h.store.checks(onNode: "ext2").value.map(\.value.status), [.critical], "status defaults to critical")
    }

    func testDeregisterServiceCheckAndNode() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        try register(&h, Self.redisReplica)
        for body in [#"{"Node":"ext","CheckID":"redis alive"}"#, #"{"node":"ext","serviceid":"redis"}"#, #"{"Node":"ext2"}"#] {
            let response = try h.must("PUT", "/v1/catalog/deregister", body: body)
            XCTAssertEqual(response.text, "true", body)
        }
        XCTAssertEqual(try h.store.checks(onNode: "ext").value, [])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/service/redis")), [])
        XCTAssertEqual(items(try h.getJSON("/v1/catalog/nodes")).map { $0["Node"] }, ["ext", "n1"])
        XCTAssertEqual(try h.must("PUT", "/v1/catalog/deregister", body: #"{"Node":"nope"}"#).text, "true", "what is not there is ignored")
    }

    func testDatacenters() throws {
        var h = try NodeHarness()
        XCTAssertEqual(try h.getJSON("/v1/catalog/datacenters"), .array(["dc1"]))
    }

    func testBadRegistrationsAreRefusedNamingTheProblemAndChangeNothing() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        let before = try h.catalogSnapshot()
        let cases: [(String, String, HTTPStatus, String)] = [
            ("register", "", .badRequest, "Request decode failed: EOF"),
            ("register", #"{"Node":"x","#, .badRequest, "Request decode failed: "),
            ("register", #"["x"]"#, .badRequest, "Request decode failed: json: cannot unmarshal array into Go value of type structs.RegisterRequest"),
            ("register", #"{"Node":"x"}"#, .badRequest, "Must provide address if SkipNodeUpdate is not set"),
            ("register", #"{"Address":"10.0.0.9"}"#, .badRequest, "Missing node name"),
            ("register", #"{"Node":"x","Address":"a","Service":{"Service":"s","Port":"80"}}"#, .badRequest,
             "Request decode failed: json: cannot unmarshal string into Go struct field RegisterRequest.Service.Port of type int"),
            ("register", #"{"Node":"x","Address":"a","Service":{"Port":80}}"#, .badRequest, "Missing service name"),
            ("register", #"{"Node":"x","Address":"a","NodeMeta":{"consul-x":"1"}}"#, .badRequest, "Invalid Node Meta: "),
            ("register", #"{"Node":"x","Address":"a","Check":{"Name":"c","Status":"weird"}}"#, .badRequest, "Bad check status"),
            ("register", #"{"Node":"x","Address":"a","Check":{"Name":"c","Definition":{"Interval":"often"}}}"#, .badRequest,
             #"Request decode failed: time: invalid duration "often" in RegisterRequest.Check.Definition.Interval"#),
            ("register", #"{"Node":"x","Address":"a","Datacenter":"dc2"}"#, .internalServerError, "No path to datacenter"),
            // Refused by apply, after the log: still nothing changes, not even the node.
            ("register", #"{"Node":"x","Address":"a","Check":{"Name":"c","ServiceID":"nope"}}"#, .internalServerError,
             "failed inserting check: Missing service registration"),
            ("deregister", #"{"ServiceID":"redis"}"#, .badRequest, "Missing node name"),
            ("deregister", #"{"Node":5}"#, .badRequest, "Request decode failed: json: cannot unmarshal number into Go struct field DeregisterRequest.Node of type string"),
        ]
        for (path, body, status, prefix) in cases {
            let response = try h.must("PUT", "/v1/catalog/\(path)", body: body)
            XCTAssertEqual(response.status, status, "\(body): \(response.text)")
            XCTAssertTrue(response.text.hasPrefix(prefix), "\(body): \(response.text)")
        }
        XCTAssertEqual(try h.catalogSnapshot(), before)
    }

    func testReadsCarryIndexAndLeaderHeaders() throws {
        var h = try NodeHarness()
        try register(&h, Self.redis)
        for target in ["/v1/catalog/nodes", "/v1/catalog/services", "/v1/catalog/service/redis", "/v1/catalog/service/nope",
                       "/v1/catalog/services?node-meta=env:prod", "/v1/catalog/node/ext", "/v1/catalog/node-services/ext",
                       "/v1/agent/services", "/v1/agent/checks"] {
            let response = try h.must("GET", target)
            XCTAssertEqual(response.status, .ok, target)
            XCTAssertGreaterThanOrEqual(try h.consulIndex(response), 1, target)
            XCTAssertEqual(response.headers["X-Consul-KnownLeader"], "true", target)
            XCTAssertEqual(response.headers["X-Consul-LastContact"], "0", target)
        }
    }

    func testBlockingServiceQueryWakesForItsServiceOnly() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web","Port":80}"#)
        let first = try h.must("GET", "/v1/catalog/service/web")
        let index = try h.consulIndex(first)

        let (waiting, immediate) = try h.send("GET", "/v1/catalog/service/web?index=\(index)")
        XCTAssertNil(immediate, "nothing newer than the client's index: the query parks")
        let (_, afterOther) = try h.sendCollecting("PUT", "/v1/agent/service/register", body: #"{"Name":"db"}"#)
        XCTAssertNil(afterOther.first { $0.0 == waiting }, "a registration of another service does not answer it")
        try register(&h, #"{"Node":"ext","Address":"10.0.0.2","Service":{"Service":"cache"}}"#)

        let (_, afterWeb) = try h.sendCollecting("PUT", "/v1/agent/service/register", body: #"{"Name":"web","Port":81}"#)
        let woken = try XCTUnwrap(afterWeb.first { $0.0 == waiting }?.1, "a registration of web answers it")
        XCTAssertGreaterThan(try h.consulIndex(woken), index)
        XCTAssertEqual(items(try JSONParser.parse(woken.body)).first?["ServicePort"], .int(81))
    }

    func testBlockingQueryTimesOutWithTheSameIndexAndBody() throws {
        var h = try NodeHarness()
        try h.agentWrite("/v1/agent/service/register", body: #"{"Name":"web"}"#)
        let first = try h.must("GET", "/v1/catalog/service/web")
        let index = try h.consulIndex(first)
        let (waiting, immediate) = try h.send("GET", "/v1/catalog/service/web?index=\(index)&wait=2s")
        XCTAssertNil(immediate)
        XCTAssertTrue(h.advance(milliseconds: 1_999).isEmpty, "not before its wait")
        let answered = h.advance(milliseconds: 2_000 / 16 + 1)  // the wait plus at most wait/16 of jitter
        let response = try XCTUnwrap(answered.first { $0.0 == waiting }?.1)
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(try h.consulIndex(response), index)
        XCTAssertEqual(response.body, first.body)
    }

    func testBlockingOnNodesAndServicesListsWakesOnTheirChanges() throws {
        var h = try NodeHarness()
        let nodesIndex = try h.consulIndex(try h.must("GET", "/v1/catalog/nodes"))
        let servicesIndex = try h.consulIndex(try h.must("GET", "/v1/catalog/services"))
        let (nodesWaiter, _) = try h.send("GET", "/v1/catalog/nodes?index=\(nodesIndex)")
        let (servicesWaiter, _) = try h.send("GET", "/v1/catalog/services?index=\(servicesIndex)")
        let (_, afterCheck) = try h.sendCollecting("PUT", "/v1/agent/check/register", body: #"{"Name":"t","TTL":"1m"}"#)
        XCTAssertTrue(afterCheck.filter { $0.0 == nodesWaiter || $0.0 == servicesWaiter }.isEmpty, "a check changes neither list")
        let (_, afterService) = try h.sendCollecting("PUT", "/v1/agent/service/register", body: #"{"Name":"web"}"#)
        XCTAssertEqual(afterService.filter { $0.0 == servicesWaiter }.count, 1)
        XCTAssertTrue(afterService.filter { $0.0 == nodesWaiter }.isEmpty)
        let (_, afterNode) = try h.sendCollecting("PUT", "/v1/catalog/register", body: #"{"Node":"ext","Address":"10.0.0.3"}"#)
        XCTAssertEqual(afterNode.filter { $0.0 == nodesWaiter }.count, 1)
    }
}
