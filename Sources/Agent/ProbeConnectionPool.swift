import Loop

/// Idle HTTP/1.1 probe connections, kept for the next probe of the same address, as Envoy's
/// health checker keeps its connection (Consul's Go client turns keep-alives off).
///
/// Why: a fresh connection per probe is a connect, a close, and on loopback the peer's side of
/// both handshakes in our context; at 10,000 checks every 10 s that was two fifths of the
/// probing CPU, and the same again on every probed service. A kept connection costs one write
/// and one read per probe.
///
/// Rules, all on the loop thread:
/// - A connection is parked only after a whole response that leaves it reusable
///   (`HTTPResponseParser.leavesConnectionReusable`), and is keyed by the address it is connected
///   to and the TLS settings it was made with: a connection verified for one name never serves
///   another.
/// - While parked it is read: anything arriving (the peer's close, stray bytes, a TLS alert)
///   closes it. A TLS session may still deliver post-handshake records (TLS 1.3 tickets), which
///   it consumes without leaving its idle state.
/// - The newest parked connection is taken first, so the older ones age out: a connection idle
///   for `idleMilliseconds` is closed.
/// - At most `maxIdle` are parked; past that a finished connection is closed instead.
final class ProbeConnectionPool {
    /// What a parked connection can serve.
    struct Key: Hashable {
        var address: SocketAddress
        var tls: ProbePlan.TLS?
    }

    /// A connection with no request on it.
    final class Connection {
        let stream: TCPStream
        /// The session of an `https://` connection; carries on where the last exchange left it.
        let tls: TLSClientSession?
        fileprivate(set) var parkedAt: UInt64 = 0

        init(stream: TCPStream, tls: TLSClientSession?) {
            self.stream = stream
            self.tls = tls
        }
    }

    private let loop: EventLoop
    let maxIdle: Int
    let idleMilliseconds: UInt64
    private var parked: [Key: [Connection]] = [:]
    private(set) var idleCount = 0
    /// Closes connections idle too long; runs while any is parked.
    private var sweeper: Timer?
    private var isShutDown = false

    init(loop: EventLoop, maxIdle: Int, idleMilliseconds: UInt64) {
        precondition(maxIdle >= 0 && idleMilliseconds > 0)
        self.loop = loop
        self.maxIdle = maxIdle
        self.idleMilliseconds = idleMilliseconds
    }

    /// The newest idle connection for `key`, now the caller's (its callbacks are the caller's
    /// to set; it is still reading).
    func take(_ key: Key) -> Connection? {
        guard var list = parked[key], let connection = list.popLast() else { return nil }
        parked[key] = list.isEmpty ? nil : list
        idleCount -= 1
        connection.stream.onRead = nil
        connection.stream.onReadEnd = nil
        connection.stream.onClose = nil
        return connection
    }

    /// Keeps `connection` for a later probe of `key`, or closes it when the pool is full or shut.
    func park(_ connection: Connection, as key: Key) {
        let stream = connection.stream
        // A TLS session that has ended (close_notify with the answer) could send nothing more.
        let usable = stream.state == .open && (connection.tls.map { $0.state == .established } ?? true)
        guard !isShutDown, idleCount < maxIdle, usable else { return Self.discard(stream) }
        connection.parkedAt = loop.nowMilliseconds
        parked[key, default: []].append(connection)
        idleCount += 1
        stream.onRead = { [weak self, unowned connection] bytes in self?.idleRead(connection, key, bytes) }
        stream.onReadEnd = { [weak self, unowned connection] _ in self?.drop(connection, key) }
        stream.onClose = { [weak self, unowned connection] in self?.remove(connection, key) }
        startSweeping()
    }

    /// Closes every parked connection and parks no more.
    func shutDown() {
        isShutDown = true
        let all = parked.values.flatMap { $0 }
        parked.removeAll()
        idleCount = 0
        for connection in all { Self.discard(connection.stream) }
        sweeper?.close()
        sweeper = nil
    }

    /// Closes a connection nobody will use again: a reset, no TIME_WAIT left behind.
    static func discard(_ stream: TCPStream) {
        stream.onRead = nil
        stream.onReadEnd = nil
        stream.onClose = nil
        stream.resetOnClose()
        stream.close()
    }

    private func idleRead(_ connection: Connection, _ key: Key, _ bytes: UnsafeRawBufferPointer) {
        guard let tls = connection.tls else { return drop(connection, key) }
        // Session tickets are fine; application data, an alert or the peer's close end it.
        let output = tls.receive(bytes)
        if !output.plaintext.isEmpty || output.failure != nil || output.peerClosed { return drop(connection, key) }
        if !output.ciphertext.isEmpty { connection.stream.write(output.ciphertext) }
    }

    private func drop(_ connection: Connection, _ key: Key) {
        remove(connection, key)
        Self.discard(connection.stream)
    }

    private func remove(_ connection: Connection, _ key: Key) {
        guard var list = parked[key], let index = list.firstIndex(where: { $0 === connection }) else { return }
        list.remove(at: index)
        parked[key] = list.isEmpty ? nil : list
        idleCount -= 1
    }

    private func startSweeping() {
        guard sweeper == nil, let timer = try? Timer(loop: loop) else { return }
        sweeper = timer
        // Never the only thing keeping the loop alive.
        timer.unref()
        let period = max(idleMilliseconds / 4, 1)
        timer.start(afterMilliseconds: period, repeatMilliseconds: period) { [weak self] in self?.sweep() }
    }

    private func sweep() {
        let now = loop.nowMilliseconds
        var expired: [(Connection, Key)] = []
        for (key, list) in parked {
            for connection in list where now &- connection.parkedAt >= idleMilliseconds { expired.append((connection, key)) }
        }
        for (connection, key) in expired { drop(connection, key) }
        if idleCount == 0 {
            sweeper?.close()
            sweeper = nil
        }
    }
}
