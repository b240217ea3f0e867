import HTTP
import Registry

// The gRPC health checking protocol (grpc.health.v1, grpc/grpc doc/health-checking.md) and the
// texts Consul reports for gRPC and H2PING checks (hashicorp/consul agent/checks/grpc.go and
// check.go: CheckGRPC, CheckH2PING), without I/O: the request bytes, reading the answer, and the
// verdict. Pure (the standard library and Registry's values), so tested without sockets.
//
// The messages are two one-field protobufs, encoded and decoded by hand:
//   HealthCheckRequest  { string service = 1; }
//   HealthCheckResponse { ServingStatus status = 1; }  // UNKNOWN 0, SERVING 1, NOT_SERVING 2, SERVICE_UNKNOWN 3
// Each travels in gRPC's length-prefixed framing (PROTOCOL-HTTP2.md "Length-Prefixed-Message"):
// one byte compressed flag (0: we never negotiate compression), four bytes big-endian length.

/// A bad gRPC answer: the text Go's grpc client would put after "desc = ".
struct GRPCWireError: Error, Sendable, Equatable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// What the peer answered on the Check stream, as the HTTP/2 session collected it.
struct GRPCAnswer: Sendable, Equatable {
    /// The response head's `:status`; nil when no head arrived.
    var httpStatus: Int?
    var contentType: String?
    /// `grpc-status` and `grpc-message`, from the trailers (or a trailers-only head).
    var grpcStatus: String?
    var grpcMessage: String?
    /// The DATA frames' bytes, in order.
    var data: [UInt8] = []
    /// The stream was reset (RST_STREAM) with this HTTP/2 error code.
    var resetCode: UInt32?
}

/// A gRPC check's target, split as Consul's NewGrpcHealthProbe does: at the first "/".
struct GRPCTarget: Sendable, Equatable {
    /// "host:port", dialled.
    var address: String
    /// The service asked about; "" asks about the whole server.
    var service: String

    init(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        address = String(parts[0])
        service = parts.count > 1 ? String(parts[1]) : ""
    }
}

enum GRPCHealth {
    /// The method's `:path`.
    static let path = "/grpc.health.v1.Health/Check"
    /// The largest answer message read (grpc-go's default receive limit is 4 MiB; a health
    /// answer is a few bytes).
    static let maxMessageBytes = 64 * 1024
    static let servingValue: Int32 = 1

    // MARK: Request

    /// The Check request's DATA: `HealthCheckRequest{service}` in one gRPC frame.
    static func requestBody(service: String) -> [UInt8] {
        var message: [UInt8] = []
        if !service.isEmpty {
            // Field 1, wire type 2 (length-delimited); proto3 leaves an empty string out.
            message.append(0x0A)
            appendVarint(UInt64(service.utf8.count), to: &message)
            message += service.utf8
        }
        return frame(message)
    }

    /// The request's header fields, pseudo-headers first (RFC 9113 §8.3).
    static func requestHeaders(scheme: String, authority: String) -> [(name: String, value: String)] {
        [(":method", "POST"), (":scheme", scheme), (":path", path), (":authority", authority),
         ("content-type", "application/grpc"), ("te", "trailers"), ("user-agent", "gravity-health-probe")]
    }

