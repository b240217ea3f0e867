// The server side of RFC 6455 framing (§5) as a value: feed what the client sent, ask for the
// next event. It never reads a socket or a clock; the shell feeds bytes and acts on events.
//
// Every judgement is made as soon as the bytes it depends on have arrived, and depends only on
// the bytes before it, so the events are the same however the input is split (the tests feed
// every input one byte at a time and split at every byte). A frame is handed out only once its
// whole payload is buffered; its length was checked against the message limit first, so what
// is buffered stays below that limit plus one header.

/// Incremental parser of client-to-server WebSocket frames, with no extension negotiated.
///
/// Use: `feed` what was read, then call `next()` until it returns nil. After `.close` or
/// `.failure` the parser has ended: it drops what it is fed and returns nil forever.
public struct WebSocketFrameParser: Sendable {
    /// A frame header that has been read and checked; its payload follows.
    struct FrameHeader: Sendable, Equatable {
        var isFinal: Bool
        var opcode: WebSocketOpcode
        var mask: SIMD4<UInt8>
        var payloadBytes: Int
    }

    /// Where in the byte stream the parser is.
    enum Stage: Sendable, Equatable {
        case header
        case payload(FrameHeader)
        case ended
    }

    /// The result of one step.
    enum Progress {
        case needMore
        case advanced
        case emit(WebSocketEvent)
    }

    /// Above this many consumed bytes the buffer is compacted (when they are also half of it).
    static let compactionThresholdBytes = 4096
    /// An emptied buffer whose capacity is above this is released rather than kept.
    static let retainedCapacityBytes = 64 * 1024
    /// No limit may exceed this: messages are held in memory.
    static let ceilingBytes = 1 << 30

    /// Largest data message accepted, counted after reassembly; larger ones fail with 1009.
    public let maxMessageBytes: Int
    var buffer: [UInt8] = []
    /// Bytes before this index are consumed; readIndex <= buffer.count.
    var readIndex = 0
    var stage = Stage.header
    /// Text or binary while a fragmented message is open (its first frame had FIN clear).
    var messageOpcode: WebSocketOpcode?
    /// The open message's payload so far, unmasked.
    var message: [UInt8] = []

    /// A parser that refuses data messages over `maxMessageBytes` (control frames have their own
    /// 125-byte bound).
    public init(maxMessageBytes: Int) {
        precondition((0...Self.ceilingBytes).contains(maxMessageBytes), "WebSocket message limit out of range")
        self.maxMessageBytes = maxMessageBytes
    }

    /// Appends bytes read from the connection. Bytes fed after the end are dropped.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !hasEnded else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes read from the connection. Bytes fed after the end are dropped.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// True after `.close` or `.failure`: nothing more will come out.
    public var hasEnded: Bool { stage == .ended }

    /// The next event from the bytes fed so far; nil means "need more bytes" (or ended).
    public mutating func next() -> WebSocketEvent? {
        do throws(WebSocketProtocolError) {
            while true {
                switch try step() {
                case .needMore: return nil
                case .advanced: continue
                case .emit(let event): return event
                }
            }
        } catch {
            end()
            return .failure(error)
        }
    }

    private mutating func step() throws(WebSocketProtocolError) -> Progress {
        assert(readIndex <= buffer.count)
        switch stage {
        case .header: return try readHeader()
        case .payload(let header): return try readPayload(header)
        case .ended: return .needMore
        }
    }

