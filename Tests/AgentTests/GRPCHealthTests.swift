// Proves the socket-free parts of gRPC and H2PING checks: the request's protobuf and gRPC framing, reading answers (unknown fields, long varints, bad frames), the status mapping and Consul's texts, target parsing and the plans made from the specs.
import Registry
import XCTest

@testable import Agent

final class GRPCHealthTests: XCTestCase {
    func testRequestBodyIsFramedHealthCheckRequest() {
        XCTAssertEqual(GRPCHealth.requestBody(service: ""), [0, 0, 0, 0, 0], "proto3 leaves the empty service out")
        XCTAssertEqual(GRPCHealth.requestBody(service: "db"), [0, 0, 0, 0, 4, 0x0A, 2, UInt8(ascii: "d"), UInt8(ascii: "b")])
        // A 200-byte name needs a two-byte length varint (200 = 0xC8 0x01).
        let long = String(repeating: "s", count: 200)
        let body = GRPCHealth.requestBody(service: long)
        XCTAssertEqual(Array(body[0..<8]), [0, 0, 0, 0, 203, 0x0A, 0xC8, 0x01])
        XCTAssertEqual(body.count, 5 + 3 + 200)
    }

    func testRequestHeadersPutPseudoHeadersFirst() {
        let headers = GRPCHealth.requestHeaders(scheme: "http", authority: "127.0.0.1:50051")
        XCTAssertEqual(headers.prefix(4).map(\.name), [":method", ":scheme", ":path", ":authority"])
        XCTAssertEqual(headers.first { $0.name == ":path" }?.value, "/grpc.health.v1.Health/Check")
        XCTAssertEqual(headers.first { $0.name == "content-type" }?.value, "application/grpc")
        XCTAssertEqual(headers.first { $0.name == "te" }?.value, "trailers")
    }

    func testVarintsRoundTripAndRejectOverlongOnes() {
        for value: UInt64 in [0, 1, 127, 128, 300, 1 << 32, UInt64.max] {
            var bytes: [UInt8] = []
            GRPCHealth.appendVarint(value, to: &bytes)
            var reader = ProtobufReader(bytes)
            XCTAssertEqual(reader.varint(), value)
            XCTAssertTrue(reader.atEnd)
        }
        var cut = ProtobufReader([0x80, 0x80])
        XCTAssertNil(cut.varint(), "a varint cut short")
        var tooLong = ProtobufReader([UInt8](repeating: 0xFF, count: 10) + [0x01])
        XCTAssertNil(tooLong.varint(), "eleven bytes")
        var overflow = ProtobufReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        XCTAssertNil(overflow.varint(), "a tenth byte past bit 63")
    }

    func testDecodeStatusSkipsUnknownFieldsAndKeepsTheLastStatus() {
        XCTAssertEqual(try GRPCHealth.decodeStatus([]).get(), 0, "an empty message is UNKNOWN")
        XCTAssertEqual(try GRPCHealth.decodeStatus([0x08, 0x01]).get(), 1)
        let unknown: [UInt8] = [0x10, 0x96, 0x01,  // field 2 varint 150
                                0x1A, 0x03, 0x61, 0x62, 0x63,  // field 3 bytes "abc"
                                0x21, 1, 2, 3, 4, 5, 6, 7, 8,  // field 4 fixed64
                                0x2D, 1, 2, 3, 4,  // field 5 fixed32
                                0x08, 0x02,  // status NOT_SERVING
                                0x08, 0x01]  // repeated: the last wins
        XCTAssertEqual(try GRPCHealth.decodeStatus(unknown).get(), 1)
        XCTAssertEqual(try GRPCHealth.decodeStatus([0x0A, 0x01, 0x01]).get(), 0, "field 1 with the wrong wire type is unknown")
        // A negative enum value is a ten-byte varint; Go keeps the low 32 bits.
        var negative: [UInt8] = [0x08]
        GRPCHealth.appendVarint(UInt64(bitPattern: -1), to: &negative)
        XCTAssertEqual(try GRPCHealth.decodeStatus(negative).get(), -1)
        for bad: [UInt8] in [[0x08], [0x1A, 0x05, 0x61], [0x21, 1, 2], [0x0B], [0x00, 0x01]] {
            XCTAssertThrowsError(try GRPCHealth.decodeStatus(bad).get(), "\(bad)")
        }
    }