    static func frame(_ message: [UInt8]) -> [UInt8] {
        precondition(message.count <= Int(UInt32.max), "a gRPC message fits a 32-bit length")
        let length = UInt32(message.count)
        let framed = [0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + message
        assert(framed.count == message.count + 5)
        return framed
    }

    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    // MARK: Answer

    /// The one message of a unary answer's DATA (grpc-go's texts for what is wrong with it).
    static func unframe(_ data: [UInt8]) -> Result<[UInt8], GRPCWireError> {
        guard !data.isEmpty else {
            return .failure(GRPCWireError("cardinality violation: received no response message from non-streaming RPC"))
        }
        guard data.count >= 5 else { return .failure(GRPCWireError("grpc: truncated message header")) }
        guard data[0] == 0 else {
            return .failure(GRPCWireError("grpc: compressed flag set with identity or empty encoding"))
        }
        let length = Int(data[1]) << 24 | Int(data[2]) << 16 | Int(data[3]) << 8 | Int(data[4])
        guard length <= maxMessageBytes else {
            return .failure(GRPCWireError("grpc: received message larger than max (\(length) vs. \(maxMessageBytes))"))
        }
        guard data.count >= 5 + length else { return .failure(GRPCWireError("grpc: truncated message")) }
        guard data.count == 5 + length else {
            return .failure(GRPCWireError("cardinality violation: expected <EOF> for non-streaming RPCs, but received another message"))
        }
        return .success(Array(data[5...]))
    }

    /// `HealthCheckResponse.status`, skipping fields it does not know (of any wire type but the
    /// deprecated groups); the last occurrence wins and a missing one is 0, as in proto3.
    static func decodeStatus(_ message: [UInt8]) -> Result<Int32, GRPCWireError> {
        var reader = ProtobufReader(message)
        var status: Int32 = 0
        while !reader.atEnd {
            guard let key = reader.varint() else { return .failure(GRPCWireError("grpc: failed to unmarshal the received message: bad field key")) }
            let field = key >> 3, wireType = key & 7
            guard field > 0 else { return .failure(GRPCWireError("grpc: failed to unmarshal the received message: field number 0")) }
            if field == 1 && wireType == 0 {
                guard let value = reader.varint() else { return .failure(truncated) }
                // An enum is an int32 on the wire; Go keeps the low 32 bits.
                status = Int32(truncatingIfNeeded: value)
            } else if !reader.skip(wireType: wireType) {
                return .failure(truncated)
            }
        }
        return .success(status)
    }

    private static let truncated = GRPCWireError("grpc: failed to unmarshal the received message: unexpected EOF")

    /// The ServingStatus name as Go prints it (an unknown value prints as its number).
    static func servingStatusName(_ value: Int32) -> String {
        switch value {
        case 0: "UNKNOWN"
        case 1: "SERVING"
        case 2: "NOT_SERVING"
        case 3: "SERVICE_UNKNOWN"
        default: String(value)
        }
    }

    /// grpc-go's codes.Code String().
    static func codeName(_ code: Int) -> String {
        let names = ["OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
                     "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented",
                     "Internal", "Unavailable", "DataLoss", "Unauthenticated"]
        return names.indices.contains(code) ? names[code] : "Code(\(code))"
    }

    /// grpc-go's mapping of a non-200 `:status` to a code (PROTOCOL-HTTP2.md, http-grpc-status-mapping.md).
    static func code(httpStatus: Int) -> Int {
        switch httpStatus {
        case 400: 13
        case 401: 16
        case 403: 7
        case 404: 12
        case 429, 502, 503, 504: 14
        default: 2
        }
    }

    /// `grpc-message` is percent-encoded (PROTOCOL-HTTP2.md); an invalid escape stays as written.
    static func percentDecoded(_ text: String) -> String {
        PercentEncoding.decodedLossy(text.utf8)
    }

    // MARK: Verdict

    /// Consul's status and output for a finished Check call: passing only for SERVING.
    static func verdict(_ answer: GRPCAnswer, target: String) -> (HealthStatus, String) {
        switch judge(answer) {
        case .failure(let error):
            return (.critical, error.message)
        case .success(let status) where status == servingValue:
            return (.passing, "gRPC check \(target): success")
        case .success(let status):
            // CheckGRPC reports the probe's error text alone.
            return (.critical, "gRPC \(target) serving status: \(servingStatusName(status))")
        }
    }

    /// The serving status, or the error as grpc-go's client reports it ("rpc error: ...").
    private static func judge(_ answer: GRPCAnswer) -> Result<Int32, GRPCWireError> {
        guard let httpStatus = answer.httpStatus else {
            if let code = answer.resetCode { return .failure(rpcError(13, "stream terminated by RST_STREAM with error code: \(code)")) }
            return .failure(rpcError(13, "server closed the stream without sending trailers"))
        }
        guard httpStatus == 200 else {
            return .failure(rpcError(code(httpStatus: httpStatus), "unexpected HTTP status code received from server: \(httpStatus)"))
        }
        if let type = answer.contentType, !isGRPCContentType(type) {
            return .failure(rpcError(13, "transport: received unexpected content-type \"\(type)\""))
        }
        guard let statusText = answer.grpcStatus else {
            if let code = answer.resetCode { return .failure(rpcError(13, "stream terminated by RST_STREAM with error code: \(code)")) }
            return .failure(rpcError(13, "server closed the stream without sending trailers"))
        }
        guard let code = Int(statusText), code >= 0 else {
            return .failure(rpcError(13, "transport: malformed grpc-status: \(statusText)"))
        }
        guard code == 0 else { return .failure(rpcError(code, percentDecoded(answer.grpcMessage ?? ""))) }
        switch unframe(answer.data) {
        case .failure(let error): return .failure(rpcError(13, error.message))
        case .success(let message): return decodeStatus(message).mapError { rpcError(13, $0.message) }
        }
    }

    private static func isGRPCContentType(_ type: String) -> Bool {
        let lower = type.lowercased()
        return lower == "application/grpc" || lower.hasPrefix("application/grpc+") || lower.hasPrefix("application/grpc;")
    }

    /// `rpc error: code = NotFound desc = unknown service`, grpc-go's status error text.
    static func rpcError(_ code: Int, _ description: String) -> GRPCWireError {
        GRPCWireError("rpc error: code = \(codeName(code)) desc = \(description)")
    }

    /// A connection that failed before the call (dial, TLS): grpc-go's Unavailable.
    static func connectionError(_ message: String, handshake: Bool = false) -> String {
        let inner = handshake ? "transport: authentication handshake failed: \(message)" : "transport: Error while dialing: \(message)"
        return rpcError(14, "connection error: desc = \"\(inner)\"").message
    }

    /// The call's context ran out (Consul's check timeout).
    static let deadlineExceeded = rpcError(4, "context deadline exceeded").message
}

/// Consul's CheckH2PING texts.
enum H2PingText {
    static let success = "HTTP2 ping was successful"

    /// The connection (and with TLS the handshake) failed.
    static func dialFailed(_ address: String, _ message: String) -> String {
        "Failed to dial to \(address): \(message)"
    }

    /// The connection was up but the ping got no acknowledgement.
    static func pingFailed(_ message: String) -> String {
        "HTTP2 ping failed: \(message)"
    }
}
