import CLibUV
import HTTP
import Loop
import Registry
import Server

/// One probe from start to result: timer, lookup, connection attempts, and for an HTTP check the
/// exchange. It ends exactly once (`finish`), which closes everything it opened and reports to
/// the runner; every callback that arrives afterwards finds it finished and does nothing.
///
/// Phases: a name waits for a lookup slot and resolves (an IP literal skips both), then each
/// address is dialled in turn until one connects; a TCP check ends there (or, with TLS, once
/// the handshake completes), an HTTP check sends its request and reads the answer, through a
/// TLS session for an `https://` URL (the handshake starts on connect and the request follows
/// it). A gRPC or H2PING check runs an HTTP/2 session over the connection (after TLS when the
/// check asks for it, offering ALPN "h2") until the Check call's answer or the PING's
/// acknowledgement arrives. The timer covers all of it.
///
/// An HTTP exchange with a safe method first takes a kept connection to the address, if the
/// pool has one (`ProbeConnectionPool`); if that connection turns out dead before any byte of
/// the answer (the server closed it while we were sending), the request goes again on a new
/// connection, as Go's transport retries an idempotent request. A whole answer that leaves the
/// connection reusable puts it back in the pool instead of closing it.
final class ProbeRun {
    enum Phase: Equatable { case resolving, connecting, exchanging, finished }

    let id: ProbeID
    let plan: ProbePlan
    private unowned let runner: ProbeRunner
    private let startedAt: UInt64
    private var phase = Phase.resolving
    private var timer: Timer?
    private var lookup: NameResolution?
    private var stream: TCPStream?
    private var addresses: [SocketAddress] = []
    private var nextAddress = 0
    /// The address being dialled or connected to, for texts.
    private var dialled: SocketAddress?
    /// The first connect failure, which Go reports when every address failed.
    private var firstDialError: String?
    private var parser: HTTPResponseParser?
    /// Between the stream and the parser for an `https://` exchange.
    private var tls: TLSClientSession?
    /// Bytes read from the stream (ciphertext when over TLS), against `maxResponseBytes`.
    private var responseBytes = 0
    /// A gRPC or H2PING check's HTTP/2 session, once connected.
    private var http2: HTTP2ProbeExchange?
    /// The TLS handshake completed (H2PING tells dial failures from ping failures by it).
    private var tlsEstablished = false
    /// The connection came from the pool (a retry on a fresh one is allowed once).
    private var onKeptConnection = false
    /// Whether a kept connection may be taken: a safe method, and no kept connection failed yet.
    private var mayTakeKeptConnection: Bool
    /// The answer left the connection reusable: `finish` parks it rather than closing it.
    private var keepsConnection = false

    init(id: ProbeID, plan: ProbePlan, runner: ProbeRunner, startedAt: UInt64) {
        self.id = id
        self.plan = plan
        self.runner = runner
        self.startedAt = startedAt
        mayTakeKeptConnection = plan.sendsSafeRequest
    }

    private var loop: EventLoop { runner.loop }

    /// Starts the timer, then the lookup or the first connection. May finish at once (the
    /// runner defers that report past `start`).
    func begin() {
        assert(phase == .resolving)
        do {
            let timer = try Timer(loop: loop)
            self.timer = timer
            timer.start(afterMilliseconds: plan.timeoutMilliseconds) { [weak self] in self?.timedOut() }
            // Closed by someone else (only closeAllHandles does that): end rather than hang.
            timer.onClose = { [weak self] in self?.finish(.critical, ProbeOutput.shuttingDown) }
        } catch {
            return finish(.critical, failureText("cannot start the probe timer: \(error)"))
        }
        if let literal = try? SocketAddress(ip: plan.endpoint.host, port: plan.endpoint.port) {
            // Not an IP literal is the one way this fails; names go to the resolver.
            resolved(.success([literal]))
        } else {
            runner.requestLookup(for: self)
        }
    }

