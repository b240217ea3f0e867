// Response bodies: a fixed Content-Length, read until close, or the chunked coding of RFC 9112
// §7.1 with its extensions (checked, ignored) and trailer section (checked, discarded). Body
// bytes go straight from the input to `keepBody`, never through a buffer.

extension HTTPResponseParser {
    mutating func readFixedBody(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ remaining: Int) {
        assert(remaining > 0)
        let count = min(remaining, input.count - index)
        keepBody(input, index..<(index + count))
        index += count
        stage = count == remaining ? .complete : .fixedBody(remaining: remaining - count)
    }

    mutating func readUntilClose(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) {
        keepBody(input, index..<input.count)
        index = input.count
    }

    /// Reads `chunk-size [ chunk-ext ]` and its line end.
    mutating func readChunkLine(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(HTTPResponseParseError) {
        guard try takeLine(input, &index, limit: limits.maxChunkLineBytes, tooLong: "chunk-size line too long") else { return }
        let size = try line.withUnsafeBufferPointer { (bytes) throws(HTTPResponseParseError) in
            do throws(HTTPParseError) {
                return try HTTPRequestParser.parseChunkLine(bytes, 0..<bytes.count)
            } catch {
                throw HTTPResponseParseError(error.message)
            }
        }
        line.removeAll(keepingCapacity: true)
        stage = size == 0 ? .trailerLines : .chunkData(remaining: size)
    }

    mutating func readChunkData(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int, _ remaining: UInt64) {
        assert(remaining > 0)
        let available = input.count - index
        let count = UInt64(available) < remaining ? available : Int(remaining)
        keepBody(input, index..<(index + count))
        index += count
        stage = UInt64(count) == remaining ? .chunkDataEnd(sawCR: false) : .chunkData(remaining: remaining - UInt64(count))
    }

    /// Chunk data ends with CRLF (a bare LF is accepted, as for every line end here); each byte
    /// is judged as it arrives.
    mutating func readChunkDataEnd(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int, sawCR: Bool) throws(HTTPResponseParseError) {
        let byte = input[index]
        index += 1
        if byte == ASCII.lf {
            stage = .chunkLine
        } else if byte == ASCII.cr && !sawCR {
            stage = .chunkDataEnd(sawCR: true)
        } else {
            throw HTTPResponseParseError("chunk data not followed by CRLF")
        }
    }

    /// Reads a trailer field (checked like a header field, then dropped) or the final empty line.
    mutating func readTrailerLine(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(HTTPResponseParseError) {
        let budget = limits.maxTrailerBytes - trailerBytes - 2
        guard try takeLine(input, &index, limit: budget, tooLong: "trailer section too large") else { return }
        trailerBytes += Self.lineBytes(line.count)
        assert(trailerBytes <= limits.maxTrailerBytes)
        if line.isEmpty {
            stage = .complete
            return
        }
        _ = try line.withUnsafeBufferPointer { (bytes) throws(HTTPResponseParseError) in try Self.parseField(bytes) }
        line.removeAll(keepingCapacity: true)
    }
}
