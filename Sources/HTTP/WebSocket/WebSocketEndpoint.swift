// The server's end of one WebSocket after the handshake (RFC 6455 §5-§7), as a value: bytes,
// messages to send and clock readings go in; what to write and when to close come out. The
// shell owns the socket and the clock and decides nothing itself.
//
// Phases: open -> closing (we sent a close frame and wait for the client's) -> draining (the
// handshake is over or failed; the TCP connection closes once our last bytes are out) ->
// closed (the shell was told to close now). A client can hold us in closing or draining for at
// most `closeTimeoutMilliseconds`, which matters most for a client that stopped reading.

/// What the shell does for a `WebSocketEndpoint`, in the order given.
public enum WebSocketAction: Sendable, Equatable {
    /// Write these bytes (one or more whole frames).
    case write([UInt8])
    /// End the TCP connection once everything written has gone out (§7.1.1: the server
    /// closes first): send FIN, drop whatever the client still sends, close at its end of
    /// stream. A client that does not end is cut off by the next `.closeNow`.
    case closeAfterWrites
    /// Close the TCP connection at once, dropping what has not been sent: the peer is silent,
    /// or it let a closing handshake run out of time.
    case closeNow
}

/// The server side of one WebSocket connection (watchers only listen: their messages are read,
/// checked and dropped).
public struct WebSocketEndpoint: Sendable {
    enum Phase: Sendable, Equatable {
        case open
        case closing(sinceMilliseconds: UInt64)
        case draining(sinceMilliseconds: UInt64)
        case closed
    }

    public let limits: WebSocketLimits
    var parser: WebSocketFrameParser
    var phase = Phase.open
    var lastHeardMilliseconds: UInt64
    var lastPingMilliseconds: UInt64
    /// Why the connection left the open phase, for the log; nil while open.
    public private(set) var endReason: String?

    /// An endpoint whose handshake completed at `now` (the loop's monotonic milliseconds).
    public init(limits: WebSocketLimits, now: UInt64) {
        limits.check()
        self.limits = limits
        parser = WebSocketFrameParser(maxMessageBytes: limits.maxMessageBytes)
        lastHeardMilliseconds = now
        lastPingMilliseconds = now
    }

    /// True until the closing handshake starts; only then are messages sent.
    public var isOpen: Bool { phase == .open }

    /// True once the shell has been told to close now: nothing more will come out.
    public var isClosed: Bool { phase == .closed }

    /// Bytes from the client. `unsentBytes` is the output the client has not read yet.
    public mutating func received(_ bytes: UnsafeRawBufferPointer, now: UInt64, unsentBytes: Int, into actions: inout [WebSocketAction]) {
        guard phase != .closed else { return }
        lastHeardMilliseconds = now
        parser.feed(bytes)
        var unsent = unsentBytes
        while let event = parser.next() {
            handle(event, unsent: &unsent, now: now, into: &actions)
        }
    }

    /// Sends one text message (a configuration version as UTF-8 JSON) if the connection is open
    /// and the client keeps up; otherwise closes it with 1008.
    public mutating func send(text utf8: [UInt8], now: UInt64, unsentBytes: Int, into actions: inout [WebSocketAction]) {
        guard phase == .open else { return }
        var frame: [UInt8] = []
        WebSocketFrame.appendText(utf8, into: &frame)
        var unsent = unsentBytes
        queue(frame, unsent: &unsent, now: now, into: &actions)
    }

    /// Called about once a second: pings, drops a silent client, ends an overdue close.
    public mutating func tick(now: UInt64, unsentBytes: Int, into actions: inout [WebSocketAction]) {
        switch phase {
        case .closed:
            return
        case .closing(let since), .draining(let since):
            guard now &- since >= limits.closeTimeoutMilliseconds else { return }
            phase = .closed
            actions.append(.closeNow)
        case .open:
            if now &- lastHeardMilliseconds >= limits.idleTimeoutMilliseconds {
                endIfOpen("client silent for \(now &- lastHeardMilliseconds)ms")
                phase = .closed
                actions.append(.closeNow)
            } else if now &- lastPingMilliseconds >= limits.pingIntervalMilliseconds {
                lastPingMilliseconds = now
                var frame: [UInt8] = []
                WebSocketFrame.appendPing(into: &frame)
                var unsent = unsentBytes
                queue(frame, unsent: &unsent, now: now, into: &actions)
            }
        }
    }

