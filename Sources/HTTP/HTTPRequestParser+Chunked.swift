// Request bodies: a fixed Content-Length, or the chunked coding of RFC 9112 §7.1 with its
// extensions (§7.1.1, parsed and ignored) and trailer section (§7.1.2, checked and discarded).

extension HTTPRequestParser {
    /// Waits until the whole Content-Length body is buffered, then copies it once.
    mutating func readFixedBody(_ length: Int) -> Progress {
        guard buffer.count - readIndex >= length else { return .needMore }
        pending.request.body = Array(buffer[readIndex..<(readIndex + length)])
        consume(length)
        assert(pending.request.body.count == length)
        return finishRequest()
    }

    /// Reads `chunk-size [ chunk-ext ] CRLF`.
    mutating func readChunkLine() throws(HTTPParseError) -> Progress {
        switch scanLine(limit: limits.maxChunkLineBytes) {
        case .needMore: return .needMore
        case .tooLong: throw .badRequest("chunk-size line too long")
        case .bareLF: throw .badRequest("bare LF in chunked body")
        case .bareCR: throw .badRequest("bare CR in chunked body")
        case .line(let range):
            consumeLine()
            let size = try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
                try Self.parseChunkLine(bytes, range)
            }
            if size == 0 {
                stage = .trailerLines
                return .advanced
            }
            // Refuse before buffering: the chunk would take the body over the limit.
            guard size <= UInt64(limits.maxBodyBytes - pending.request.body.count) else {
                throw HTTPParseError(status: .payloadTooLarge, message: "chunked body over the body limit")
            }
            stage = .chunkData(remaining: Int(size))
            return .advanced
        }
    }

    /// The chunk size: 1 to 16 hex digits, no sign, prefix or space; then the extensions.
    static func parseChunkLine(_ bytes: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) throws(HTTPParseError) -> UInt64 {
        var index = line.lowerBound
        var size: UInt64 = 0
        while index < line.upperBound, let digit = ASCII.hexValue(bytes[index]) {
            guard index - line.lowerBound < 16 else { throw .badRequest("invalid chunk size") }
            size = size << 4 | UInt64(digit)
            index += 1
        }
        guard index > line.lowerBound else { throw .badRequest("invalid chunk size") }
        // Only an extension (after optional whitespace) may follow the digits: "0x1" is not "0".
        if index < line.upperBound && bytes[index] != ASCII.semicolon && !ASCII.isWhitespace(bytes[index]) {
            throw .badRequest("invalid chunk size")
        }
        try ChunkExtensions.check(bytes, index..<line.upperBound)
        return size
    }

    /// Copies whatever part of the current chunk is buffered into the body.
    mutating func readChunkData(_ remaining: Int) -> Progress {
        assert(remaining > 0)
        let count = min(remaining, buffer.count - readIndex)
        guard count > 0 else { return .needMore }
        pending.request.body.append(contentsOf: buffer[readIndex..<(readIndex + count)])
        consume(count)
        stage = count == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - count)
        assert(pending.request.body.count <= limits.maxBodyBytes)
        return .advanced
    }

    /// Chunk data must be followed by exactly CRLF; each byte is judged as soon as it is here.
    mutating func readChunkDataEnd() throws(HTTPParseError) -> Progress {
        let available = buffer.count - readIndex
        if available >= 1 && buffer[readIndex] != ASCII.cr || available >= 2 && buffer[readIndex + 1] != ASCII.lf {
            throw .badRequest("chunk data not followed by CRLF")
        }
        guard available >= 2 else { return .needMore }
        consume(2)
        stage = .chunkLine
        return .advanced
    }

    /// Reads a trailer field (checked like a header field, then discarded) or the final empty line.
    mutating func readTrailerLine() throws(HTTPParseError) -> Progress {
        switch scanLine(limit: limits.maxTrailerBytes - pending.trailerBytes - 2) {
        case .needMore: return .needMore
        case .tooLong: throw HTTPParseError(status: .requestHeaderFieldsTooLarge, message: "trailer section too large")
        case .bareLF: throw .badRequest("bare LF in chunked body")
        case .bareCR: throw .badRequest("bare CR in chunked body")
        case .line(let range):
            consumeLine()
            if range.isEmpty { return finishRequest() }
            pending.trailerBytes += range.count + 2
            _ = try buffer.withUnsafeBufferPointer { (bytes) throws(HTTPParseError) in
                try Self.splitField(bytes, range)
            }
            return .advanced
        }
    }
}
