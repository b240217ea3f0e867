// The request the parser is assembling: what is known so far, and the per-request counters
// that the limits are checked against.

/// A request between its first byte and its last. Reset after each request.
struct PendingRequest: Sendable {
    /// The request as far as it is known; moved out whole when it is complete, so that its
    /// strings and arrays are not copied.
    var request = HTTPRequest(unfinished: ())
    var framing = MessageFraming()
    /// Bytes of header lines so far, CRLFs included (limit: maxHeaderBytes).
    var headerBytes = 0
    /// Bytes of trailer lines so far, CRLFs included (limit: maxTrailerBytes).
    var trailerBytes = 0
    /// Empty lines seen before the request line (limit: maxLeadingEmptyLines).
    var leadingEmptyLines = 0

    /// Resets everything but `request`, which the caller has just swapped out.
    mutating func startOver() {
        framing = MessageFraming()
        headerBytes = 0
        trailerBytes = 0
        leadingEmptyLines = 0
    }
}
