import Loop
import Raft
import Server

/// The bounds and timings of the peer transport, in one place.
public struct PeerTransportLimits: Sendable {
    /// Bytes queued for one connection and not yet taken by the kernel; a send that would pass
    /// it drops the connection instead (Raft resends). A message always goes onto an empty queue.
    public var maxUnsentBytesPerConnection = 64 << 20
    /// The first and the longest wait before redialing an address (plus up to a fifth of jitter).
    public var minBackoffMilliseconds: UInt64 = 100
    public var maxBackoffMilliseconds: UInt64 = 5000
    /// A connection that had been up this long is redialed at once when it ends, without a
    /// backoff: if the peer's process died, its address refuses now, and the node hears of it
    /// (`onUnreachable`). One that ended sooner waits its backoff, so a peer that keeps closing
    /// connections right after the handshake is not redialed in a tight loop. It also bounds
    /// how often a dialer cuts its backoff short when our last connection to its server
    /// closes (`PeerDialer.probeNow`): once per this many milliseconds.
    public var lastingConnectionMilliseconds: UInt64 = 1000
    /// From the start of a connection (accept, or connect) until its handshake must be in.
    public var handshakeTimeoutMilliseconds: UInt64 = 10_000
    /// Inbound connections at once; more are closed as they arrive (a cluster has a handful of
    /// servers, each with one connection to us).
    public var maxInboundConnections = 256
    /// Addresses dialed at once; the rest of a longer list is ignored with a warning.
    public var maxDialedAddresses = 64
    /// Resolved addresses of one name tried in turn before backing off.
    public var maxAddressesTried = 4

    public init() {}

    /// Stops the process when the limits cannot work together (a programming error).
    func check() {
        precondition(maxUnsentBytesPerConnection >= PeerFrame.maxChunkBytes + PeerFrame.headerBytes, "a chunk must fit the output bound")
        precondition(minBackoffMilliseconds >= 1 && minBackoffMilliseconds <= maxBackoffMilliseconds)
        precondition(handshakeTimeoutMilliseconds >= 1 && maxInboundConnections >= 1 && maxDialedAddresses >= 1 && maxAddressesTried >= 1)
    }
}

/// Carries `PeerMessage`s between servers over TCP (the server port, 8300): both sides send
/// their `PeerHandshake` first, then framed, checksummed messages (`PeerFrame`, `PeerCodec`).
/// It keeps outbound connections to the addresses it is told to dial and accepts inbound ones;
/// the only decisions it takes are the handshake's (same protocol version and datacenter, not
/// ourselves). What messages mean is the core's business.
///
/// Threading: confined to the loop thread, like every handle it owns; every callback runs there.
/// `onConnected` and `onMessage` run from a connection's read callback, `onDisconnected` from
/// its close callback; none ever runs inside `listen`, `dial`, `send` or `shutDown`, and each may
/// call any of them. Nothing is called back after `shutDown()`.
///
/// Two servers that dial each other have two connections: each connection that passes the
/// handshake gets its own `onConnected`, and its own `onDisconnected` when it ends.
///
/// `onUnreachable` runs from a dial's connect callback when an address whose last connection
/// handshook as some server now refuses connections, and no other connection to that server is
/// open: nothing listens there any more, its process is gone. (A dead machine or a partition
/// makes the connect time out instead, and says nothing.)
public final class PeerTransport {
    /// What we tell every peer about ourselves.
    public let handshake: PeerHandshake
    let loop: EventLoop
    let logger: Logger
    let limits: PeerTransportLimits
    /// Our handshake, framed once.
    let handshakeFrame: [UInt8]
    private let onConnected: (PeerHandshake) -> Void
    private let onMessage: (RaftNodeID, PeerMessage) -> Void
    private let onDisconnected: (RaftNodeID) -> Void
    private let onUnreachable: (RaftNodeID) -> Void
    private var listener: TCPListener?
    private var dialers: [String: PeerDialer] = [:]
    /// Addresses whose handshake came back with our own ID: never dialed again.
    private var ownAddresses: Set<String> = []
    /// Addresses already warned about (unparsable, or over the dial limit), so repeated `dial`
    /// calls do not repeat the warning.
    private var warnedAddresses: Set<String> = []
    /// Every connection until its close callback, handshaken or not.
    private var connections: [ObjectIdentifier: PeerConnection] = [:]
    /// Handshaken connections by the remote's ID, oldest first.
    private var established: [RaftNodeID: [PeerConnection]] = [:]
    /// Servers whose address refused while another connection to them was still open: when.
    private var refusedAt: [RaftNodeID: UInt64] = [:]
    private var inboundCount = 0
    private var isShutDown = false
    /// Backoff jitter; seeded from the system, as the shell may be.
    private var random = SplitMix64(seed: UInt64.random(in: 0...UInt64.max))