    /// The runner started the lookup for this probe.
    func lookupStarted(_ lookup: NameResolution) {
        guard phase == .resolving else { return lookup.cancel() }
        self.lookup = lookup
    }

    /// The lookup's result (or the IP literal): judge the addresses, then dial.
    func resolved(_ result: Result<[SocketAddress], LoopError>) {
        guard phase == .resolving else { return }
        lookup = nil
        switch result {
        case .failure(let error):
            finish(.critical, failureText(ProbeOutput.lookupFailed(plan.endpoint.host, error)))
        case .success(let found) where found.isEmpty:
            finish(.critical, failureText("dial tcp: lookup \(plan.endpoint.host): no such host"))
        case .success(let found):
            if !runner.allowLinkLocalTargets, let refused = found.lazy.compactMap({ address in
                ProbeAddressPolicy.refusedRange(address.ipBytes).map { (address.ip, $0) }
            }).first {
                return finish(.critical, ProbeOutput.addressRefused(refused.0, refused.1))
            }
            addresses = Array(found.prefix(runner.limits.maxAddressesTried))
            phase = .connecting
            dialNext()
        }
    }

    /// Dials the next address, or reports the first failure when none is left.
    private func dialNext() {
        assert(phase == .connecting)
        guard nextAddress < addresses.count else {
            return finish(.critical, failureText(firstDialError ?? "dial tcp: no address"))
        }
        let address = addresses[nextAddress]
        nextAddress += 1
        dialled = address
        if mayTakeKeptConnection, case .http(let exchange) = plan.kind,
           let kept = runner.connections.take(ProbeConnectionPool.Key(address: address, tls: plan.tls)) {
            return resumeExchange(on: kept, exchange)
        }
        let stream: TCPStream
        do { stream = try TCPStream(loop: loop) } catch {
            return dialFailed(address, error)
        }
        adopt(stream)
        stream.connect(to: address) { [weak self, weak stream] error in
            guard let self, let stream, stream === self.stream else { return }
            if let error { self.dialFailed(address, error) } else { self.connected(stream, address) }
        }
    }

    private func dialFailed(_ address: SocketAddress, _ error: LoopError) {
        guard phase == .connecting else { return }
        // Only a close from our side cancels a connect, and only closeAllHandles closes ours.
        if error.code == UV_ECANCELED.rawValue { return finish(.critical, ProbeOutput.shuttingDown) }
        firstDialError = firstDialError ?? ProbeOutput.connectFailed(address, error)
        dropStream()
        dialNext()
    }

    private func connected(_ stream: TCPStream, _ address: SocketAddress) {
        guard phase == .connecting else { return }
        switch plan.kind {
        case .tcp(let text) where plan.tls == nil:
            finish(.passing, ProbeOutput.tcpConnected(text))
        case .tcp:
            startHandshake(stream)
        case .http(let exchange):
            startExchange(stream, exchange)
        case .grpc(let call):
            startHTTP2(stream, .grpc(call))
        case .h2ping:
            startHTTP2(stream, .ping)
        }
    }

    /// A gRPC or H2PING check: the HTTP/2 session's first bytes go out in cleartext, or after
    /// the TLS handshake.
    private func startHTTP2(_ stream: TCPStream, _ purpose: HTTP2ProbeExchange.Purpose) {
        phase = .exchanging
        guard startReading(stream) else { return }
        let exchange: HTTP2ProbeExchange
        do throws(HTTP2Error) {
            exchange = try HTTP2ProbeExchange(purpose, maxHeaderBytes: runner.limits.response.maxHeadBytes)
        } catch {
            return exchangeFailed(error.message)
        }
        http2 = exchange
        let first = exchange.start()
        if let verdict = first.verdict { return finish(verdict.status, verdict.output) }
        if plan.tls == nil { return stream.write(first.output) }
        startTLS(sending: first.output)
    }

