import HTTP
import Loop
import Server

/// The shell of one WebSocket: feeds its `WebSocketEndpoint` the client's bytes, the node's
/// messages and the loop's clock, and carries out what the endpoint asks on the stream. It
/// decides nothing itself. Owned by the `HTTPConnection` that was upgraded; loop thread only.
final class WebSocketSession {
    /// The upgrade request's ID: the node's name for this subscriber (`.push` targets it, and
    /// the connection's end is reported with `.cancel` of it).
    let subscriber: RequestID
    private let stream: TCPStream
    private var endpoint: WebSocketEndpoint
    /// Reused between calls, so a ping answered costs no allocation for the action list.
    private var actions: [WebSocketAction] = []

    init(subscriber: RequestID, stream: TCPStream, limits: WebSocketLimits, now: UInt64) {
        self.subscriber = subscriber
        self.stream = stream
        endpoint = WebSocketEndpoint(limits: limits, now: now)
    }

    /// Why the WebSocket ended, for the log; nil if the client just dropped the TCP connection.
    var endReason: String? { endpoint.endReason }

    /// Bytes from the client.
    func received(_ bytes: UnsafeRawBufferPointer, now: UInt64) {
        endpoint.received(bytes, now: now, unsentBytes: stream.pendingWriteBytes, into: &actions)
        perform()
    }

    /// One message from the node (a configuration version, UTF-8 JSON).
    func push(_ message: [UInt8], now: UInt64) {
        endpoint.send(text: message, now: now, unsentBytes: stream.pendingWriteBytes, into: &actions)
        perform()
    }

    /// The once-a-second sweep: pings, silent clients, overdue closes.
    func tick(now: UInt64) {
        endpoint.tick(now: now, unsentBytes: stream.pendingWriteBytes, into: &actions)
        perform()
    }

    /// The agent is stopping: close with 1001 and wait (briefly) for the client's close.
    func goAway(now: UInt64) {
        endpoint.goAway(now: now, into: &actions)
        perform()
    }

    /// Writes what the endpoint queued as one write, then closes if it asked to; actions run in
    /// order, so a close frame is always queued before the close that follows it.
    private func perform() {
        guard !actions.isEmpty else { return }
        var bytes: [UInt8] = []
        for action in actions {
            switch action {
            case .write(let frame):
                bytes.append(contentsOf: frame)
            case .closeAfterWrites:
                stream.write(bytes)
                bytes.removeAll()
                // Reads on (and the endpoint drops what comes) until the client's end of stream,
                // which closes the connection; the endpoint's close timeout bounds the wait.
                stream.shutDownAfterPendingWrites()
            case .closeNow:
                stream.close()
            }
        }
        actions.removeAll(keepingCapacity: true)
        stream.write(bytes)  // nothing when empty, or when the stream is already closing
    }
}
