// Proves the CLI's pure parts without sockets: where it finds the agent (-http-addr,
// CONSUL_HTTP_ADDR, default), how it reads responses off the wire, and that it prints what
// Consul's CLI prints for kv, catalog and members; and how agent flags land in the config.
import Agent
import XCTest
@testable import gravity

final class CLITests: XCTestCase {
    // MARK: Agent flags

    func testInitialClusterIsRepeatableAndCommaSeparatedAndWinsOverTheEnvironment() throws {
        let command = try AgentCommand.parse(["-initial-cluster", "n1=a,n2=b:9", "-initial-cluster", "n3=c"])
        var config = AgentConfig()
        try ConfigFile.applyEnvironment(["GRAVITY_INITIAL_CLUSTER": "x=y"], to: &config)
        try command.applyFlags(to: &config)
        XCTAssertEqual(config.initialCluster, ["n1=a", "n2=b:9", "n3=c"])
    }

    // MARK: Address

    func testAddressFromFlagEnvironmentOrDefault() throws {
        XCTAssertEqual(try ConsulHTTPAddress.resolve(flag: nil, environment: [:]), ConsulHTTPAddress(host: "127.0.0.1", port: 8500))
        XCTAssertEqual(try ConsulHTTPAddress.resolve(flag: nil, environment: ["CONSUL_HTTP_ADDR": "http://10.1.2.3:9500"]),
                       ConsulHTTPAddress(host: "10.1.2.3", port: 9500))
        XCTAssertEqual(try ConsulHTTPAddress.resolve(flag: "localhost:1234", environment: ["CONSUL_HTTP_ADDR": "10.1.2.3:9500"]),
                       ConsulHTTPAddress(host: "localhost", port: 1234), "the flag wins")
        XCTAssertEqual(try ConsulHTTPAddress.resolve(flag: nil, environment: ["CONSUL_HTTP_ADDR": ""]).port, 8500)
    }

    func testAddressForms() throws {
        XCTAssertEqual(try ConsulHTTPAddress.parse("HTTP://consul.local:8500/"), ConsulHTTPAddress(host: "consul.local", port: 8500))
        XCTAssertEqual(try ConsulHTTPAddress.parse("consul.local"), ConsulHTTPAddress(host: "consul.local", port: 80))
        XCTAssertEqual(try ConsulHTTPAddress.parse("[::1]:8500"), ConsulHTTPAddress(host: "::1", port: 8500))
        XCTAssertEqual(try ConsulHTTPAddress.parse("http://[fe80::1]"), ConsulHTTPAddress(host: "fe80::1", port: 80))
        XCTAssertEqual(ConsulHTTPAddress(host: "::1", port: 8500).authority, "[::1]:8500")
        for bad in ["https://x:8501", "unix:///tmp/consul.sock", "x:0", "x:port", ":8500", "::1:8500", "[::1"] {
            XCTAssertThrowsError(try ConsulHTTPAddress.parse(bad), bad)
        }
        XCTAssertEqual(try? ConsulHTTPAddress.parse("https://x"), nil)
    }

    // MARK: Wire

    func testRequestBytes() {
        let request = String(decoding: ConsulHTTPClient.requestBytes("PUT", "/v1/kv/a%20b", host: "127.0.0.1:8500", body: Array("v".utf8)), as: UTF8.self)
        XCTAssertEqual(request, "PUT /v1/kv/a%20b HTTP/1.1\r\nHost: 127.0.0.1:8500\r\nUser-Agent: gravity-cli\r\nAccept: */*\r\n"
                       + "Connection: close\r\nContent-Length: 1\r\n\r\nv")
    }

