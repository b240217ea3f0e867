// What HTTPRequestParser.next() hands back: data, so the shell decides nothing.

/// What the parser found next.
public enum HTTPParserEvent: Sendable, Equatable {
    /// One complete request, body included.
    case request(HTTPRequest)
    /// The head of a request with "Expect: 100-continue" is complete and its body has not been
    /// received yet: the caller writes "HTTP/1.1 100 Continue\r\n\r\n". The request follows later.
    case expectContinue
    /// The request is refused: answer with `error.status` and close. The parser stays failed.
    case error(HTTPParseError)
}