    /// The server is shutting down: start the closing handshake with 1001 (§7.4.1).
    public mutating func goAway(now: UInt64, into actions: inout [WebSocketAction]) {
        guard phase == .open else { return }
        startClosing(.goingAway, "server shutting down", now: now, into: &actions)
    }

    private mutating func handle(_ event: WebSocketEvent, unsent: inout Int, now: UInt64, into actions: inout [WebSocketAction]) {
        switch event {
        case .text, .binary, .pong:
            break  // watchers only listen; arriving at all already counted as a sign of life
        case .ping(let payload):
            // §5.5.3: answer with the same payload, unless we already sent a close frame (§5.5.1).
            guard phase == .open else { return }
            var frame: [UInt8] = []
            WebSocketFrame.appendPong(payload, into: &frame)
            queue(frame, unsent: &unsent, now: now, into: &actions)
        case .close(let code, _):
            answerClose(code, now: now, into: &actions)
        case .failure(let error):
            fail(error, now: now, into: &actions)
        }
    }

    /// §5.5.1: answer a close with a close (echoing its code, or 1000 when it had none) unless
    /// ours was first; either way the handshake is over.
    private mutating func answerClose(_ code: WebSocketCloseCode?, now: UInt64, into actions: inout [WebSocketAction]) {
        if phase == .open {
            endIfOpen("client closed (\(code.map(String.init(describing:)) ?? "no code"))")
            var frame: [UInt8] = []
            WebSocketFrame.appendClose(code ?? .normalClosure, into: &frame)
            actions.append(.write(frame))
        }
        drain(now: now, into: &actions)
    }

    /// §7.1.7: _Fail the WebSocket Connection_: send a close with the error's code (if no close
    /// was sent yet), then close the TCP connection.
    private mutating func fail(_ error: WebSocketProtocolError, now: UInt64, into actions: inout [WebSocketAction]) {
        if phase == .open {
            endIfOpen("protocol failure \(error.code): \(error.message)")
            var frame: [UInt8] = []
            WebSocketFrame.appendClose(error.code, reason: error.message, into: &frame)
            actions.append(.write(frame))
        }
        drain(now: now, into: &actions)
    }

    /// Queues a frame unless it would take the client's unread output past the limit; such a
    /// client is closed with 1008 instead, and nothing more is queued for it.
    private mutating func queue(_ frame: [UInt8], unsent: inout Int, now: UInt64, into actions: inout [WebSocketAction]) {
        assert(phase == .open)
        guard unsent + frame.count <= limits.maxUnsentBytes else {
            startClosing(.policyViolation, "client does not read its messages", now: now, into: &actions)
            return
        }
        unsent += frame.count
        actions.append(.write(frame))
    }

    private mutating func startClosing(_ code: WebSocketCloseCode, _ reason: String, now: UInt64, into actions: inout [WebSocketAction]) {
        assert(phase == .open)
        endIfOpen("server closed (\(code)): \(reason)")
        var frame: [UInt8] = []
        WebSocketFrame.appendClose(code, reason: reason, into: &frame)
        actions.append(.write(frame))
        phase = .closing(sinceMilliseconds: now)
    }

    private mutating func drain(now: UInt64, into actions: inout [WebSocketAction]) {
        guard phase != .closed else { return }
        if case .draining = phase { return }
        phase = .draining(sinceMilliseconds: now)
        actions.append(.closeAfterWrites)
    }

    private mutating func endIfOpen(_ reason: String) {
        if endReason == nil { endReason = reason }
    }
}