    /// Reads and checks a frame header (§5.2), byte by byte as far as the bytes go.
    private mutating func readHeader() throws(WebSocketProtocolError) -> Progress {
        let available = buffer.count - readIndex
        guard available >= 1 else { return .needMore }
        let first = buffer[readIndex]
        let opcode = try checkFirstByte(first)
        guard available >= 2 else { return .needMore }
        let shortLength = try Self.checkSecondByte(buffer[readIndex + 1], opcode: opcode)
        let lengthBytes = shortLength == 126 ? 2 : shortLength == 127 ? 8 : 0
        let headerBytes = 2 + lengthBytes + 4
        guard available >= headerBytes else { return .needMore }
        var length = UInt64(shortLength)
        if lengthBytes > 0 {
            length = buffer[(readIndex + 2)..<(readIndex + 2 + lengthBytes)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        // §5.2: "the most significant bit MUST be 0".
        guard length >> 63 == 0 else { throw .protocolError("64-bit payload length has its top bit set") }
        try checkMessageSize(opcode, length)
        let maskStart = readIndex + 2 + lengthBytes
        let mask = SIMD4(buffer[maskStart], buffer[maskStart + 1], buffer[maskStart + 2], buffer[maskStart + 3])
        readIndex += headerBytes
        // The size check bounded the length by maxMessageBytes (or 125), so it fits an Int.
        stage = .payload(FrameHeader(isFinal: first & 0x80 != 0, opcode: opcode, mask: mask, payloadBytes: Int(length)))
        return .advanced
    }

    /// FIN, RSV1-3 and the opcode, judged against the message that may be open.
    private func checkFirstByte(_ byte: UInt8) throws(WebSocketProtocolError) -> WebSocketOpcode {
        // §5.2: a nonzero RSV bit without a negotiated extension fails the connection.
        guard byte & 0x70 == 0 else { throw .protocolError("reserved bits set without an extension") }
        guard let opcode = WebSocketOpcode(rawValue: byte & 0x0F) else {
            throw .protocolError("unknown opcode \(byte & 0x0F)")
        }
        let isFinal = byte & 0x80 != 0
        if opcode.isControl && !isFinal { throw .protocolError("fragmented control frame") }
        // §5.4: fragments of one message are not interleaved with another message.
        if opcode == .continuation && messageOpcode == nil {
            throw .protocolError("continuation frame without a message to continue")
        }
        if (opcode == .text || opcode == .binary) && messageOpcode != nil {
            throw .protocolError("new message before the fragmented one ended")
        }
        return opcode
    }

    /// The MASK bit and the 7-bit length; returns the 7-bit length.
    private static func checkSecondByte(_ byte: UInt8, opcode: WebSocketOpcode) throws(WebSocketProtocolError) -> UInt8 {
        // §5.1: a server MUST close the connection on an unmasked client frame.
        guard byte & 0x80 != 0 else { throw .protocolError("client frames must be masked") }
        let shortLength = byte & 0x7F
        if opcode.isControl && shortLength > 125 { throw .protocolError("control frame payload over 125 bytes") }
        // §5.5.1: a close body, if any, starts with a two-byte code.
        if opcode == .close && shortLength == 1 { throw .protocolError("close frame payload of 1 byte") }
        return shortLength
    }

    /// Refuses a data frame that would take the message past the limit, before its payload is read.
    private func checkMessageSize(_ opcode: WebSocketOpcode, _ length: UInt64) throws(WebSocketProtocolError) {
        assert(length >> 63 == 0 && message.count <= maxMessageBytes)
        guard !opcode.isControl else { return }
        // Cannot overflow: message.count <= 2^30 and length < 2^63.
        if UInt64(message.count) + length > UInt64(maxMessageBytes) {
            throw WebSocketProtocolError(code: .messageTooBig, message: "message over \(maxMessageBytes) bytes")
        }
    }

    /// Waits for the whole payload, unmasks it and turns the frame into an event (or not yet,
    /// for a fragment that is not the last).
    private mutating func readPayload(_ header: FrameHeader) throws(WebSocketProtocolError) -> Progress {
        guard buffer.count - readIndex >= header.payloadBytes else { return .needMore }
        let start = readIndex
        readIndex += header.payloadBytes
        stage = .header
        if header.opcode.isControl {
            var payload: [UInt8] = []
            unmask(from: start, header, appendingTo: &payload)
            return .emit(try controlEvent(header.opcode, payload))
        }
        if header.opcode != .continuation { messageOpcode = header.opcode }
        unmask(from: start, header, appendingTo: &message)
        guard header.isFinal else { return .advanced }
        return .emit(try finishMessage())
    }

    /// Appends the payload at `start` with the frame's mask removed (§5.3).
    private func unmask(from start: Int, _ header: FrameHeader, appendingTo output: inout [UInt8]) {
        output.reserveCapacity(output.count + header.payloadBytes)
        buffer.withUnsafeBufferPointer { source in
            for offset in 0..<header.payloadBytes {
                output.append(source[start + offset] ^ header.mask[offset & 3])
            }
        }
    }

    private mutating func controlEvent(_ opcode: WebSocketOpcode, _ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketEvent {
        assert(payload.count <= 125)
        switch opcode {
        case .ping: return .ping(payload)
        case .pong: return .pong(payload)
        case .close:
            let event = try Self.closeEvent(payload)
            end()
            return event
        case .continuation, .text, .binary: preconditionFailure("\(opcode) is not a control opcode")
        }
    }

    /// §5.5.1 and §7.4: an optional code the peer may send, then a UTF-8 reason.
    static func closeEvent(_ payload: [UInt8]) throws(WebSocketProtocolError) -> WebSocketEvent {
        guard payload.count >= 2 else {
            assert(payload.isEmpty, "a 1-byte close payload is refused at the header")
            return .close(code: nil, reason: "")
        }
        let code = WebSocketCloseCode(rawValue: UInt16(payload[0]) << 8 | UInt16(payload[1]))
        guard code.isAllowedOnWire else { throw .protocolError("close code \(code) may not be sent") }
        guard let reason = String(validating: payload[2...], as: UTF8.self) else {
            throw WebSocketProtocolError(code: .invalidPayload, message: "close reason is not UTF-8")
        }
        return .close(code: code, reason: reason)
    }

    /// The last fragment arrived: hand out the whole message and get ready for the next one.
    private mutating func finishMessage() throws(WebSocketProtocolError) -> WebSocketEvent {
        guard let opcode = messageOpcode else { preconditionFailure("a message ended that never started") }
        var bytes: [UInt8] = []
        swap(&bytes, &message)
        messageOpcode = nil
        assert(bytes.count <= maxMessageBytes)
        guard opcode == .text else { return .binary(bytes) }
        // §8.1: checked over the whole message, so a character may span fragments.
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw WebSocketProtocolError(code: .invalidPayload, message: "text message is not UTF-8")
        }
        return .text(text)
    }

    /// Drops consumed bytes from the front when that is cheap enough (amortised O(1) per byte).
    private mutating func compact() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= Self.retainedCapacityBytes)
        } else if readIndex >= Self.compactionThresholdBytes && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
        } else {
            return
        }
        readIndex = 0
    }

    private mutating func end() {
        stage = .ended
        buffer = []
        readIndex = 0
        message = []
        messageOpcode = nil
    }
}
