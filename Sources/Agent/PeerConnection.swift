import Loop
import Raft
import Server

/// One TCP connection with another server, in either direction. It sends our handshake as soon
/// as the TCP connection is up, turns the byte stream into messages (`PeerFrameDecoder`) and
/// hands each to its transport; the transport decides what they mean. Confined to the loop
/// thread. The transport keeps it from creation until its stream's close callback, which is
/// the one place its end is reported (`PeerTransport.connectionClosed`).
final class PeerConnection {
    /// Who opened it: an inbound one was accepted by our listener; an outbound one belongs to
    /// the dialer of one address.
    enum Origin {
        case inbound
        case outbound(PeerDialer)
    }

    let stream: TCPStream
    let origin: Origin
    /// For logs: the dialed address, or the remote socket address of an inbound connection.
    let peer: String
    /// The remote's handshake, once accepted; nil while the connection is being set up.
    var remote: PeerHandshake?
    /// Whether TCP is connected (an outbound connection starts out connecting).
    private(set) var isConnected = false
    private unowned let transport: PeerTransport
    private var decoder = PeerFrameDecoder()
    /// Closes the connection if it is not connected and handshaken in time.
    private var deadline: Timer?
    /// The size of a message over the unsent bound that went onto an empty queue, or 0; see
    /// `write`.
    private var oversized = 0
    /// A message going out a frame at a time (`send(streaming:)`), and what was sent behind it,
    /// with the bytes of the framed messages among that.
    private var streaming: PeerFrameStream?
    private var behind: [Outgoing] = []
    private var behindBytes = 0

    /// A message waiting behind a stream: framed already, or to stream in its turn.
    private enum Outgoing {
        case frames([UInt8])
        case stream(PeerFrameStream)
    }

    /// A stream's next frames are written while less than this is queued: a couple of chunks
    /// keep the socket busy without holding the whole message in the write queue.
    static let streamQueueBytes = 2 * (PeerFrame.maxChunkBytes + PeerFrame.headerBytes)
    /// At most this much of a stream is framed in one go: a peer that reads as fast as we
    /// write never lets the queue fill, and the rest waits for the next loop round.
    static let streamBytesPerRound = 4 * (PeerFrame.maxChunkBytes + PeerFrame.headerBytes)
    /// A `pump` is deferred to the next loop round (`streamBytesPerRound`).
    private var pumpDeferred = false

    init(stream: TCPStream, origin: Origin, peer: String, transport: PeerTransport, deadlineMilliseconds: UInt64) {
        self.stream = stream
        self.origin = origin
        self.peer = peer
        self.transport = transport
        stream.onClose = { [unowned self] in
            self.deadline?.close()
            self.deadline = nil
            self.transport.connectionClosed(self)
        }
        // A timer fails to open only on a loop being torn down; the stream is moot then too.
        deadline = try? Timer(loop: stream.loop)
        deadline?.start(afterMilliseconds: deadlineMilliseconds) { [unowned self] in
            self.close(because: "no handshake within \(deadlineMilliseconds) ms", warn: true)
        }
    }

    var isOpen: Bool { stream.state == .open }

    var isOutbound: Bool {
        if case .outbound = origin { return true }
        return false
    }

    /// TCP is up: send our handshake and start reading. Call once.
    func begin(handshakeFrame: [UInt8]) {
        precondition(!isConnected, "a connection begins once")
        guard isOpen else { return }
        isConnected = true
        stream.setNoDelay(true)
        stream.onRead = { [unowned self] bytes in self.received(bytes) }
        stream.onReadEnd = { [unowned self] error in
            self.close(because: error.map { "\($0)" } ?? "closed by the peer", warn: !(error?.isDisconnect ?? true))
        }
        do {
            try stream.startReading()
        } catch {
            close(because: "\(error)", warn: true)
            return
        }
        stream.write(handshakeFrame)
    }

    /// The handshake was accepted: the deadline no longer applies.
    func established(_ handshake: PeerHandshake) {
        precondition(remote == nil && isConnected)
        remote = handshake
        deadline?.close()
        deadline = nil
    }