    /// A transport on `loop` that introduces itself with `handshake`. Nothing happens until
    /// `listen` or `dial`.
    public init(loop: EventLoop, handshake: PeerHandshake, logger: Logger, limits: PeerTransportLimits = PeerTransportLimits(),
                onConnected: @escaping (PeerHandshake) -> Void,
                onMessage: @escaping (RaftNodeID, PeerMessage) -> Void,
                onDisconnected: @escaping (RaftNodeID) -> Void,
                onUnreachable: @escaping (RaftNodeID) -> Void = { _ in }) {
        limits.check()
        self.loop = loop
        self.handshake = handshake
        self.logger = logger.named("peer")
        self.limits = limits
        self.onConnected = onConnected
        self.onMessage = onMessage
        self.onDisconnected = onDisconnected
        self.onUnreachable = onUnreachable
        handshakeFrame = PeerFrame.encode(PeerCodec.encode(handshake))
    }

    /// Accepts peer connections on `address`. Call at most once.
    public func listen(on address: SocketAddress) throws(LoopError) {
        precondition(listener == nil && !isShutDown, "listen once, before shutDown")
        let listener = try TCPListener(loop: loop)
        self.listener = listener
        listener.onAcceptError = { [logger] error in logger.warn("accept failed", ["error": "\(error)"]) }
        do {
            try listener.listen(on: address) { [unowned self] stream in self.accept(stream) }
        } catch {
            listener.close()
            self.listener = nil
            throw error
        }
    }

    /// The address `listen` bound (its port, after binding port 0).
    public var localAddress: SocketAddress? { listener?.localAddress }

    /// Keeps outbound connections to exactly these "host:port" addresses (DNS names allowed).
    /// Called repeatedly with the full set; idempotent. New addresses are dialed at once, each
    /// connect resolves the name again, and a lost or failed connection is redialed after an
    /// exponential backoff (`limits`) with jitter. Addresses left out are closed and no longer
    /// dialed; an address that turned out to be ourselves is never dialed again.
    public func dial(_ addresses: [String]) {
        guard !isShutDown else { return }
        let wanted = Set(addresses)
        for address in dialers.keys.sorted() where !wanted.contains(address) {
            dialers.removeValue(forKey: address)?.retire()
        }
        for address in addresses where dialers[address] == nil && !ownAddresses.contains(address) {
            guard let endpoint = dialable(address) else { continue }
            let dialer = PeerDialer(address: address, endpoint: endpoint, transport: self)
            dialers[address] = dialer
            dialer.start()
        }
        assert(dialers.count <= limits.maxDialedAddresses)
    }

    /// Sends over an established connection with node `id`, outbound preferred; dropped silently
    /// when there is none (Raft tolerates loss). Messages to one node over one connection arrive
    /// in order.
    public func send(_ message: PeerMessage, to id: RaftNodeID) {
        guard !isShutDown, let connection = preferredConnection(to: id) else { return }
        let (head, bulk) = PeerCodec.encodeParts(message)
        guard head.count + bulk.count <= PeerFrame.maxMessageBytes else {
            logger.error("peer message over the size limit dropped", ["id": String(id), "bytes": String(head.count + bulk.count)])
            return
        }
        if bulk.isEmpty {
            connection.write(PeerFrame.encode(head), maxUnsentBytes: limits.maxUnsentBytesPerConnection)
        } else {
            connection.send(streaming: PeerFrameStream(head: head, bulk: bulk), maxUnsentBytes: limits.maxUnsentBytesPerConnection)
        }
    }