    func testUnframeAcceptsExactlyOneUncompressedMessage() {
        XCTAssertEqual(try GRPCHealth.unframe([0, 0, 0, 0, 2, 0x08, 0x01]).get(), [0x08, 0x01])
        XCTAssertEqual(try GRPCHealth.unframe([0, 0, 0, 0, 0]).get(), [])
        let failures: [([UInt8], String)] = [
            ([], "cardinality violation: received no response message from non-streaming RPC"),
            ([0, 0, 0], "grpc: truncated message header"),
            ([1, 0, 0, 0, 2, 0x08, 0x01], "grpc: compressed flag set with identity or empty encoding"),
            ([0, 0, 0, 0, 3, 0x08, 0x01], "grpc: truncated message"),
            ([0, 0, 0, 0, 2, 0x08, 0x01, 0], "cardinality violation: expected <EOF> for non-streaming RPCs, but received another message"),
            ([0, 0x7F, 0, 0, 0], "grpc: received message larger than max (2130706432 vs. 65536)"),
        ]
        for (data, message) in failures {
            XCTAssertEqual(GRPCHealth.unframe(data), .failure(GRPCWireError(message)), "\(data)")
        }
    }

    private func answer(status: [UInt8] = [0x08, 0x01], grpcStatus: String? = "0", message: String? = nil, http: Int? = 200,
                        contentType: String? = "application/grpc") -> GRPCAnswer {
        GRPCAnswer(httpStatus: http, contentType: contentType, grpcStatus: grpcStatus, grpcMessage: message, data: GRPCHealth.frame(status))
    }

    func testVerdictPassesOnlyOnServingWithConsulsTexts() {
        let target = "127.0.0.1:50051/db"
        XCTAssertEqual(GRPCHealth.verdict(answer(), target: target).0, .passing)
        XCTAssertEqual(GRPCHealth.verdict(answer(), target: target).1, "gRPC check 127.0.0.1:50051/db: success")
        let cases: [(GRPCAnswer, String)] = [
            (answer(status: [0x08, 0x02]), "gRPC 127.0.0.1:50051/db serving status: NOT_SERVING"),
            (answer(status: [0x08, 0x03]), "gRPC 127.0.0.1:50051/db serving status: SERVICE_UNKNOWN"),
            (answer(status: []), "gRPC 127.0.0.1:50051/db serving status: UNKNOWN"),
            (answer(status: [0x08, 0x07]), "gRPC 127.0.0.1:50051/db serving status: 7"),
            (answer(grpcStatus: "5", message: "unknown%20service"), "rpc error: code = NotFound desc = unknown service"),
            (answer(grpcStatus: "12", message: "unknown method"), "rpc error: code = Unimplemented desc = unknown method"),
            (answer(grpcStatus: "99"), "rpc error: code = Code(99) desc = "),
            (answer(grpcStatus: nil), "rpc error: code = Internal desc = server closed the stream without sending trailers"),
            (answer(http: 404), "rpc error: code = Unimplemented desc = unexpected HTTP status code received from server: 404"),
            (answer(http: 503), "rpc error: code = Unavailable desc = unexpected HTTP status code received from server: 503"),
            (answer(contentType: "text/html"), "rpc error: code = Internal desc = transport: received unexpected content-type \"text/html\""),
            (answer(http: nil), "rpc error: code = Internal desc = server closed the stream without sending trailers"),
        ]
        for (answer, output) in cases {
            let verdict = GRPCHealth.verdict(answer, target: target)
            XCTAssertEqual(verdict.0, .critical, output)
            XCTAssertEqual(verdict.1, output)
        }
        var reset = answer(grpcStatus: nil)
        reset.resetCode = 8
        XCTAssertEqual(GRPCHealth.verdict(reset, target: target).1,
                       "rpc error: code = Internal desc = stream terminated by RST_STREAM with error code: 8")
        XCTAssertEqual(GRPCHealth.verdict(answer(contentType: "application/grpc+proto"), target: target).0, .passing)
    }

