import Loop
import Raft
import Server

/// Keeps one outbound connection to one "host:port" address: resolves the name afresh on every
/// attempt (a pod that came back may have a new IP), tries the resolved addresses in turn, and
/// after a failure or a lost connection waits an exponential backoff with jitter before the
/// next attempt. Confined to the loop thread; owned by its transport until retired.
final class PeerDialer {
    let address: String
    let endpoint: ProbeEndpoint
    private unowned let transport: PeerTransport
    private(set) var connection: PeerConnection?
    private var lookup: NameResolution?
    private var backoff: Timer?
    /// Resolved addresses not yet tried in this attempt.
    private var candidates: [SocketAddress] = []
    /// Attempts since the last connection that lasted (see `connectionEnded`).
    private var failures = 0
    /// When the current connection passed its handshake (loop milliseconds).
    private var establishedAt: UInt64?
    /// The server this address led to at its last handshake: whom a refusal is about.
    private(set) var lastServer: RaftNodeID?
    /// Waiting out a backoff before the next attempt.
    private var backingOff = false
    /// When `probeNow` last cut a backoff short (loop milliseconds).
    private var lastProbeAt: UInt64?
    private(set) var isRetired = false

    init(address: String, endpoint: ProbeEndpoint, transport: PeerTransport) {
        precondition(endpoint.port > 0 && endpoint.port <= 65535)
        self.address = address
        self.endpoint = endpoint
        self.transport = transport
    }

    /// Starts the first attempt. Nothing is reported from inside this call.
    func start() {
        precondition(connection == nil && lookup == nil && !isRetired)
        attempt()
    }

    /// Stops dialing for good: cancels the lookup and the backoff, closes the connection (its
    /// end is still reported by the transport, from the close callback).
    func retire() {
        guard !isRetired else { return }
        isRetired = true
        lookup?.cancel()
        lookup = nil
        backoff?.close()
        backoff = nil
        connection?.close(because: "no longer dialed", warn: false)
    }

    /// Our connection passed the handshake with server `id`.
    func established(as id: RaftNodeID) {
        establishedAt = transport.loop.nowMilliseconds
        lastServer = id
        candidates = []
    }

    /// Our connection has closed (called from its close callback).
    func connectionEnded(_ ended: PeerConnection) {
        guard connection === ended else { return }
        connection = nil
        guard !isRetired else { return }
        // A refused or unreachable address: try the next resolved one at once.
        if !ended.isConnected && !candidates.isEmpty { return connectNext() }
        // A connection that lasted resets the backoff and is redialed at once: if the peer's
        // process is gone, its address refuses now, which tells the node
        // (`PeerTransport.refused`) a whole election timeout before silence would. (Should the
        // redial reach the dying listener before it closes, the next attempt comes after the
        // shortest backoff.) One that a peer (or we) ended right after the handshake does
        // neither, so a peer that keeps sending bad frames is redialed ever more slowly (plus
        // at most one `probeNow` a second), not ten times a second.
        let lasted = establishedAt.map { transport.loop.nowMilliseconds &- $0 } ?? 0
        establishedAt = nil
        candidates = []
        if lasted >= transport.limits.lastingConnectionMilliseconds {
            failures = 0
            return attempt()
        }
        retryLater()
    }

    /// The transport's last connection to `lastServer` has closed while this dialer waits out
    /// a backoff: dial now rather than when it ends. If the server's process died, its address
    /// refuses at once and the node hears of it (`PeerTransport.refused`) instead of after the
    /// backoff, which grows while a restarted server was away (up to seconds: a follower
    /// that heard of its leader's death that late refused the other follower's pre-vote, and
    /// failover waited out an election timeout). At most once per
    /// `lastingConnectionMilliseconds`, so a peer that keeps closing connections is not
    /// redialed faster than that.
    func probeNow() {
        guard !isRetired, backingOff, connection == nil, lookup == nil else { return }
        let now = transport.loop.nowMilliseconds
        if let last = lastProbeAt, now &- last < transport.limits.lastingConnectionMilliseconds { return }
        lastProbeAt = now
        backoff?.stop()
        attempt()
    }

    private func attempt() {
        backingOff = false
        guard !isRetired else { return }
        if let literal = try? SocketAddress(ip: endpoint.host, port: endpoint.port) {
            candidates = [literal]
            return connectNext()
        }
        lookup = NameResolution.start(loop: transport.loop, host: endpoint.host, port: endpoint.port) { [weak self] result in
            guard let self, !self.isRetired else { return }
            self.lookup = nil
            self.resolved(result)
        }
    }

    private func resolved(_ result: Result<[SocketAddress], LoopError>) {
        switch result {
        case .success(let addresses) where !addresses.isEmpty:
            candidates = Array(addresses.prefix(transport.limits.maxAddressesTried))
            connectNext()
        case .success:
            transport.logger.debug("peer address resolved to nothing", ["address": address])
            retryLater()
        case .failure(let error):
            transport.logger.debug("peer address did not resolve", ["address": address, "error": "\(error)"])
            retryLater()
        }
    }

    private func connectNext() {
        assert(connection == nil && !candidates.isEmpty)
        let target = candidates.removeFirst()
        guard let connection = transport.openOutbound(for: self, to: target) else { return retryLater() }
        self.connection = connection
        connection.stream.connect(to: target) { [weak self, weak connection] error in
            guard let self, let connection, self.connection === connection, connection.isOpen else { return }
            if let error {
                connection.close(because: "\(error)", warn: false)
                if error.isRefusal, let server = self.lastServer { self.transport.refused(server) }
            } else {
                connection.begin(handshakeFrame: self.transport.handshakeFrame)
            }
        }
    }

    private func retryLater() {
        guard !isRetired else { return }
        let limits = transport.limits
        let delay = min(limits.maxBackoffMilliseconds, limits.minBackoffMilliseconds << UInt64(min(failures, 16)))
        // Up to a fifth more, so servers that lost each other at once do not redial in step.
        let jitter = transport.randomMilliseconds(upTo: delay / 5)
        failures += 1
        backingOff = true
        if backoff == nil { backoff = try? Timer(loop: transport.loop) }
        // A timer fails to open only on a loop being torn down: nothing to retry then.
        backoff?.start(afterMilliseconds: delay + jitter) { [unowned self] in self.attempt() }
    }
}