    /// The addresses being dialed, sorted (for tests and diagnostics).
    var dialedAddresses: [String] { dialers.keys.sorted() }

    /// Connections not yet through their close callback, handshaken or not.
    var connectionCount: Int { connections.count }

    /// Whether some connection with node `id` has passed its handshake.
    public func isConnected(to id: RaftNodeID) -> Bool { preferredConnection(to: id) != nil }

    /// Closes the listener and every connection, stops dialing; no callback runs after this.
    /// The handles finish closing in later loop rounds.
    public func shutDown() {
        guard !isShutDown else { return }
        isShutDown = true
        listener?.close()
        listener = nil
        for address in dialers.keys.sorted() { dialers[address]?.retire() }
        dialers = [:]
        for connection in connections.values { connection.close(because: "shutting down", warn: false) }
    }

    // MARK: Connections

    /// A new outbound connection for `dialer`, registered here; nil when the loop cannot open one.
    func openOutbound(for dialer: PeerDialer, to target: SocketAddress) -> PeerConnection? {
        guard !isShutDown, let stream = try? TCPStream(loop: loop) else { return nil }
        let connection = PeerConnection(stream: stream, origin: .outbound(dialer), peer: "\(dialer.address) (\(target))",
                                        transport: self, deadlineMilliseconds: limits.handshakeTimeoutMilliseconds)
        connections[ObjectIdentifier(connection)] = connection
        return connection
    }

    private func accept(_ stream: TCPStream) {
        let peer = stream.remoteAddress.map { "\($0)" } ?? "unknown"
        guard !isShutDown, inboundCount < limits.maxInboundConnections else {
            logger.warn("peer connection refused: too many inbound connections", ["peer": peer, "limit": String(limits.maxInboundConnections)])
            stream.close()
            return
        }
        let connection = PeerConnection(stream: stream, origin: .inbound, peer: peer, transport: self,
                                        deadlineMilliseconds: limits.handshakeTimeoutMilliseconds)
        connections[ObjectIdentifier(connection)] = connection
        inboundCount += 1
        connection.begin(handshakeFrame: handshakeFrame)
    }

    /// A complete message arrived on `connection`: the handshake first, then peer messages.
    func received(_ bytes: [UInt8], on connection: PeerConnection) {
        guard !isShutDown else { return }
        guard let remote = connection.remote else { return receivedHandshake(bytes, on: connection) }
        do {
            let message = try PeerCodec.decode(bytes)
            onMessage(remote.id, message)
        } catch {
            connection.close(because: "undecodable message: \(error)", warn: true)
        }
    }

    private func receivedHandshake(_ bytes: [UInt8], on connection: PeerConnection) {
        let remote: PeerHandshake
        do {
            remote = try PeerCodec.decodeHandshake(bytes)
        } catch {
            return connection.close(because: "undecodable handshake: \(error)", warn: true)
        }
        if let refusal = PeerHandshakeCheck.refusal(of: remote, by: handshake) {
            return refuse(connection, remote, refusal)
        }
        connection.established(remote)
        established[remote.id, default: []].append(connection)
        if case .outbound(let dialer) = connection.origin { dialer.established(as: remote.id) }
        logger.debug("peer connected", ["peer": connection.peer, "id": String(remote.id), "address": remote.address])
        onConnected(remote)
    }

    private func refuse(_ connection: PeerConnection, _ remote: PeerHandshake, _ refusal: PeerHandshakeCheck.Refusal) {
        guard refusal == .ourselves else {
            return connection.close(because: "\(refusal) (theirs: version \(remote.version), datacenter \(remote.datacenter), id \(remote.id))", warn: true)
        }
        connection.close(because: "\(refusal)", warn: false)
        guard case .outbound(let dialer) = connection.origin else { return }
        // We dialed ourselves (our own address is in the join list): never again.
        logger.info("peer address is our own; no longer dialed", ["address": dialer.address])
        ownAddresses.insert(dialer.address)
        if dialers[dialer.address] === dialer { dialers[dialer.address] = nil }
        dialer.retire()
    }

