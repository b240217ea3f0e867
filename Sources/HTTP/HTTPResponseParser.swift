// An incremental HTTP/1.1 response parser for the health-probe client (RFC 9112 §4, §6.3, §7.1).
//
// The other end is a probed service, which is untrusted. Every line is bounded, and body bytes
// past `maxKeptBodyBytes` are counted and dropped rather than buffered, so a hostile or endless
// response costs a fixed amount of memory while the parser still finds where the message ends.
// The only buffer is the unfinished line (a status, field, chunk-size or trailer line), which
// never holds more than its limit plus one byte.
//
// Unlike the request parser, a bare LF ends a line (RFC 9112 §2.2 lets a recipient accept it,
// and Go's client, whose results Consul's checks report, does). A probe forwards nothing, and a
// connection carries another request only when nothing followed the response
// (`leavesConnectionReusable`), so a lenient reading smuggles nothing; a CR anywhere but before
// the LF is still refused.

/// Incremental HTTP/1.1 response parser. Bytes may arrive split anywhere.
///
/// Use: `feed` what was read until `isComplete`; at the peer's end of stream call `finish()`,
/// which completes a body delimited by the connection's close or throws if the message was cut
/// short. After an error the parser is failed: later calls do nothing. Interim 1xx responses
/// are skipped; the head of the final one is `head`.
public struct HTTPResponseParser: Sendable {
    /// Where in the response the parser is.
    enum Stage: Sendable, Equatable {
        case statusLine
        case headerLines
        case fixedBody(remaining: Int)
        case untilClose
        case chunkLine
        case chunkData(remaining: UInt64)
        case chunkDataEnd(sawCR: Bool)
        case trailerLines
        case complete
        case failed
    }

    let limits: HTTPResponseParserLimits
    /// Body bytes kept in `body`; later ones are only counted.
    public let maxKeptBodyBytes: Int
    /// The request was HEAD: its response has no body whatever its fields say (RFC 9110 §9.3.2).
    let requestWasHead: Bool
    var stage = Stage.statusLine
    /// The unfinished line; at most the current line limit plus one byte (a CR that may end it).
    var line: [UInt8] = []
    /// The head being read (interim or final).
    var pending = PendingResponse()
    /// Interim responses skipped so far.
    var interimCount = 0
    /// Bytes of trailer lines so far, line ends included.
    var trailerBytes = 0
    /// Whether any byte has arrived: an empty answer is Go's "EOF", a cut one "unexpected EOF".
    var receivedAnyByte = false
    /// Bytes arrived after the final response ended: the connection cannot carry another one.
    var bytesFollowedResponse = false
    /// The body ended with the connection (`finish()`), so the connection is over.
    var endedByClose = false

    /// The final response's head, once it has been read.
    public internal(set) var head: HTTPResponseHead?
    /// The first `maxKeptBodyBytes` bytes of the decoded body.
    public internal(set) var body: [UInt8] = []
    /// Every decoded body byte seen, kept or not.
    public internal(set) var bodyByteCount = 0
    /// The error that failed the parser, if any.
    public internal(set) var error: HTTPResponseParseError?

    /// A parser for the response to a request with `requestMethod`, keeping at most
    /// `maxKeptBodyBytes` bytes of body.
    public init(requestMethod: String, maxKeptBodyBytes: Int, limits: HTTPResponseParserLimits = HTTPResponseParserLimits()) {
        limits.check()
        precondition(maxKeptBodyBytes >= 0, "a negative body cap")
        self.limits = limits
        self.maxKeptBodyBytes = maxKeptBodyBytes
        requestWasHead = requestMethod == "HEAD"
    }

    /// True once the whole final response has been read (bytes after it are ignored).
    public var isComplete: Bool { stage == .complete }

    /// Whether the connection may carry another request (RFC 9112 §9.3): the whole response
    /// arrived, delimited by its length or its chunks rather than by the close, nothing followed
    /// it, it did not switch protocols, and its version and Connection header keep the
    /// connection open (HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive").
    public var leavesConnectionReusable: Bool {
        guard stage == .complete, !bytesFollowedResponse, !endedByClose, let head, head.statusCode != 101 else { return false }
        return ConnectionOptions(head.headers).persists(head.version)
    }

    /// True after an error: every later call does nothing.
    public var hasFailed: Bool { stage == .failed }

    /// True until the first byte of the response arrives.
    public var isUntouched: Bool { !receivedAnyByte }

    /// Body bytes counted but not kept.
    public var discardedBodyBytes: Int { bodyByteCount - body.count }

