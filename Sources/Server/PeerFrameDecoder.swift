import Store

/// Turns a peer connection's byte stream back into messages (`PeerFrame`'s format), however the
/// stream was cut into reads: the messages out depend only on the concatenated bytes in.
///
/// A header is checked as soon as its 10 bytes are in, so a bad version, unknown flags, or a
/// length over a limit are refused before any of the payload is buffered. Payload bytes go
/// straight into the message being reassembled and into a running CRC; nothing else is kept.
/// Memory is bounded by `maxMessageBytes` plus one header. After an error the decoder is dead:
/// every later `feed` throws the same error (the connection must be closed).
public struct PeerFrameDecoder {
    public let maxChunkBytes: Int
    public let maxMessageBytes: Int

    /// The header being collected (fewer than `headerBytes` while in it).
    private var header: [UInt8] = []
    /// Set once a header is complete: what its payload still owes.
    private var chunk: (remaining: Int, expectedCRC: UInt32, more: Bool)?
    private var crc = CRC32C()
    /// The message being reassembled from its chunks.
    private var message: [UInt8] = []
    private var failure: PeerFrameError?

    public init(maxChunkBytes: Int = PeerFrame.maxChunkBytes, maxMessageBytes: Int = PeerFrame.maxMessageBytes) {
        precondition(maxChunkBytes > 0 && maxChunkBytes <= maxMessageBytes)
        self.maxChunkBytes = maxChunkBytes
        self.maxMessageBytes = maxMessageBytes
        header.reserveCapacity(PeerFrame.headerBytes)
    }

    /// Bytes held for a message not yet complete (for tests and metrics).
    public var bufferedBytes: Int { header.count + message.count }

    /// Consumes `bytes` (which may be reused after the call) and appends the messages they
    /// complete to `messages`, in order. On an error, the messages completed before the bad
    /// frame are still appended, so what is delivered does not depend on how reads split the
    /// stream.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, into messages: inout [[UInt8]]) throws(PeerFrameError) {
        if let failure { throw failure }
        do throws(PeerFrameError) {
            try consume(bytes, into: &messages)
        } catch {
            failure = error
            throw error
        }
    }

    /// Convenience for tests: the messages `bytes` complete (lost if the call throws).
    public mutating func feed(_ bytes: [UInt8]) throws(PeerFrameError) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        // withUnsafeBytes rethrows untyped errors; a Result carries the typed one out.
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(PeerFrameError) in try feed(buffer, into: &messages) }
        }
        try result.get()
        return messages
    }

    private mutating func consume(_ bytes: UnsafeRawBufferPointer, into messages: inout [[UInt8]]) throws(PeerFrameError) {
        var rest = bytes[...]
        while !rest.isEmpty {
            if let current = chunk {
                let taken = min(current.remaining, rest.count)
                let piece = UnsafeRawBufferPointer(rebasing: rest.prefix(taken))
                crc.update(piece)
                message.append(contentsOf: piece)
                rest = rest.dropFirst(taken)
                chunk?.remaining -= taken
            } else {
                let taken = min(PeerFrame.headerBytes - header.count, rest.count)
                header.append(contentsOf: rest.prefix(taken))
                rest = rest.dropFirst(taken)
                if header.count == PeerFrame.headerBytes { try startChunk() }
            }
            // A chunk is done when its payload is in; an empty one right after its header.
            if let current = chunk, current.remaining == 0 { try finishChunk(into: &messages) }
        }
        assert(message.count <= maxMessageBytes && header.count < PeerFrame.headerBytes)
    }

    /// Checks a complete header, before any of its payload is taken.
    private mutating func startChunk() throws(PeerFrameError) {
        precondition(header.count == PeerFrame.headerBytes && chunk == nil)
        guard header[0] == PeerFrame.version else { throw .unsupportedVersion(header[0]) }
        guard header[1] & ~PeerFrame.moreFlag == 0 else { throw .unknownFlags(header[1]) }
        let length = Self.bigEndian(header[2..<6])
        guard Int(length) <= maxChunkBytes else { throw .chunkTooLarge(bytes: length, limit: maxChunkBytes) }
        guard message.count + Int(length) <= maxMessageBytes else {
            throw .messageTooLarge(bytes: message.count + Int(length), limit: maxMessageBytes)
        }
        chunk = (remaining: Int(length), expectedCRC: Self.bigEndian(header[6..<10]), more: header[1] & PeerFrame.moreFlag != 0)
        crc = CRC32C()
        header.removeAll(keepingCapacity: true)
    }

    private mutating func finishChunk(into messages: inout [[UInt8]]) throws(PeerFrameError) {
        guard let current = chunk else { preconditionFailure("no chunk to finish") }
        assert(current.remaining == 0)
        guard crc.value == current.expectedCRC else { throw .checksumMismatch(expected: current.expectedCRC, actual: crc.value) }
        chunk = nil
        if !current.more {
            messages.append(message)
            message = []
        }
    }

    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        assert(bytes.count == 4)
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }
}
