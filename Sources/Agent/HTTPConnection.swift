import HTTP
import Loop
import Server

/// One client connection: bytes in, parsed requests to the node one at a time, responses out in
/// request order. While a request waits for its response, later pipelined requests stay in the
/// parser, which is what keeps responses in order.
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
        do { try stream.startReading() } catch { stream.close() }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        let now = server.loop.nowMilliseconds
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
        let over = (awaiting != nil && parser.bufferedBytes > Self.maxHeldBytes) || stream.pendingWriteBytes > Self.maxUnsentBytes
        if over, !paused {
            stream.stopReading()
            paused = true
        } else if !over, paused, !closing {
            paused = false
            do { try stream.startReading() } catch { stream.close() }
        }
    }

    /// Hands parsed requests to the node until one is left waiting or the bytes run out.
    private func processParsed() {
        guard !processing else { return }
        processing = true
        defer { processing = false }
        while awaiting == nil, !closing, let event = parser.next() {
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
        if closing && awaiting == nil { stream.closeAfterPendingWrites() }
    }

    /// Slowloris defence: a request must arrive within `readTimeout`; an idle keep-alive
    /// connection may wait `idleTimeout`. A request waiting for its response is never cut off here.
    func enforceTimeouts(now: UInt64, readTimeout: UInt64, idleTimeout: UInt64) {
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

    /// Closes now if nothing is in flight, else after the pending response.
    func closeWhenIdle() {
        closing = true
        if awaiting == nil { stream.closeAfterPendingWrites() }
    }
}
