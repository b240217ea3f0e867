// libFuzzer harness for HTTPRequestParser (run it with scripts/fuzz). Built with -DFUZZING and
// -sanitize=fuzzer, @main hands control to libFuzzer's driver; in an ordinary build it replays the
// files named on the command line through the same checks, so a crash file can be rerun under a
// debugger: `swift run FuzzHTTPParser crash-...`.
//
// One file on purpose: SwiftPM compiles a single-file executable as a library, which is what
// lets `@main` live in main.swift.
import HTTP

#if FUZZING
import CFuzzerDriver

// C calls this; it must be a file-scope constant, not a closure formed in isolated code.
private let fuzzOneInput: gravity_fuzz_callback = { data, size in
    FuzzCheck.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// Runs libFuzzer with the process arguments (corpus directories, -max_total_time=...).
@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput)
        precondition(status == 0, "libFuzzer driver returned \(status)")
    }
}
#else
import Glibc

/// Replays each file given as an argument through the fuzz checks.
@main
enum FuzzMain {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty { print("usage: FuzzHTTPParser FILE... (build with scripts/fuzz to fuzz)") }
        for path in paths {
            guard let data = readFile(path) else {
                print("cannot read \(path)")
                exit(2)
            }
            FuzzCheck.run(data)
            print("ok \(path) (\(data.count) bytes)")
        }
    }

    /// The whole file, or nil.
    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            data += chunk[..<count]
            if count < chunk.count { return ferror(file) == 0 ? data : nil }
        }
    }
}
#endif

/// Feeds one input to HTTPRequestParser, HTTPResponseParser (probed services are untrusted) and
/// WebSocketFrameParser (so are WebSocket clients) several ways, and stops the process on any
/// broken invariant.
enum FuzzCheck {
    /// Small limits, so that short inputs reach every limit path.
    static let limits: HTTPParserLimits = {
        var limits = HTTPParserLimits()
        limits.maxRequestLineBytes = 200
        limits.maxHeaderCount = 8
        limits.maxHeaderBytes = 400
        limits.maxBodyBytes = 300
        limits.maxTrailerBytes = 100
        limits.maxChunkLineBytes = 40
        limits.maxLeadingEmptyLines = 2
        return limits
    }()

    /// Inputs longer than this are not also fed one byte at a time (quadratic checks stay cheap).
    static let maxBytewiseInput = 2048

    /// Checks every invariant for `data`. The first byte also picks how the input is split.
    static func run(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let whole = events([data[...]])
        let split = events(pieces(data, selector: selector))
        precondition(withoutContinue(whole) == withoutContinue(split), "events depend on how the input was split")
        if data.count <= maxBytewiseInput {
            let bytewise = events(data.indices.map { data[$0...$0] })
            precondition(withoutContinue(whole) == withoutContinue(bytewise), "events differ when fed byte by byte")
        }
        for case .request(let request) in whole {
            checkRequest(request)
            checkRoundTrip(request)
            checkRoute(request)
        }
        checkResponseParser(data, selector: selector)
        checkWebSocketParser(data, selector: selector)
    }

    /// The response parser: the same outcome however the input is split, the kept body within
    /// its cap, and nothing after an error.
    static func checkResponseParser(_ data: [UInt8], selector: UInt8) {
        let method = selector & 4 == 0 ? "GET" : "HEAD"
        func outcome(_ pieces: [ArraySlice<UInt8>]) -> String {
            var parser = HTTPResponseParser(requestMethod: method, maxKeptBodyBytes: 64)
            do throws(HTTPResponseParseError) {
                for piece in pieces where !parser.isComplete { try parser.feed(Array(piece)) }
                if !parser.isComplete { try parser.finish() }
            } catch {
                precondition(parser.hasFailed, "threw without failing")
                return "error \(error)"
            }
            precondition(parser.body.count <= 64 && parser.body.count <= parser.bodyByteCount, "kept body over its cap")
            return "\(String(describing: parser.head)) \(parser.body) \(parser.bodyByteCount)"
        }
        let whole = outcome([data[...]])
        precondition(whole == outcome(pieces(data, selector: selector)), "response outcome depends on the split")
        if data.count <= maxBytewiseInput {
            precondition(whole == outcome(data.indices.map { data[$0...$0] }), "response outcome differs byte by byte")
        }
    }

    /// The WebSocket parser: the same events however the input is split, messages within the
    /// limit, and nothing after a failure.
    static func checkWebSocketParser(_ data: [UInt8], selector: UInt8) {
        let limit = 200
        func events(_ pieces: [ArraySlice<UInt8>]) -> [WebSocketEvent] {
            var parser = WebSocketFrameParser(maxMessageBytes: limit)
            var events: [WebSocketEvent] = []
            for piece in pieces {
                parser.feed(Array(piece))
                while let event = parser.next() { events.append(event) }
            }
            for event in events {
                switch event {
                case .text(let text): precondition(text.utf8.count <= limit, "text message over the limit")
                case .binary(let bytes): precondition(bytes.count <= limit, "binary message over the limit")
                case .ping(let bytes), .pong(let bytes): precondition(bytes.count <= 125, "control payload over 125")
                default: break
                }
            }
            if let failed = events.firstIndex(where: { if case .failure = $0 { true } else { false } }) {
                precondition(failed == events.count - 1, "an event after a failure")
            }
            return events
        }
        let whole = events([data[...]])
        precondition(whole == events(pieces(data, selector: selector)), "WebSocket events depend on the split")
        if data.count <= maxBytewiseInput {
            precondition(whole == events(data.indices.map { data[$0...$0] }), "WebSocket events differ byte by byte")
        }
    }

