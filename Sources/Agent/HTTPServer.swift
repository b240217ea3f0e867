import HTTP
import Loop
import Server

/// One HTTP listener (8500 or 8761) and its connections. It parses, hands complete requests to
/// the node through `dispatch`, and writes responses in request order. It decides nothing about
/// what a request means.
final class HTTPServer {
    let listenerKind: Listener
    let loop: EventLoop
    private let limits: AgentConfig.Limits
    private let parserLimits: HTTPParserLimits
    let logger: Logger
    /// Bounds and timings of every WebSocket on this listener.
    let webSocketLimits: WebSocketLimits
    private var listener: TCPListener?
    private(set) var connections: [UInt64: HTTPConnection] = [:]
    private var connectionsPerClient: [String: Int] = [:]
    private var nextConnectionID: UInt64
    /// Hands a request to the node; responses come back through `deliver`.
    let dispatch: (RequestID, Listener, HTTPRequest) -> Void
    /// Tells the node that a request's client went away before its answer.
    var cancel: ((RequestID) -> Void)?
    /// The current `Date:` value, refreshed by the agent once a second.
    var httpDate = WallClock.httpDateNow()

    init(kind: Listener, loop: EventLoop, limits: AgentConfig.Limits, logger: Logger, firstConnectionID: UInt64,
         dispatch: @escaping (RequestID, Listener, HTTPRequest) -> Void) {
        self.listenerKind = kind
        self.loop = loop
        self.limits = limits
        self.logger = logger
        self.dispatch = dispatch
        nextConnectionID = firstConnectionID
        var parserLimits = HTTPParserLimits()
        parserLimits.maxBodyBytes = limits.httpMaxBodyBytes
        self.parserLimits = parserLimits
        webSocketLimits = limits.webSocket
    }

    /// Binds and starts accepting.
    func listen(on address: SocketAddress) throws(LoopError) {
        let listener = try TCPListener(loop: loop)
        self.listener = listener
        listener.onAcceptError = { [logger] error in logger.warn("accept failed", ["error": "\(error)"]) }
        try listener.listen(on: address) { [unowned self] stream in self.accept(stream) }
    }

    var localAddress: SocketAddress? { listener?.localAddress }

    private func accept(_ stream: TCPStream) {
        let client = stream.remoteAddress?.ip ?? "?"
        let perClient = connectionsPerClient[client, default: 0]
        // Over a limit the connection is closed at once, as Consul does; nothing was read yet.
        guard perClient < limits.httpMaxConnsPerClient, connections.count < limits.httpMaxConnections else {
            logger.warn("connection refused: limit reached", ["client": client, "open": String(perClient)])
            stream.close()
            return
        }
        connectionsPerClient[client] = perClient + 1
        let id = nextConnectionID
        nextConnectionID += 1
        let connection = HTTPConnection(id: id, client: client, stream: stream, server: self, parserLimits: parserLimits, now: loop.nowMilliseconds)
        connections[id] = connection
        connection.start()
    }

    /// Called by a connection once its stream has closed.
    func forget(_ id: UInt64, client: String) {
        connections[id] = nil
        let remaining = connectionsPerClient[client, default: 1] - 1
        connectionsPerClient[client] = remaining > 0 ? remaining : nil
    }

    /// Routes a response from the node to its connection; dropped if the client has gone.
    func deliver(_ id: RequestID, _ response: HTTPResponse) {
        connections[id.connection]?.respond(id, response)
    }

    /// Writes the node's 101 and switches the connection to WebSocket; dropped if the client has gone.
    func upgrade(_ id: RequestID, _ response: HTTPResponse) {
        connections[id.connection]?.upgrade(id, response)
    }

    /// Sends a message to a WebSocket subscriber; dropped if it has gone.
    func push(_ id: RequestID, _ message: [UInt8]) {
        connections[id.connection]?.push(id, message)
    }

    /// Closes connections whose request is arriving too slowly or that sat idle too long.
    func sweepTimeouts(now: UInt64) {
        for connection in connections.values {
            connection.enforceTimeouts(now: now, readTimeout: limits.httpReadTimeoutMilliseconds, idleTimeout: limits.httpIdleTimeoutMilliseconds)
        }
    }

    /// Stops accepting and closes idle connections; busy ones close after their response,
    /// WebSockets after their closing handshake (1001).
    func shutdown() {
        listener?.close()
        listener = nil
        for connection in connections.values { connection.closeWhenIdle() }
    }
}