    /// Makes `stream` this run's: its close and, once reading starts, its bytes come here.
    private func adopt(_ stream: TCPStream) {
        self.stream = stream
        stream.onClose = { [weak self, weak stream] in self?.streamClosed(stream) }
        stream.onRead = { [weak self] bytes in self?.received(bytes) }
        stream.onReadEnd = { [weak self] error in self?.readEnded(error) }
    }

    /// An HTTP exchange starts: a parser for its answer.
    private func beginExchange(_ exchange: ProbePlan.HTTPExchange) {
        phase = .exchanging
        parser = HTTPResponseParser(requestMethod: exchange.method, maxKeptBodyBytes: exchange.maxOutputBytes,
                                    limits: runner.limits.response)
    }

    private func startExchange(_ stream: TCPStream, _ exchange: ProbePlan.HTTPExchange) {
        beginExchange(exchange)
        guard startReading(stream) else { return }
        if plan.tls == nil { return stream.write(exchange.request) }
        startTLS(sending: exchange.request)
    }

    /// The exchange on a kept connection: it is connected, reading, and past any TLS handshake.
    private func resumeExchange(on kept: ProbeConnectionPool.Connection, _ exchange: ProbePlan.HTTPExchange) {
        adopt(kept.stream)
        tls = kept.tls
        tlsEstablished = kept.tls != nil
        onKeptConnection = true
        beginExchange(exchange)
        if let tls { return applyTLS(tls.send(exchange.request)) }
        kept.stream.write(exchange.request)
    }

    /// A kept connection failed before any byte of the answer: the server closed it as we sent.
    /// The request goes again to the same address on a new connection.
    private func redialAfterKeptConnectionFailed() {
        assert(onKeptConnection && phase == .exchanging)
        dropStream()
        onKeptConnection = false
        mayTakeKeptConnection = false
        parser = nil
        tls = nil
        tlsEstablished = false
        responseBytes = 0
        phase = .connecting
        nextAddress -= 1
        dialNext()
    }

    /// A TCP check with TLS: the handshake is the whole exchange (Go's tls.DialWithDialer).
    private func startHandshake(_ stream: TCPStream) {
        phase = .exchanging
        guard startReading(stream) else { return }
        startTLS(sending: [])
    }

    /// Starts reading the adopted stream; false when the probe ended because it cannot.
    private func startReading(_ stream: TCPStream) -> Bool {
        assert(phase == .exchanging)
        do { try stream.startReading() } catch {
            exchangeFailed("read: \(GoText.errorText(error))")
            return false
        }
        stream.setNoDelay(true)
        return true
    }

    private func startTLS(sending plaintext: [UInt8]) {
        guard let settings = plan.tls else { preconditionFailure("TLS without settings") }
        let session: TLSClientSession
        do throws(TLSClientError) {
            session = try TLSClientSession(context: runner.tlsContext(verifiesPeer: settings.verifiesPeer), serverName: settings.serverName,
                                           alpn: settings.alpn)
        } catch {
            return exchangeFailed(error.message)
        }
        tls = session
        applyTLS(session.start(sending: plaintext))
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        guard phase == .exchanging else { return }
        responseBytes += bytes.count
        guard let tls else { return receivedPlaintext(bytes) }
        applyTLS(tls.receive(bytes))
        // Handshake records and undecryptable bytes count against the cap too.
        guard phase == .exchanging && responseBytes > runner.limits.maxResponseBytes else { return }
        if plan.isHTTP { finishExchange(failure: nil) } else { exchangeFailed("tls: handshake past the read cap") }
    }

    /// Acts on one TLS step, in the order it asks: send, read, then the session's end.
    private func applyTLS(_ output: TLSClientOutput) {
        assert(tls != nil && phase == .exchanging)
        if !output.ciphertext.isEmpty { stream?.write(output.ciphertext) }
        if output.established { tlsEstablished = true }
        if output.established, case .tcp(let text) = plan.kind { return finish(.passing, ProbeOutput.tcpConnected(text)) }
        if !output.plaintext.isEmpty { output.plaintext.withUnsafeBytes { receivedPlaintext($0) } }
        // The plaintext may have completed the answer, which ended the exchange.
        guard phase == .exchanging else { return }
        if let failure = output.failure { return exchangeFailed(failure) }
        if output.peerClosed { readEnded(nil) }
    }