    /// Pieces chosen by `selector`: two halves at a proportional cut, or runs of 1 to 32 bytes
    /// whose sizes come from the input itself.
    static func pieces(_ data: [UInt8], selector: UInt8) -> [ArraySlice<UInt8>] {
        if selector & 1 == 0 {
            let cut = data.count * Int(selector) / 256
            return [data[..<cut], data[cut...]]
        }
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0, turn = 0
        while start < data.count {
            let size = Int(data[turn % data.count] % 32) + 1
            pieces.append(data[start..<min(data.count, start + size)])
            start += size
            turn += 1
        }
        return pieces
    }

    /// Feeds the pieces in order, draining after each, checking the parser's state as it goes.
    static func events(_ pieces: [ArraySlice<UInt8>], limits: HTTPParserLimits = limits) -> [HTTPParserEvent] {
        var parser = HTTPRequestParser(limits: limits)
        var events: [HTTPParserEvent] = []
        for piece in pieces {
            piece.withUnsafeBytes { parser.feed($0) }
            while let event = parser.next() {
                if case .expectContinue = event, case .expectContinue? = events.last {
                    preconditionFailure("two 100-continue in a row")
                }
                events.append(event)
            }
            precondition(!parser.isIdle || parser.bufferedBytes == 0, "idle with bytes buffered")
        }
        if case .error = events.last {
            precondition(parser.hasFailed && parser.bufferedBytes == 0, "a failed parser keeps bytes")
            parser.feed(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            precondition(parser.next() == nil, "an event after an error")
        } else {
            precondition(!parser.hasFailed, "failed without an error event")
            precondition(!events.contains { if case .error = $0 { true } else { false } }, "an error before the last event")
        }
        return events
    }

    static func withoutContinue(_ events: [HTTPParserEvent]) -> [HTTPParserEvent] {
        events.filter { if case .expectContinue = $0 { false } else { true } }
    }

    /// What every parsed request promises.
    static func checkRequest(_ request: HTTPRequest) {
        precondition(request.body.count <= limits.maxBodyBytes, "body over the limit")
        precondition(request.headers.fields.count <= limits.maxHeaderCount, "more headers than the limit")
        precondition(request.target.utf8.count <= limits.maxRequestLineBytes, "target longer than the request line limit")
        precondition(request.path.hasPrefix("/") || request.path == "*", "path neither origin nor asterisk")
        precondition(!request.path.utf8.contains(0), "NUL in path")
        precondition(request.version == .http1_0 || request.headers.values("host").count == 1, "HTTP/1.1 without one Host")
        precondition(request.headers.fields.allSatisfy { field in
            !field.name.isEmpty && !field.value.hasPrefix(" ") && !field.value.hasSuffix(" ")
        }, "untrimmed or empty header field")
        guard let rebuilt = try? HTTPRequest(method: request.method, target: request.target, version: request.version,
                                             headers: request.headers, body: request.body)
        else { preconditionFailure("HTTPRequest.init refuses what the parser accepted") }
        precondition(rebuilt == request, "HTTPRequest.init splits the target differently from the parser")
    }

    /// Writes the request back with a Content-Length body and parses it again: same request.
    /// Default limits, because bytes that were not UTF-8 come back as U+FFFD (three bytes each).
    static func checkRoundTrip(_ request: HTTPRequest) {
        var wire = Array("\(request.method) \(request.target) \(request.version.text)\r\n".utf8)
        var expectedHeaders = HTTPHeaders()
        for field in request.headers.fields where !isFraming(field.name) {
            wire += Array("\(field.name): \(field.value)\r\n".utf8)
            expectedHeaders.add(field.name, field.value)
        }
        if !request.body.isEmpty {
            wire += Array("Content-Length: \(request.body.count)\r\n".utf8)
            expectedHeaders.add("Content-Length", "\(request.body.count)")
        }
        wire += Array("\r\n".utf8) + request.body
        var expected = request
        expected.headers = expectedHeaders
        precondition(events([wire[...]], limits: HTTPParserLimits()) == [.request(expected)],
                     "a parsed request does not survive being written back")
    }

    /// A few Consul-like routes, to fuzz the router with whatever paths the parser lets through.
    static let router: Router<String> = {
        var router = Router<String>()
        router.add("GET", "/", "/")
        router.add("GET", "/v1/agent/self", "/v1/agent/self")
        router.add("GET", "/v1/catalog/service/:service", "/v1/catalog/service/:service")
        router.add("PUT", "/v1/agent/service/deregister/:id", "/v1/agent/service/deregister/:id")
        router.add("GET", "/v1/session/:action/list", "/v1/session/:action/list")
        router.add("GET", "/v1/session/info/:uuid/extra", "/v1/session/info/:uuid/extra")
        for method in ["GET", "PUT", "DELETE"] { router.add(method, "/v1/kv/*key", "/v1/kv/*key") }
        return router
    }()

    /// The router finds a route whose pattern fits the path, or a sorted list of other methods.
    static func checkRoute(_ request: HTTPRequest) {
        switch router.match(method: request.method, rawPath: request.rawPath) {
        case .found(let pattern, let parameters):
            let names = pattern.split(separator: "/").filter { $0.hasPrefix(":") || $0.hasPrefix("*") }.map { String($0.dropFirst()) }
            precondition(names.allSatisfy { parameters[$0] != nil }, "a route matched without its parameters")
            precondition(pattern.hasSuffix("*key") || !request.rawPath.hasSuffix("/") || request.rawPath == "/", "trailing slash matched")
        case .methodNotAllowed(let allowed):
            precondition(!allowed.isEmpty && allowed == Array(Set(allowed)).sorted() && !allowed.contains(request.method),
                         "405 with a bad Allow list")
        case .notFound:
            break
        }
    }

    private static func isFraming(_ name: String) -> Bool {
        ["content-length", "transfer-encoding"].contains(name.lowercased())
    }
}
