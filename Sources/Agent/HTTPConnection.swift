import HTTP
import Loop
import Server

/// One client connection: bytes in, parsed requests to the node one at a time, responses out in
/// request order. While a request waits for its response, later pipelined requests stay in the
/// parser, which is what keeps responses in order. That also covers a WebSocket upgrade: until
/// the node answers it, nothing after it is parsed; a 101 hands the connection, and every byte
/// after the upgrade request, to a `WebSocketSession`, and a refusal lets HTTP go on.
final class HTTPConnection {
    let id: UInt64
    let client: String
    private let stream: TCPStream
    private unowned let server: HTTPServer
    private var parser: HTTPRequestParser
    private var sequence: UInt64 = 0
    /// The request handed to the node and not yet answered, with what its response needs to know.
    private var awaiting: (id: RequestID, keepAlive: Bool, headOnly: Bool)?
    private var outgoing: [UInt8] = []
    private var closing = false
    /// True while `processParsed` runs, so a response delivered synchronously from inside
    /// `dispatch` continues that loop instead of recursing into it.
    private var processing = false
    private var lastActivityMilliseconds: UInt64
    /// Reading is stopped because the client sends or leaves unread more than we hold for it.
    private var paused = false
    /// Pipelined bytes held while a request waits for its response; above this, reading pauses.
    static let maxHeldBytes = 64 * 1024
    /// Response bytes the client has not read yet; above this, reading pauses until it catches up.
    static let maxUnsentBytes = 4 * 1024 * 1024
    private var requestStartedMilliseconds: UInt64
    /// Set once the node upgraded the connection; from then on HTTP is over for it.
    private var webSocket: WebSocketSession?

    init(id: UInt64, client: String, stream: TCPStream, server: HTTPServer, parserLimits: HTTPParserLimits, now: UInt64) {
        self.id = id
        self.client = client
        self.stream = stream
        self.server = server
        parser = HTTPRequestParser(limits: parserLimits)
        lastActivityMilliseconds = now
        requestStartedMilliseconds = now
    }

    func start() {
        stream.setNoDelay(true)
        stream.onRead = { [unowned self] bytes in self.received(bytes) }
        stream.onReadEnd = { [unowned self] _ in self.stream.close() }
        stream.onClose = { [unowned self] in self.closed() }
        do { try stream.startReading() } catch { stream.close() }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        let now = server.loop.nowMilliseconds
        if let webSocket {
            webSocket.received(bytes, now: now)
            return
        }
        if parser.isIdle { requestStartedMilliseconds = now }
        lastActivityMilliseconds = now
        parser.feed(bytes)
        processParsed()
        flush()
        applyBackPressure()
    }

    /// Bounds what one connection can make us hold: pipelined requests behind one that waits,
    /// and responses the client does not read. Checked after every read and response, and by
    /// the once-a-second sweep (the only place that notices a client that resumed reading).
    private func applyBackPressure() {
        // A WebSocket reads everything at once and bounds its output itself (close 1008).
        guard webSocket == nil else { return }
        let over = (awaiting != nil && parser.bufferedBytes > Self.maxHeldBytes) || stream.pendingWriteBytes > Self.maxUnsentBytes
        if over, !paused {
            stream.stopReading()
            paused = true
        } else if !over, paused, !closing {
            resumeReading()
        }
    }

    /// Reads again after back-pressure. The stream may be closing already (a timeout closed it
    /// and a response came before the close callback): then there is nothing to resume.
    private func resumeReading() {
        paused = false
        guard stream.state == .open else { return }
        do { try stream.startReading() } catch { stream.close() }
    }

