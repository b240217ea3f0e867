// Every bound and timing of one server-side WebSocket, in one place (house style: a limit on
// everything). The agent fills them from `AgentConfig.Limits`.

/// What one WebSocket client may make the server hold, and how long it may stay silent.
public struct WebSocketLimits: Sendable, Equatable {
    /// Largest message the client may send, after reassembly; over -> close 1009. Watchers send
    /// nothing useful, so this only bounds what a client can make us buffer.
    public var maxMessageBytes = 64 * 1024
    /// How often the server pings, so that a dead peer is noticed and proxies keep the
    /// connection open.
    public var pingIntervalMilliseconds: UInt64 = 30_000
    /// A client that sent nothing (not even a pong) for this long is dropped. Longer than two
    /// ping intervals, so one lost pong is not fatal.
    public var idleTimeoutMilliseconds: UInt64 = 75_000
    /// Output the client has not read yet; a message that would go past it closes the client
    /// with 1008 instead (a slow watcher must not hold memory).
    public var maxUnsentBytes = 4 * 1024 * 1024
    /// How long a closing handshake, or the last writes after it, may take before the TCP
    /// connection is closed regardless.
    public var closeTimeoutMilliseconds: UInt64 = 5_000

    /// The defaults.
    public init() {}

    /// Stops the process when the limits cannot work together (a configuration bug: the agent
    /// validates what users configure before it gets here).
    func check() {
        precondition((0...WebSocketFrameParser.ceilingBytes).contains(maxMessageBytes), "WebSocket message limit out of range")
        precondition(pingIntervalMilliseconds > 0 && idleTimeoutMilliseconds > pingIntervalMilliseconds,
                     "the idle timeout must be longer than the ping interval")
        precondition(maxUnsentBytes >= WebSocketFrame.frameBytes(payloadBytes: WebSocketFrame.maxControlPayloadBytes),
                     "the unsent-output limit must hold at least one control frame")
        precondition(closeTimeoutMilliseconds > 0)
    }
}
