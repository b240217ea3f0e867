// Every size the parser accepts, in one place (house style: a limit on everything).

/// The bounds of one request. Whatever exceeds them is refused before it is buffered.
public struct HTTPParserLimits: Sendable {
    /// Bytes of the request line without CRLF; over -> 414, detected before the line ends.
    public var maxRequestLineBytes = 8 * 1024
    /// Header fields in one request; over -> 431.
    public var maxHeaderCount = 100
    /// Bytes of all header lines of one request, CRLFs included; over -> 431.
    public var maxHeaderBytes = 32 * 1024
    /// Body bytes (Content-Length, or the decoded size of a chunked body); over -> 413.
    public var maxBodyBytes = 1024 * 1024
    /// Bytes of the trailer section of a chunked body, CRLFs included; over -> 431.
    public var maxTrailerBytes = 8 * 1024
    /// Bytes of one chunk-size line (size and extensions) without CRLF; over -> 400.
    public var maxChunkLineBytes = 4 * 1024
    /// Empty lines tolerated before a request line (RFC 9112 §2.2); more -> 400.
    public var maxLeadingEmptyLines = 4

    /// The default limits.
    public init() {}

    /// No limit may exceed this: bodies are held in memory, and offsets plus limits must not overflow.
    static let ceilingBytes = 1 << 30

    /// Stops the process when the limits cannot work together (a configuration bug, not input).
    func check() {
        precondition(maxRequestLineBytes >= 16, "a request line needs at least 16 bytes")
        precondition(maxHeaderCount >= 1, "HTTP/1.1 needs at least the Host header")
        precondition(maxHeaderBytes >= 16 && maxTrailerBytes >= 0 && maxChunkLineBytes >= 1 && maxBodyBytes >= 0)
        precondition(maxLeadingEmptyLines >= 0)
        let sizes = [maxRequestLineBytes, maxHeaderCount, maxHeaderBytes, maxBodyBytes, maxTrailerBytes, maxChunkLineBytes,
                     maxLeadingEmptyLines]
        precondition(sizes.allSatisfy { $0 <= Self.ceilingBytes }, "a parser limit above 1 GiB")
    }
}
