import Store

// A peer connection's byte stream is a sequence of frames:
//
//   version u8 (1) | flags u8 (bit 0: more chunks of this message follow) | payload length u32
//   | CRC-32C of the payload u32 | payload
//
// integers big-endian. A message (a `PeerCodec` encoding) longer than `maxChunkBytes` goes out
// as several frames, every one but the last with the "more" flag, so the receiver's buffers grow
// one bounded chunk at a time and a bad length is refused from its header, before any payload
// is buffered. TCP already orders and (weakly) checksums bytes; the CRC catches what a broken
// NIC, a middlebox or our own bug would slip past it, since a corrupted Raft message is worse
// than a lost one.

/// The peer wire's framing: limits and the encoder. Pure.
public enum PeerFrame {
    /// The frame format this build writes and the only one it reads.
    public static let version: UInt8 = 1
    /// Bytes of a frame header.
    public static let headerBytes = 10
    /// The largest payload of one frame.
    public static let maxChunkBytes = 1 << 20
    /// The largest message reassembled from chunks (a snapshot travels as one message, framed
    /// as it goes out: `PeerFrameStream`).
    public static let maxMessageBytes = 512 << 20
    /// Flag bit 0: more chunks of this message follow.
    static let moreFlag: UInt8 = 1

    /// The frames of one message, ready to write as one buffer: one frame per `maxChunkBytes`
    /// of payload (one empty frame for an empty message). Precondition: the message fits
    /// `maxMessageBytes` (the receiver would refuse it; the caller checks first).
    public static func encode(_ message: [UInt8], maxChunkBytes: Int = PeerFrame.maxChunkBytes) -> [UInt8] {
        precondition(maxChunkBytes > 0 && maxChunkBytes <= Int(UInt32.max))
        precondition(message.count <= maxMessageBytes, "a peer message over maxMessageBytes")
        let chunkCount = max(1, (message.count + maxChunkBytes - 1) / maxChunkBytes)
        var frames: [UInt8] = []
        frames.reserveCapacity(message.count + chunkCount * headerBytes)
        message.withUnsafeBytes { all in
            for chunk in 0..<chunkCount {
                let start = chunk * maxChunkBytes
                let payload = UnsafeRawBufferPointer(rebasing: all[start..<min(message.count, start + maxChunkBytes)])
                appendFrame(payload, more: chunk < chunkCount - 1, to: &frames)
            }
        }
        assert(frames.count == message.count + chunkCount * headerBytes)
        return frames
    }

    private static func appendFrame(_ payload: UnsafeRawBufferPointer, more: Bool, to frames: inout [UInt8]) {
        appendFrame(payload, UnsafeRawBufferPointer(start: nil, count: 0), more: more, to: &frames)
    }

    /// A frame whose payload is `first` then `second` (a chunk that straddles a streamed
    /// message's head and bulk).
    static func appendFrame(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, more: Bool, to frames: inout [UInt8]) {
        var crc = CRC32C()
        crc.update(first)
        crc.update(second)
        frames.append(version)
        frames.append(more ? moreFlag : 0)
        appendBigEndian(UInt32(first.count + second.count), to: &frames)
        appendBigEndian(crc.value, to: &frames)
        frames.append(contentsOf: first)
        frames.append(contentsOf: second)
    }

    private static func appendBigEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}

/// One message framed a chunk at a time, for a message too large to frame at once (a snapshot
/// of a large catalog is some 200 MB: framing it whole copied it twice and checksummed it in one
/// go, holding the loop for half a second). The message is `head` then `bulk`, kept apart so the
/// bulk (the snapshot's data) is read in place, never copied whole. The frames, one after
/// another, are exactly `PeerFrame.encode(head + bulk)`. Pure.
public struct PeerFrameStream: Sendable {
    public let head: [UInt8]
    public let bulk: [UInt8]
    let maxChunkBytes: Int
    /// Bytes of the message framed so far.
    private(set) var offset = 0
    private var started = false

    /// Precondition: the message fits `PeerFrame.maxMessageBytes` (the caller checks first).
    public init(head: [UInt8], bulk: [UInt8], maxChunkBytes: Int = PeerFrame.maxChunkBytes) {
        precondition(maxChunkBytes > 0 && maxChunkBytes <= Int(UInt32.max))
        precondition(head.count + bulk.count <= PeerFrame.maxMessageBytes, "a peer message over maxMessageBytes")
        self.head = head
        self.bulk = bulk
        self.maxChunkBytes = maxChunkBytes
    }

    /// The message's length.
    public var totalBytes: Int { head.count + bulk.count }

    /// Whether every frame has been taken.
    public var isFinished: Bool { started && offset == totalBytes }

    /// The next frame, or nil once the last one was taken.
    public mutating func nextFrame() -> [UInt8]? {
        guard !isFinished else { return nil }
        started = true
        let end = min(totalBytes, offset + maxChunkBytes)
        var frame: [UInt8] = []
        frame.reserveCapacity(PeerFrame.headerBytes + end - offset)
        let headEnd = min(end, head.count)
        let fromHead = offset < headEnd ? head[offset..<headEnd] : []
        let bulkStart = max(offset, head.count) - head.count
        let fromBulk = bulk[bulkStart..<max(bulkStart, end - head.count)]
        fromHead.withUnsafeBytes { first in
            fromBulk.withUnsafeBytes { second in
                PeerFrame.appendFrame(first, second, more: end < totalBytes, to: &frame)
            }
        }
        offset = end
        return frame
    }
}

/// Why a peer byte stream cannot be read on. Each is fatal for the connection: after one, the
/// stream's framing is lost.
public enum PeerFrameError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A header names a frame format this build does not read.
    case unsupportedVersion(UInt8)
    /// A header sets flag bits this build does not know.
    case unknownFlags(UInt8)
    /// A header announces a payload over the chunk limit.
    case chunkTooLarge(bytes: UInt32, limit: Int)
    /// The chunks of one message add up to more than the message limit.
    case messageTooLarge(bytes: Int, limit: Int)
    /// A payload's CRC-32C is not the header's.
    case checksumMismatch(expected: UInt32, actual: UInt32)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version): "unsupported frame version \(version)"
        case .unknownFlags(let flags): "unknown frame flags \(flags)"
        case .chunkTooLarge(let bytes, let limit): "frame payload of \(bytes) bytes is over the \(limit)-byte chunk limit"
        case .messageTooLarge(let bytes, let limit): "message of at least \(bytes) bytes is over the \(limit)-byte limit"
        case .checksumMismatch(let expected, let actual): "frame checksum mismatch (header \(expected), payload \(actual))"
        }
    }
}