    /// Queues frames for sending, unless the unsent output would pass `maxUnsentBytes`: then
    /// the connection is dropped (the peer is not keeping up; Raft resends what it needs).
    /// A message always goes onto an empty queue, however large, so that one big snapshot can
    /// still be sent; until the queue next empties, the bound then stands on top of it, so the
    /// heartbeats and appends that follow do not drop the connection while the snapshot goes
    /// (they did, for any snapshot over the bound, and the follower never caught up).
    ///
    /// While a message streams, what is written waits behind it (in order), under the same bound.
    func write(_ frames: [UInt8], maxUnsentBytes: Int) {
        guard isOpen else { return }
        if streaming != nil { return wait(.frames(frames), bytes: frames.count, maxUnsentBytes: maxUnsentBytes) }
        let pending = stream.pendingWriteBytes
        if pending == 0 {
            oversized = frames.count > maxUnsentBytes ? frames.count : 0
        } else if pending + frames.count > maxUnsentBytes + oversized {
            close(because: "more than \(maxUnsentBytes) bytes unsent", warn: true)
            return
        }
        stream.write(frames)
    }

    /// Sends a large message a frame at a time: the next frames are written whenever the write
    /// queue has drained below `streamQueueBytes`, so the loop never frames or copies the whole
    /// message at once. The stream is not counted against `maxUnsentBytes`; messages written
    /// while it goes wait behind it, and they are. The same message (the same head: the same
    /// snapshot, to the same server, in the same term) already streaming or waiting here is not
    /// queued again: a leader that waited out its grace re-sends a snapshot that a slow link may
    /// still be carrying.
    func send(streaming message: PeerFrameStream, maxUnsentBytes: Int) {
        guard isOpen else { return }
        if streaming != nil {
            let queued = [streaming?.head] + behind.map { if case .stream(let waiting) = $0 { waiting.head } else { nil } }
            if queued.contains(message.head) { return }
            return wait(.stream(message), bytes: 0, maxUnsentBytes: maxUnsentBytes)
        }
        streaming = message
        stream.onWritten = { [unowned self] in self.pump() }
        pump()
    }

    private func wait(_ outgoing: Outgoing, bytes: Int, maxUnsentBytes: Int) {
        guard behindBytes + bytes <= maxUnsentBytes else {
            return close(because: "more than \(maxUnsentBytes) bytes waiting behind a streamed message", warn: true)
        }
        behind.append(outgoing)
        behindBytes += bytes
    }

    /// Writes the stream's next frames while the queue is short; once it is done, what waited
    /// behind it, up to the next stream.
    private func pump() {
        var written = 0
        while isOpen, var current = streaming {
            if let frame = current.nextFrame() {
                streaming = current
                stream.write(frame)
                written += frame.count
                // A full queue resumes from `onWritten`; an empty one from the next round.
                if stream.pendingWriteBytes >= Self.streamQueueBytes { return }
                if written >= Self.streamBytesPerRound {
                    if !pumpDeferred {
                        pumpDeferred = true
                        stream.loop.defer { [weak self] in
                            self?.pumpDeferred = false
                            self?.pump()
                        }
                    }
                    return
                }
                continue
            }
            streaming = nil
            while streaming == nil, !behind.isEmpty {
                switch behind.removeFirst() {
                case .frames(let frames):
                    behindBytes -= frames.count
                    stream.write(frames)
                case .stream(let next):
                    streaming = next
                }
            }
        }
        if streaming == nil { stream.onWritten = nil }
    }

    /// Closes the connection; `PeerTransport.connectionClosed` follows from the close callback.
    func close(because reason: String, warn: Bool) {
        guard isOpen else { return }
        let idText = remote.map { String($0.id) } ?? "unknown"
        transport.logger.log(warn ? .warn : .debug, "peer connection closed", ["peer": peer, "id": idText, "reason": reason])
        stream.close()
    }

    private func received(_ bytes: UnsafeRawBufferPointer) {
        var messages: [[UInt8]] = []
        var frameError: PeerFrameError?
        do {
            try decoder.feed(bytes, into: &messages)
        } catch {
            frameError = error
        }
        // The messages before a bad frame are good: deliver them, then close.
        for message in messages {
            // A callback may have closed this connection or shut the transport down.
            guard isOpen else { return }
            transport.received(message, on: self)
        }
        if let frameError { close(because: "\(frameError)", warn: true) }
    }
}