    func testNamesAndPercentDecoding() {
        XCTAssertEqual((0...3).map { GRPCHealth.servingStatusName(Int32($0)) }, ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"])
        XCTAssertEqual(GRPCHealth.codeName(0), "OK")
        XCTAssertEqual(GRPCHealth.codeName(14), "Unavailable")
        XCTAssertEqual(GRPCHealth.codeName(16), "Unauthenticated")
        XCTAssertEqual(GRPCHealth.codeName(17), "Code(17)")
        XCTAssertEqual(GRPCHealth.percentDecoded("a%20b%zz%4"), "a b%zz%4")
        XCTAssertEqual(GRPCHealth.percentDecoded("%E2%9C%93"), "\u{2713}")
    }

    private func split(_ text: String) -> [String] {
        let target = GRPCTarget(text)
        return [target.address, target.service]
    }

    func testTargetSplitsAtTheFirstSlash() {
        XCTAssertEqual(split("127.0.0.1:50051"), ["127.0.0.1:50051", ""])
        XCTAssertEqual(split("db:50051/pkg.Service"), ["db:50051", "pkg.Service"])
        XCTAssertEqual(split("db:50051/a/b"), ["db:50051", "a/b"])
        XCTAssertEqual(split("[::1]:50051/x"), ["[::1]:50051", "x"])
        XCTAssertEqual(split("db:50051/"), ["db:50051", ""])
    }

    func testPlansForGRPCAndH2Ping() {
        let limits = ProbeLimits()
        guard case .run(let plain) = ProbePlan.make(.grpc(GRPCProbe(target: "[::1]:50051/db", timeoutMilliseconds: 0)), limits: limits) else {
            return XCTFail("a gRPC plan")
        }
        XCTAssertEqual(plain.kind, .grpc(ProbePlan.GRPCCall(target: "[::1]:50051/db", service: "db", scheme: "http", authority: "[::1]:50051")))
        XCTAssertEqual(plain.endpoint, ProbeEndpoint(host: "::1", port: 50051))
        XCTAssertNil(plain.tls, "h2c unless GRPCUseTLS")
        XCTAssertEqual(plain.timeoutMilliseconds, 10_000, "0 is Consul's default")

        guard case .run(let secure) = ProbePlan.make(.grpc(GRPCProbe(target: "rpc.local:443", useTLS: true, tlsSkipVerify: true)),
                                                    limits: limits) else { return XCTFail("a gRPC plan") }
        XCTAssertEqual(secure.tls, ProbePlan.TLS(serverName: "rpc.local", verifiesPeer: false, alpn: ["h2"]))
        guard case .grpc(let call) = secure.kind else { return XCTFail("\(secure.kind)") }
        XCTAssertEqual(call.scheme, "https")

        XCTAssertEqual(ProbePlan.make(.grpc(GRPCProbe(target: "rpc.local/db")), limits: limits),
                       .finish(.critical, "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: "
                                   + "dial tcp: address rpc.local: missing port in address\""))

        guard case .run(let ping) = ProbePlan.make(.h2ping(H2PingProbe(address: "10.0.0.1:443", tlsServerName: "web.example")),
                                                  limits: limits) else { return XCTFail("an H2PING plan") }
        XCTAssertEqual(ping.kind, .h2ping(address: "10.0.0.1:443"))
        XCTAssertEqual(ping.tls, ProbePlan.TLS(serverName: "web.example", verifiesPeer: true, alpn: ["h2"]), "TLS by default, as Consul")
        guard case .run(let clear) = ProbePlan.make(.h2ping(H2PingProbe(address: "10.0.0.1:80", useTLS: false)), limits: limits) else {
            return XCTFail("an H2PING plan")
        }
        XCTAssertNil(clear.tls)
        XCTAssertEqual(ProbePlan.make(.h2ping(H2PingProbe(address: "10.0.0.1")), limits: limits),
                       .finish(.critical, "Failed to dial to 10.0.0.1: dial tcp: address 10.0.0.1: missing port in address"))
    }
}