    private func receivedPlaintext(_ bytes: UnsafeRawBufferPointer) {
        if let http2 { return receivedHTTP2(bytes, http2) }
        guard phase == .exchanging, parser != nil else { return }
        // Mutated in place through the optional: a copy would copy the kept body on every read.
        do throws(HTTPResponseParseError) {
            try parser?.feed(bytes)
        } catch {
            return finishExchange(failure: "net/http: HTTP/1.x transport connection broken: \(error.message)")
        }
        // A response past the read cap ends here with what it has, as if the server had closed.
        if parser?.isComplete == true || responseBytes > runner.limits.maxResponseBytes { finishExchange(failure: nil) }
    }

    /// HTTP/2 frames from the peer: answer what the session asks (SETTINGS and PING
    /// acknowledgements), and end once the answer is complete.
    private func receivedHTTP2(_ bytes: UnsafeRawBufferPointer, _ exchange: HTTP2ProbeExchange) {
        guard phase == .exchanging else { return }
        let step = exchange.receive(bytes)
        if let verdict = step.verdict { return finish(verdict.status, verdict.output) }
        if !step.output.isEmpty {
            if let tls { applyTLS(tls.send(step.output)) } else { stream?.write(step.output) }
        }
        if phase == .exchanging && responseBytes > runner.limits.maxResponseBytes {
            exchangeFailed("http2: response over \(runner.limits.maxResponseBytes) bytes")
        }
    }

    private func readEnded(_ error: LoopError?) {
        guard phase == .exchanging else { return }
        if let error { return exchangeFailed("read: \(GoText.errorText(error))") }
        if let http2, plan.tls == nil || tlsEstablished { return finish(.critical, http2.peerClosedText()) }
        // A TCP check's handshake cut short: Go's io.EOF.
        guard parser != nil else { return exchangeFailed("EOF") }
        do throws(HTTPResponseParseError) {
            try parser?.finish()
        } catch {
            return finishExchange(failure: error.message)
        }
        finishExchange(failure: nil)
    }

    /// The stream closed under us: a failed write closes it, and so does closeAllHandles.
    private func streamClosed(_ closed: TCPStream?) {
        guard let closed, closed === stream else { return }
        stream = nil
        // While connecting, the connect callback (ECANCELED) has already ended the attempt.
        if phase == .exchanging { exchangeFailed("write: connection closed") }
    }

    /// Ends the exchange on an error: an HTTP check reports it (or the status, once the head is
    /// here), a TCP check's handshake reports it alone, as Consul passes on Go's error.
    private func exchangeFailed(_ message: String) {
        assert(phase == .exchanging)
        switch plan.kind {
        case .http: finishExchange(failure: message)
        case .tcp: finish(.critical, message)
        case .grpc, .h2ping: finish(.critical, http2FailureText(message))
        }
    }

    /// An error once connected, in a gRPC or H2PING check's words: before the TLS handshake
    /// completed it is part of dialling, after it the session's.
    private func http2FailureText(_ message: String) -> String {
        let handshaking = plan.tls != nil && !tlsEstablished
        switch plan.kind {
        case .grpc: return handshaking ? GRPCHealth.connectionError(message, handshake: true) : GRPCHealth.rpcError(14, message).message
        case .h2ping(let address): return handshaking ? H2PingText.dialFailed(address, message) : H2PingText.pingFailed(message)
        case .http, .tcp: preconditionFailure("not an HTTP/2 probe")
        }
    }