    func testParsesContentLengthChunkedAndEOFFramedResponses() throws {
        let sized = try ConsulHTTPClient.parseResponse(Array("HTTP/1.1 404 Not Found\r\nX-Consul-Index: 5\r\nContent-Length: 2\r\n\r\nhi-extra".utf8))
        XCTAssertEqual(sized.status, 404)
        XCTAssertEqual(sized.header("x-consul-index"), "5")
        XCTAssertEqual(sized.text, "hi")
        let chunked = try ConsulHTTPClient.parseResponse(Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n".utf8))
        XCTAssertEqual(chunked.text, "abcde")
        let untilClose = try ConsulHTTPClient.parseResponse(Array("HTTP/1.0 200 OK\r\n\r\nall of it".utf8))
        XCTAssertEqual(untilClose.text, "all of it")
        XCTAssertThrowsError(try ConsulHTTPClient.parseResponse(Array("garbage".utf8)))
        XCTAssertThrowsError(try ConsulHTTPClient.parseResponse(Array("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort".utf8)))
    }

    // MARK: kv

    func testKVPathsEscapeEverythingButSlashes() {
        XCTAssertEqual(KVPath.path("app/my key#1"), "/v1/kv/app/my%20key%231")
        XCTAssertEqual(KVPath.path("/leading", query: "raw"), "/v1/kv/leading?raw")
        XCTAssertEqual(KVPath.path("", query: "recurse"), "/v1/kv/?recurse")
    }

    func testKVGetPrintsTheRawValueOrConsulsErrors() throws {
        XCTAssertEqual(try KVGetCommand.valueOutput(response(200, "hello"), key: "k"), Array("hello\n".utf8))
        XCTAssertThrowsError(try KVGetCommand.valueOutput(response(404, ""), key: "/k")) { error in
            XCTAssertEqual(error as? CLIError, CLIError("Error! No key exists at: k"))
        }
        XCTAssertThrowsError(try KVGetCommand.valueOutput(response(400, "Missing key name"), key: "")) { error in
            XCTAssertEqual(error as? CLIError, CLIError("Error querying Consul agent: Unexpected response code: 400 (Missing key name)"))
        }
    }

    func testKVGetRecursePrintsKeyColonValueLines() throws {
        let body = #"[{"Key":"app/a","Value":"MQ==","Flags":0},{"Key":"app/b","Value":null}]"#
        XCTAssertEqual(String(decoding: try KVGetCommand.recurseOutput(response(200, body)), as: UTF8.self), "app/a:1\napp/b:\n")
        XCTAssertEqual(try KVGetCommand.recurseOutput(response(404, "")), [], "nothing under the prefix prints nothing")
    }

    func testKVPutAndDeleteMessages() throws {
        XCTAssertEqual(String(decoding: try KVPutCommand.output(response(200, "true"), key: "a/b"), as: UTF8.self), "Success! Data written to: a/b\n")
        XCTAssertThrowsError(try KVPutCommand.output(response(413, "Request body(9 bytes) too large, max size: 8 bytes"), key: "a")) { error in
            XCTAssertEqual((error as? CLIError)?.message,
                           "Error! Failed writing data: Unexpected response code: 413 (Request body(9 bytes) too large, max size: 8 bytes)")
        }
        XCTAssertEqual(String(decoding: try KVDeleteCommand.output(response(200, "true"), key: "a", recurse: false), as: UTF8.self),
                       "Success! Deleted key: a\n")
        XCTAssertEqual(String(decoding: try KVDeleteCommand.output(response(200, "true"), key: "a/", recurse: true), as: UTF8.self),
                       "Success! Deleted keys with prefix: a/\n")
        XCTAssertEqual(try KVPutCommand.valueBytes("plain"), Array("plain".utf8))
        XCTAssertEqual(try KVPutCommand.valueBytes(nil), [])
        XCTAssertThrowsError(try KVPutCommand.valueBytes("@/nonexistent/gravity-cli-test"))
    }

    // MARK: catalog and members

    func testCatalogServicesOneNamePerLineOrATableWithTags() throws {
        let body = #"{"web":["v2","blue"],"consul":[],"db":null}"#
        XCTAssertEqual(String(decoding: try CatalogServicesCommand.output(response(200, body), tags: false), as: UTF8.self), "consul\ndb\nweb\n")
        XCTAssertEqual(String(decoding: try CatalogServicesCommand.output(response(200, body), tags: true), as: UTF8.self),
                       "consul\ndb\nweb     blue,v2\n")
    }

    func testCatalogNodesTable() throws {
        let body = #"[{"ID":"0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e","Node":"n1","Address":"127.0.0.1","Datacenter":"dc1"},"#
            + #"{"ID":"","Node":"a-longer-name","Address":"10.0.0.12","Datacenter":"dc1","Meta":{}}]"#
        XCTAssertEqual(String(decoding: try CatalogNodesCommand.output(response(200, body)), as: UTF8.self), """
            Node           ID        Address    DC
            n1             0b9c1b6e  127.0.0.1  dc1
            a-longer-name            10.0.0.12  dc1

            """)
    }

    func testMembersTable() throws {
        let body = #"[{"Name":"n2","Addr":"10.0.0.2","Port":8301,"Tags":{"role":"node","dc":"dc1","build":"1.20.0:gravity-0.1.0","vsn":"2"},"Status":4},"#
            + #"{"Name":"n1","Addr":"10.0.0.1","Port":8300,"Tags":{"role":"consul","dc":"dc1","build":"1.20.0:gravity-0.1.0","vsn":"2"},"Status":1}]"#
        XCTAssertEqual(String(decoding: try MembersCommand.output(response(200, body)), as: UTF8.self), """
            Node  Address        Status  Type    Build   Protocol  DC   Partition  Segment
            n1    10.0.0.1:8300  alive   server  1.20.0  2         dc1  default    <all>
            n2    10.0.0.2:8301  failed  client  1.20.0  2         dc1  default    <default>

            """)
        XCTAssertThrowsError(try MembersCommand.output(response(404, "Invalid URL path: not a recognized HTTP API endpoint")))
    }

    func testOperatorRaftListPeersRemoveAndTransfer() throws {
        let body = #"{"Servers":[{"ID":"aa-1","Node":"n1","Address":"10.0.0.1:8300","Leader":true,"Voter":true,"ProtocolVersion":"3","LastIndex":9},"#
            + #"{"ID":"bb-2","Node":"n2","Address":"10.0.0.2:8300","Leader":false,"Voter":false,"ProtocolVersion":"3","LastIndex":0}],"Index":0}"#
        XCTAssertEqual(String(decoding: try OperatorCommand.ListPeers.output(response(200, body)), as: UTF8.self), """
            Node  ID    Address        State     Voter  RaftProtocol
            n1    aa-1  10.0.0.1:8300  leader    true   3
            n2    bb-2  10.0.0.2:8300  follower  false  3

            """)
        XCTAssertThrowsError(try OperatorCommand.ListPeers.output(response(500, "No cluster leader"))) { error in
            XCTAssertEqual("\(error)", "Error getting peers: Unexpected response code: 500 (No cluster leader)")
        }
        XCTAssertEqual(String(decoding: try OperatorCommand.RemovePeer.output(response(200, ""), address: "10.0.0.2:8300", id: nil), as: UTF8.self),
                       "Removed peer with address \"10.0.0.2:8300\"\n")
        XCTAssertEqual(String(decoding: try OperatorCommand.TransferLeader.output(response(200, #"{"Success":true}"#)), as: UTF8.self), "Success\n")
        XCTAssertEqual(OperatorCommand.RemovePeer.escape("[::1]:8300"), "[::1]:8300")
        XCTAssertEqual(OperatorCommand.RemovePeer.escape("a b&c"), "a%20b%26c")
    }

    func testTableTrimsTrailingBlanksAndPadsAllButTheLastColumn() {
        XCTAssertEqual(CLIOutput.table([["a", "bb", "c"], ["ddd", "", ""]]), "a    bb  c\nddd\n")
        XCTAssertEqual(CLIOutput.table([]), "")
    }

    private func response(_ status: Int, _ body: String) -> ClientResponse {
        ClientResponse(status: status, headers: [], body: Array(body.utf8))
    }
}
