import Registry

/// The HTTP/2 part of a gRPC or H2PING probe, between the connection (plaintext, after TLS when
/// there is TLS) and the verdict: `start` gives the first bytes to send, each `receive` the
/// bytes to send back and, once the answer is complete, the result. `ProbeRun` owns the
/// connection, the timer and every error that is not HTTP/2's.
final class HTTP2ProbeExchange {
    /// What the probe waits for.
    enum Purpose: Sendable, Equatable {
        /// The Check call's answer.
        case grpc(ProbePlan.GRPCCall)
        /// The PING's acknowledgement.
        case ping
    }

    /// What to do after a step: write `output`, then end with `verdict` when it is set.
    struct Step {
        var output: [UInt8] = []
        var verdict: (status: HealthStatus, output: String)?
    }

    let purpose: Purpose
    private let session: HTTP2ClientSession

    init(_ purpose: Purpose, maxHeaderBytes: Int) throws(HTTP2Error) {
        self.purpose = purpose
        session = try HTTP2ClientSession(maxHeaderBytes: maxHeaderBytes)
    }

    /// The connection preface, SETTINGS, and the request or the PING.
    func start() -> Step {
        do throws(HTTP2Error) {
            switch purpose {
            case .grpc(let call):
                try session.submitRequest(headers: GRPCHealth.requestHeaders(scheme: call.scheme, authority: call.authority),
                                          body: GRPCHealth.requestBody(service: call.service))
            case .ping:
                try session.submitPing()
            }
            return Step(output: try session.takeOutput())
        } catch {
            return Step(verdict: (.critical, failureText(error.message)))
        }
    }

    /// Feeds plaintext from the peer.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Step {
        var step = Step()
        do throws(HTTP2Error) {
            try session.receive(bytes)
            step.output = try session.takeOutput()
        } catch {
            step.verdict = (.critical, failureText(error.message))
            return step
        }
        step.verdict = verdictSoFar()
        return step
    }

    private func verdictSoFar() -> (status: HealthStatus, output: String)? {
        switch purpose {
        case .ping:
            if session.pingAcknowledged { return (.passing, H2PingText.success) }
            if let code = session.goAwayCode { return (.critical, H2PingText.pingFailed("http2: server sent GOAWAY with error code \(code)")) }
            return nil
        case .grpc(let call):
            if session.streamClosed { return GRPCHealth.verdict(session.answer, target: call.target) }
            if let code = session.goAwayCode, session.answer.httpStatus == nil {
                return (.critical, GRPCHealth.rpcError(14, "the connection is draining (GOAWAY error code \(code))").message)
            }
            return nil
        }
    }

    /// The peer closed the connection before the answer was complete.
    func peerClosedText() -> String {
        switch purpose {
        case .ping: H2PingText.pingFailed("http2: client connection lost")
        case .grpc: GRPCHealth.rpcError(14, "error reading from server: EOF").message
        }
    }

    /// The probe's timeout passed with the connection up.
    func timedOutText() -> String {
        switch purpose {
        case .ping: H2PingText.pingFailed("context deadline exceeded")
        case .grpc: GRPCHealth.deadlineExceeded
        }
    }

    /// An error on the established connection, in the check's words.
    func failureText(_ message: String) -> String {
        switch purpose {
        case .ping: H2PingText.pingFailed(message)
        case .grpc: GRPCHealth.rpcError(14, message).message
        }
    }
}