    /// Reads `bytes`. Throws the first problem found; the parser is failed from then on.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HTTPResponseParseError) {
        guard stage != .failed, !bytes.isEmpty else { return }
        guard stage != .complete else {
            bytesFollowedResponse = true
            return
        }
        receivedAnyByte = true
        let input = bytes.assumingMemoryBound(to: UInt8.self)
        var index = 0
        do throws(HTTPResponseParseError) {
            while index < input.count && stage != .complete {
                try step(input, &index)
            }
        } catch {
            fail(error)
            throw error
        }
        assert(index <= input.count)
        // The loop stops short of the input's end only at the response's end.
        if index < input.count { bytesFollowedResponse = true }
    }

    /// Reads `bytes`. Throws the first problem found; the parser is failed from then on.
    public mutating func feed(_ bytes: [UInt8]) throws(HTTPResponseParseError) {
        // Array.withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        var failure: HTTPResponseParseError?
        bytes.withUnsafeBytes { raw in
            do throws(HTTPResponseParseError) { try feed(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// The peer closed its side. Completes a body read until close; anything else unfinished
    /// is an error ("EOF" when nothing at all arrived, else "unexpected EOF", as Go says).
    public mutating func finish() throws(HTTPResponseParseError) {
        switch stage {
        case .complete, .failed:
            return
        case .untilClose:
            stage = .complete
            endedByClose = true
        default:
            let error = HTTPResponseParseError(receivedAnyByte ? "unexpected EOF" : "EOF")
            fail(error)
            throw error
        }
    }

    /// Runs one stage on the input at `index`, consuming at least one byte or changing stage.
    private mutating func step(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int) throws(HTTPResponseParseError) {
        switch stage {
        case .statusLine: try readStatusLine(input, &index)
        case .headerLines: try readHeaderLine(input, &index)
        case .fixedBody(let remaining): readFixedBody(input, &index, remaining)
        case .untilClose: readUntilClose(input, &index)
        case .chunkLine: try readChunkLine(input, &index)
        case .chunkData(let remaining): readChunkData(input, &index, remaining)
        case .chunkDataEnd(let sawCR): try readChunkDataEnd(input, &index, sawCR: sawCR)
        case .trailerLines: try readTrailerLine(input, &index)
        case .complete, .failed: index = input.count
        }
    }

    /// Moves the bytes of the current line from `input` into `line`. Returns true when the line
    /// ended: `line` then holds its content without LF or CRLF. `limit` bounds the content; the
    /// check depends only on the bytes so far, so where the input was split does not matter.
    mutating func takeLine(_ input: UnsafeBufferPointer<UInt8>, _ index: inout Int, limit: Int,
                           tooLong: @autoclosure () -> String) throws(HTTPResponseParseError) -> Bool {
        let start = index
        var end = start
        while end < input.count && input[end] != ASCII.lf { end += 1 }
        let ended = end < input.count
        // One byte of slack: the last byte before the LF may be the CR of a CRLF.
        guard line.count + (end - start) <= max(limit, 0) + 1 else {
            throw HTTPResponseParseError(tooLong())
        }
        line.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<end]))
        index = ended ? end + 1 : end
        guard ended else { return false }
        if line.last == ASCII.cr { line.removeLast() }
        guard line.count <= limit else { throw HTTPResponseParseError(tooLong()) }
        guard !line.contains(ASCII.cr) else { throw HTTPResponseParseError("bare CR in response") }
        return true
    }

    /// What a line of `content` bytes costs against the head and trailer budgets: its line end
    /// counts as CRLF whether it was one or a bare LF.
    static func lineBytes(_ content: Int) -> Int { content + 2 }

    /// Counts decoded body bytes and keeps the first `maxKeptBodyBytes` of them.
    mutating func keepBody(_ input: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        bodyByteCount += range.count
        let room = maxKeptBodyBytes - body.count
        if room > 0 {
            let kept = range.lowerBound..<(range.lowerBound + min(room, range.count))
            body.append(contentsOf: UnsafeBufferPointer(rebasing: input[kept]))
        }
        assert(body.count <= maxKeptBodyBytes && body.count <= bodyByteCount)
    }

    private mutating func fail(_ error: HTTPResponseParseError) {
        stage = .failed
        self.error = error
        line = []
        pending = PendingResponse()
    }
}

/// The head being read, with the counters its limits are checked against.
struct PendingResponse: Sendable {
    var version = HTTPVersion.http1_1
    var statusCode = 0
    var reason = ""
    var headers = HTTPHeaders()
    /// Bytes of this head so far, status line included, line ends counted as CRLF.
    var headBytes = 0
    var framing = ResponseFraming()
}