    /// Ends an HTTP exchange. Once the head is here the check has its status, and Consul reports
    /// it with whatever body arrived even when reading the rest failed; before that, the error.
    private func finishExchange(failure: String?) {
        guard case .http(let exchange) = plan.kind, let parser else { preconditionFailure("no exchange to finish") }
        if let head = parser.head {
            let output = ProbeOutput.httpAnswer(method: exchange.method, url: exchange.url, statusText: head.statusText, body: parser.body)
            // Only a whole answer with the whole request sent leaves the connection usable.
            keepsConnection = failure == nil && parser.leavesConnectionReusable && stream?.pendingWriteBytes == 0
            return finish(ProbeOutput.status(httpStatusCode: head.statusCode), output)
        }
        if failure != nil && onKeptConnection && parser.isUntouched { return redialAfterKeptConnectionFailed() }
        finish(.critical, failureText(failure ?? "EOF"))
    }

    private func timedOut() {
        // grpc-go reports its context's deadline whatever the call was doing.
        if case .grpc = plan.kind, phase != .finished { return finish(.critical, GRPCHealth.deadlineExceeded) }
        switch phase {
        case .resolving:
            finish(.critical, failureText(ProbeOutput.lookupTimedOut(plan.endpoint.host), timedOut: true))
        case .connecting:
            let text = dialled.map(ProbeOutput.connectTimedOut) ?? ProbeOutput.lookupTimedOut(plan.endpoint.host)
            finish(.critical, failureText(text, timedOut: true))
        case .exchanging where plan.isHTTP2:
            let handshaking = plan.tls != nil && !tlsEstablished
            if case .h2ping(let address) = plan.kind, handshaking {
                return finish(.critical, H2PingText.dialFailed(address, "context deadline exceeded"))
            }
            finish(.critical, http2?.timedOutText() ?? H2PingText.pingFailed("context deadline exceeded"))
        case .exchanging where !plan.isHTTP:
            // Go's tls.DialWithDialer when its dialer's timeout passes during the handshake.
            finish(.critical, "tls: DialWithDialer timed out")
        case .exchanging:
            if parser?.head != nil { return finishExchange(failure: nil) }
            finish(.critical, failureText("context deadline exceeded", timedOut: true))
        case .finished:
            break
        }
    }

    /// An error as Consul shows it: inside Go's url.Error for HTTP checks (with the client's
    /// timeout note), grpc-go's Unavailable for gRPC checks, CheckH2PING's dial text for H2PING
    /// checks, alone for TCP checks.
    private func failureText(_ message: String, timedOut: Bool = false) -> String {
        if case .grpc = plan.kind { return GRPCHealth.connectionError(message) }
        if case .h2ping(let address) = plan.kind { return H2PingText.dialFailed(address, message) }
        guard case .http(let exchange) = plan.kind else { return message }
        return ProbeOutput.httpError(method: exchange.method, url: exchange.url, message + (timedOut ? ProbeOutput.clientTimeoutSuffix : ""))
    }

    /// Ends the probe: closes the timer, cancels the lookup, closes the connection, reports.
    /// Idempotent; only the first call counts.
    func finish(_ status: HealthStatus, _ output: String) {
        guard phase != .finished else { return }
        phase = .finished
        if let timer {
            timer.onClose = nil
            timer.close()
        }
        timer = nil
        lookup?.cancel()
        lookup = nil
        if keepsConnection, let stream, let dialled {
            self.stream = nil
            runner.connections.park(ProbeConnectionPool.Connection(stream: stream, tls: tls), as: ProbeConnectionPool.Key(address: dialled, tls: plan.tls))
        } else {
            dropStream()
        }
        parser = nil
        tls = nil
        http2 = nil
        let duration = loop.nowMilliseconds &- startedAt
        runner.runFinished(self, ProbeResult(status: status, output: output, durationMilliseconds: duration))
    }

    private func dropStream() {
        guard let stream else { return }
        self.stream = nil
        ProbeConnectionPool.discard(stream)
    }
}