    /// From a connection's close callback: forget it and report its end.
    func connectionClosed(_ connection: PeerConnection) {
        precondition(connections.removeValue(forKey: ObjectIdentifier(connection)) != nil, "a connection closed twice")
        if case .inbound = connection.origin { inboundCount -= 1 }
        assert(inboundCount >= 0)
        if let remote = connection.remote {
            established[remote.id]?.removeAll { $0 === connection }
            if established[remote.id]?.isEmpty == true { established[remote.id] = nil }
        }
        if case .outbound(let dialer) = connection.origin { dialer.connectionEnded(connection) }
        if let remote = connection.remote, !isShutDown {
            if established[remote.id] == nil {
                // No connection to that server is left: find out now whether it still listens.
                for dialer in dialers.values where dialer.lastServer == remote.id { dialer.probeNow() }
            }
            onDisconnected(remote.id)
            if let at = refusedAt[remote.id], established[remote.id] == nil {
                if loop.nowMilliseconds &- at <= limits.lastingConnectionMilliseconds { reportUnreachable(remote.id) } else { refusedAt[remote.id] = nil }
            }
        }
    }

    /// A dialer's address, last connected to server `id`, refused a connection. Reported at
    /// once when no connection to `id` is open; otherwise when the last one closes, if that
    /// comes within `lastingConnectionMilliseconds` (a dead server's other connections close
    /// at about the same moment, and not always first).
    func refused(_ id: RaftNodeID) {
        guard !isShutDown else { return }
        guard preferredConnection(to: id) == nil else {
            refusedAt[id] = loop.nowMilliseconds
            return
        }
        reportUnreachable(id)
    }

    private func reportUnreachable(_ id: RaftNodeID) {
        refusedAt[id] = nil
        logger.debug("peer address refuses connections", ["id": String(id)])
        onUnreachable(id)
    }

    private func preferredConnection(to id: RaftNodeID) -> PeerConnection? {
        let open = (established[id] ?? []).filter(\.isOpen)
        return open.first(where: \.isOutbound) ?? open.last
    }

    /// The endpoint of `address`, or nil (warned about once) when it cannot be dialed.
    private func dialable(_ address: String) -> ProbeEndpoint? {
        guard dialers.count < limits.maxDialedAddresses else {
            warnOnce(address, "peer address over the dial limit ignored", detail: "limit \(limits.maxDialedAddresses)")
            return nil
        }
        switch ProbeEndpoint.parseTCPAddress(address) {
        case .success(let endpoint) where endpoint.port > 0:
            return endpoint
        case .success:
            warnOnce(address, "peer address ignored", detail: "port 0")
        case .failure(let error):
            warnOnce(address, "peer address ignored", detail: error.message)
        }
        return nil
    }

    private func warnOnce(_ address: String, _ message: String, detail: String) {
        guard warnedAddresses.insert(address).inserted else { return }
        logger.warn(message, ["address": address, "reason": detail])
    }

    /// Jitter for backoffs, 0...bound.
    func randomMilliseconds(upTo bound: UInt64) -> UInt64 {
        bound == 0 ? 0 : random.next() % (bound + 1)
    }
}

/// The handshake's rules, as a pure function: which remote handshakes a server refuses.
enum PeerHandshakeCheck {
    enum Refusal: Equatable, CustomStringConvertible {
        case versionMismatch, otherDatacenter, ourselves

        var description: String {
            switch self {
            case .versionMismatch: "peer protocol version mismatch"
            case .otherDatacenter: "peer is in another datacenter"
            case .ourselves: "connected to ourselves"
            }
        }
    }

    static func refusal(of remote: PeerHandshake, by local: PeerHandshake) -> Refusal? {
        if remote.version != local.version { return .versionMismatch }
        if remote.datacenter != local.datacenter { return .otherDatacenter }
        if remote.id == local.id { return .ourselves }
        return nil
    }
}
