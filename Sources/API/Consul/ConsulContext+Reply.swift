import HTTP
import Registry
import Store

extension ConsulContext {
    /// A read answer (consul-api.md §1.5, §1.6): blocks while `index` is not above the client's
    /// `?index` (unless the wait is over), and carries X-Consul-Index (never 0), KnownLeader,
    /// LastContact and Effective-Consistency.
    public func read(index: UInt64, watch: [WatchKey], _ makeResponse: () throws -> HTTPResponse) rethrows -> Reply {
        if let blocking, index <= blocking.index, !environment.finalAttempt {
            return .wait(watch: watch, waitMilliseconds: blocking.waitMilliseconds)
        }
        var response = try makeResponse()
        addQueryMeta(to: &response, index: index)
        return .read(response, watch: watch)
    }

    /// `read` for a JSON body.
    public func readJSON(index: UInt64, watch: [WatchKey], _ makeBody: () throws -> JSON) rethrows -> Reply {
        try read(index: index, watch: watch) { json(try makeBody()) }
    }

    /// The headers Consul's clients parse on every read.
    public func addQueryMeta(to response: inout HTTPResponse, index: UInt64) {
        response.headers.add("X-Consul-Index", String(max(index, 1)))
        response.headers.add("X-Consul-KnownLeader", node.leaderAddress == nil ? "false" : "true")
        response.headers.add("X-Consul-LastContact", String(node.lastContactMilliseconds))
        let consistency = options.stale ? "stale" : options.consistent ? "consistent" : "leader"
        response.headers.add("X-Consul-Effective-Consistency", consistency)
    }

    /// Proposes `command`; refusals from apply become Consul's status and text, anything else
    /// goes to `respond`.
    public func write(_ command: Command, respond: @escaping (ApplyResult) -> HTTPResponse) -> Reply {
        .write(command) { result in
            if case .refused(let status, let message) = result {
                return .text(HTTPStatus.forCode(status), message)
            }
            return respond(result)
        }
    }

    /// The request body as JSON; Consul's texts for an empty or malformed body.
    public func bodyJSON() throws(APIError) -> JSON {
        guard !request.body.isEmpty else { throw .badRequest("Request decode failed: EOF") }
        do {
            return try JSONParser.parse(request.body)
        } catch {
            throw .badRequest("Request decode failed: \(error.message)")
        }
    }

    /// A path parameter that must be present and non-empty.
    public func parameter(_ name: String, missing message: String) throws(APIError) -> String {
        guard let value = parameters[name], !value.isEmpty else { throw .badRequest(message) }
        return value
    }
}

extension HTTPResponse {
    /// 200 with an empty body: what Consul's agent writes answer.
    public static var emptyOK: HTTPResponse { HTTPResponse(status: .ok) }

    /// 200 with `true` or `false`: what catalog, KV and session writes answer.
    public static func jsonBool(_ value: Bool) -> HTTPResponse {
        .json(.ok, Array((value ? "true" : "false").utf8))
    }
}

extension HTTPStatus {
    /// The status with this code, with its standard reason phrase when we know one.
    static func forCode(_ code: Int) -> HTTPStatus {
        let known: [HTTPStatus] = [.ok, .badRequest, .unauthorized, .forbidden, .notFound, .methodNotAllowed, .conflict,
                                   .payloadTooLarge, .tooManyRequests, .internalServerError, .serviceUnavailable]
        return known.first { $0.code == code } ?? HTTPStatus(code: code, reason: "Status \(code)")
    }
}