    /// Hands parsed requests to the node until one is left waiting or the bytes run out.
    private func processParsed() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while awaiting == nil, !closing, webSocket == nil, let event = parser.next() {
            switch event {
            case .request(let request):
                sequence += 1
                let requestID = RequestID(connection: id, sequence: sequence)
                awaiting = (requestID, request.keepAlive, request.method == "HEAD")
                server.dispatch(requestID, server.listenerKind, request)
            case .expectContinue:
                outgoing.append(contentsOf: Self.continueBytes)
            case .error(let error):
                // The byte stream can no longer be trusted: answer, then close (no more reads).
                HTTPResponse.text(error.status, error.message).write(into: &outgoing, keepAlive: false, date: server.httpDate)
                closing = true
            }
        }
        if parser.isIdle, awaiting == nil { requestStartedMilliseconds = server.loop.nowMilliseconds }
    }

    private static let continueBytes = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The node's answer to the waiting request.
    func respond(_ requestID: RequestID, _ response: HTTPResponse) {
        guard let waiting = awaiting, waiting.id == requestID else {
            preconditionFailure("response for \(requestID) but connection \(id) awaits \(String(describing: awaiting?.id))")
        }
        awaiting = nil
        lastActivityMilliseconds = server.loop.nowMilliseconds
        let keepAlive = waiting.keepAlive && !closing
        response.write(into: &outgoing, keepAlive: keepAlive, headOnly: waiting.headOnly, date: server.httpDate)
        if !keepAlive { closing = true }
        guard !processing else { return }
        processParsed()
        flush()
        applyBackPressure()
    }

    private func flush() {
        if !outgoing.isEmpty {
            stream.write(outgoing)
            outgoing.removeAll(keepingCapacity: outgoing.capacity <= 64 * 1024)
        }
        if closing && awaiting == nil && webSocket == nil { stream.closeAfterPendingWrites() }
    }

    /// The node accepted the waiting request as a WebSocket upgrade: write the 101 (after every
    /// earlier response, already written), then hand the connection to a WebSocket session with
    /// whatever the client sent after the request. May run from inside `processParsed`, whose
    /// loop then stops, as it does for every connection in WebSocket mode.
    func upgrade(_ requestID: RequestID, _ response: HTTPResponse) {
        guard let waiting = awaiting, waiting.id == requestID, webSocket == nil else {
            preconditionFailure("upgrade for \(requestID) but connection \(id) awaits \(String(describing: awaiting?.id))")
        }
        precondition(response.status == .switchingProtocols, "an upgrade is answered with 101")
        awaiting = nil
        let now = server.loop.nowMilliseconds
        // keepAlive: the connection stays open, so no "Connection: close" may join "Connection: Upgrade".
        response.write(into: &outgoing, keepAlive: true, date: server.httpDate)
        let session = WebSocketSession(subscriber: requestID, stream: stream, limits: server.webSocketLimits, now: now)
        webSocket = session
        flush()  // in WebSocket mode: writes, and never closes for HTTP's reasons
        if paused { resumeReading() }
        let early = parser.takeUnconsumedBytes()
        if !early.isEmpty { early.withUnsafeBytes { session.received($0, now: now) } }
        // The agent began stopping while the handshake waited for the node.
        if closing { session.goAway(now: now) }
    }

    /// A message from the node for the WebSocket subscriber `requestID`; dropped unless this
    /// connection is that subscriber (it may be closing: the node learns that from `.cancel`).
    func push(_ requestID: RequestID, _ message: [UInt8]) {
        guard let webSocket, webSocket.subscriber == requestID else { return }
        webSocket.push(message, now: server.loop.nowMilliseconds)
    }

    /// Slowloris defence: a request must arrive within `readTimeout`; an idle keep-alive
    /// connection may wait `idleTimeout`. A request waiting for its response is never cut off here.
    /// A WebSocket has its own timings instead (pings, a silent client, an overdue close).
    func enforceTimeouts(now: UInt64, readTimeout: UInt64, idleTimeout: UInt64) {
        if let webSocket {
            webSocket.tick(now: now)
            return
        }
        applyBackPressure()
        if paused, now &- lastActivityMilliseconds > idleTimeout {
            stream.close()  // a client that stopped reading its responses
            return
        }
        guard awaiting == nil, !closing, !paused else { return }
        if !parser.isIdle, now &- requestStartedMilliseconds > readTimeout {
            HTTPResponse.text(.requestTimeout, "request not received within \(readTimeout)ms").write(into: &outgoing, keepAlive: false, date: server.httpDate)
            closing = true
            flush()
        } else if parser.isIdle, now &- lastActivityMilliseconds > idleTimeout {
            stream.close()
        }
    }

    /// The stream is gone: a request still waiting for the node, or the WebSocket subscriber,
    /// is cancelled there. Runs once per connection (the close callback), so each ID is
    /// cancelled exactly once; a connection is never both awaiting and upgraded.
    private func closed() {
        assert(awaiting == nil || webSocket == nil)
        if let waiting = awaiting {
            awaiting = nil
            server.cancel?(waiting.id)
        }
        if let webSocket {
            server.logger.debug("websocket closed", ["client": client, "reason": webSocket.endReason ?? "connection lost"])
            server.cancel?(webSocket.subscriber)
        }
        server.forget(id, client: client)
    }

    /// Closes now if nothing is in flight, else after the pending response; a WebSocket starts
    /// its closing handshake with 1001.
    func closeWhenIdle() {
        if let webSocket {
            webSocket.goAway(now: server.loop.nowMilliseconds)
            return
        }
        closing = true
        if awaiting == nil { stream.closeAfterPendingWrites() }
    }
}
