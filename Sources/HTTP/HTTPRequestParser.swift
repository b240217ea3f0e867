// A strict, incremental HTTP/1.1 request parser (RFC 9112) as a value: feed bytes, ask for the next
// event. It never reads a socket or a clock; the shell feeds what it read and acts on the events.
//
// Bytes are kept in one buffer; `readIndex` marks what has been turned into values, `scanIndex`
// how far the current line has been searched, so no byte is scanned twice however the input is
// split. Every judgement depends only on the bytes before it, which is what makes the events
// independent of the split (the tests feed every fixture split at every byte).

/// Strict incremental HTTP/1.1 request parser (RFC 9112). Bytes may arrive split anywhere.
///
/// Use: `feed` what was read, then call `next()` until it returns nil (several requests may be
/// pipelined in one read). After `.error`, answer with its status and close the connection;
/// the parser returns nil forever. The parser buffers whatever it is fed: the caller bounds how
/// much it reads ahead (back-pressure); a single request is bounded by the limits.
public struct HTTPRequestParser: Sendable {
    /// Where in a request the parser is.
    enum Stage: Sendable, Equatable {
        case requestLine
        case headerLines
        case fixedBody(length: Int)
        case chunkLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLines
        case failed
    }

    /// The result of one step of a stage.
    enum Progress {
        case needMore
        case advanced
        case emit(HTTPParserEvent)
    }

    /// Above this many consumed bytes the buffer is compacted (when they are also half of it).
    static let compactionThresholdBytes = 4096
    /// Room reserved for header fields at the first one: typical clients send 3 to 8.
    static let expectedHeaderCount = 8
    /// An emptied buffer whose capacity is above this is released rather than kept.
    static let retainedCapacityBytes = 64 * 1024

    let limits: HTTPParserLimits
    var buffer: [UInt8] = []
    /// Bytes before this index are consumed.
    var readIndex = 0
    /// The line scan resumes here; readIndex <= scanIndex <= buffer.count.
    var scanIndex = 0
    var stage = Stage.requestLine
    var pending = PendingRequest()
    /// The head asked for 100-continue and the body is still to come.
    var continuePending = false

    /// A parser that enforces `limits`.
    public init(limits: HTTPParserLimits = HTTPParserLimits()) {
        limits.check()
        self.limits = limits
    }

    /// Appends bytes read from the connection. Bytes fed after a failure are dropped.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        guard !hasFailed else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Appends bytes read from the connection. Bytes fed after a failure are dropped.
    public mutating func feed(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { feed($0) }
    }

    /// Next event from the bytes fed so far; nil means "need more bytes". Call repeatedly (pipelining).
    public mutating func next() -> HTTPParserEvent? {
        guard !hasFailed else { return nil }
        do {
            return try step()
        } catch {
            fail()
            return .error(error)
        }
    }

    /// True when no byte of an unfinished request is buffered (between requests).
    public var isIdle: Bool {
        stage == .requestLine && readIndex == buffer.count
    }

    /// True after an `.error` event: the parser will return nil forever.
    public var hasFailed: Bool {
        stage == .failed
    }

    /// Bytes fed but not yet consumed (an unfinished request, or pipelined requests not yet asked for).
    public var bufferedBytes: Int {
        buffer.count - readIndex
    }

    /// Hands over the bytes fed after the last request, and leaves the parser empty. For a
    /// connection that switches protocols (RFC 9110 §7.8): what the client sent after the
    /// upgrade request belongs to the new protocol. Only between requests (no request begun).
    public mutating func takeUnconsumedBytes() -> [UInt8] {
        precondition(stage == .requestLine && scanIndex == readIndex && !continuePending, "bytes taken in the middle of a request")
        let rest = Array(buffer[readIndex...])
        buffer = []
        readIndex = 0
        scanIndex = 0
        return rest
    }

    /// Runs stages until one yields an event or needs more bytes.
    private mutating func step() throws(HTTPParseError) -> HTTPParserEvent? {
        while true {
            switch try stepStage() {
            case .advanced:
                continue
            case .emit(let event):
                return event
            case .needMore:
                // RFC 9110 §10.1.1: 100 Continue only while the body has not arrived.
                guard continuePending else { return nil }
                continuePending = false
                return .expectContinue
            }
        }
    }

    private mutating func stepStage() throws(HTTPParseError) -> Progress {
        assert(readIndex <= scanIndex && scanIndex <= buffer.count)
        switch stage {
        case .requestLine: return try readRequestLine()
        case .headerLines: return try readHeaderLine()
        case .fixedBody(let length): return readFixedBody(length)
        case .chunkLine: return try readChunkLine()
        case .chunkData(let remaining): return readChunkData(remaining)
        case .chunkDataEnd: return try readChunkDataEnd()
        case .trailerLines: return try readTrailerLine()
        case .failed: return .needMore
        }
    }

    /// Looks for the end of the line at `readIndex`. On `.line`, `scanIndex` points after the CRLF.
    mutating func scanLine(limit: Int) -> LineScan {
        let (start, resume) = (readIndex, scanIndex)
        let (outcome, next) = buffer.withUnsafeBufferPointer {
            LineScan.scan($0, start: start, resume: resume, limit: limit)
        }
        scanIndex = next
        return outcome
    }

    /// Marks everything up to `scanIndex` (the line just scanned) as consumed.
    mutating func consumeLine() {
        assert(scanIndex <= buffer.count)
        readIndex = scanIndex
    }

    /// Marks `count` more bytes as consumed (body bytes, which are not scanned).
    mutating func consume(_ count: Int) {
        readIndex += count
        scanIndex = readIndex
        assert(readIndex <= buffer.count)
    }

    /// Hands out the finished request and gets ready for the next one.
    mutating func finishRequest() -> Progress {
        // swap moves the request out; copying it would retain and release every string in it.
        var request = HTTPRequest(unfinished: ())
        swap(&request, &pending.request)
        pending.startOver()
        assert(!request.method.isEmpty && !request.target.isEmpty)
        stage = .requestLine
        continuePending = false
        return .emit(.request(request))
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
        scanIndex -= readIndex
        readIndex = 0
        assert(scanIndex >= 0 && scanIndex <= buffer.count)
    }

    private mutating func fail() {
        stage = .failed
        buffer = []
        readIndex = 0
        scanIndex = 0
        pending = PendingRequest()
        continuePending = false
    }
}
