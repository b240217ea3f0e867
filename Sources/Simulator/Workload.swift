import API
import HTTP
import Server

/// The clients of a run: each has at most one request outstanding, sent to a random node, and
/// records it in the history (Jepsen's invoke, then ok / fail / info). Values are unique per
/// write, which is what lets the checker treat CAS-by-ModifyIndex as compare-and-set.
public struct Workload {
    /// One client's request in flight.
    struct Outstanding {
        var requestID: RequestID
        var node: Int
        var historyIndex: Int
        var deadline: SimMilliseconds
    }

    struct Client {
        var outstanding: Outstanding?
        /// The ModifyIndex this client last read per key (what its CAS names; 0: absent).
        var lastIndex: [String: UInt64] = [:]
        var sequence: UInt64 = 0
    }

    public let keys: [String]
    public private(set) var history: [HistoryEntry] = []
    var clients: [Client]
    private var random: SimRandom
    private var writes = 0
    /// How long a client waits for an answer before it gives up (the outcome is then unknown).
    public var timeoutMilliseconds: SimMilliseconds = 3_000

    public init(clients: Int, keys: Int, random: SimRandom) {
        precondition(clients > 0 && keys > 0, "a workload needs clients and keys")
        self.keys = (0..<keys).map { "k\($0)" }
        self.clients = Array(repeating: Client(), count: clients)
        self.random = random
    }

    /// How long a client waits before its next request.
    mutating func thinkTime() -> SimMilliseconds { random.uint(in: 0...300) }

    /// Client `client` issues its next request at `now`: returns where to send it.
    mutating func invoke(client: Int, nodeCount: Int, now: SimMilliseconds, order: UInt64) -> (node: Int, id: RequestID, request: HTTPRequest) {
        precondition(clients[client].outstanding == nil, "one request per client at a time")
        let node = Int(random.below(UInt64(nodeCount)))
        let key = random.pick(keys)
        let roll = random.below(100)
        let kvRequest: KVRequest
        if roll < 40 {
            kvRequest = .read
        } else {
            writes += 1
            let value = "c\(client)-\(writes)"
            kvRequest = roll < 70 ? .write(value) : .cas(expectedIndex: clients[client].lastIndex[key] ?? 0, value: value)
        }
        clients[client].sequence += 1
        let id = RequestID(connection: UInt64(client + 1), sequence: clients[client].sequence)
        history.append(HistoryEntry(client: client, node: node, key: key, request: kvRequest, invokedAt: now, invokeOrder: order))
        clients[client].outstanding = Outstanding(requestID: id, node: node, historyIndex: history.count - 1, deadline: now + timeoutMilliseconds)
        return (node, id, Self.httpRequest(kvRequest, key: key))
    }

    static func httpRequest(_ request: KVRequest, key: String) -> HTTPRequest {
        let (method, target, body): (String, String, String)
        switch request {
        case .read: (method, target, body) = ("GET", "/v1/kv/\(key)?consistent", "")
        case .write(let value): (method, target, body) = ("PUT", "/v1/kv/\(key)", value)
        case .cas(let index, let value): (method, target, body) = ("PUT", "/v1/kv/\(key)?cas=\(index)", value)
        }
        // The targets above are well-formed by construction.
        return try! HTTPRequest(method: method, target: target, headers: HTTPHeaders([("Host", "sim")]), body: Array(body.utf8))
    }

    /// The client whose outstanding request is `id`, if any.
    func client(waitingFor id: RequestID) -> Int? {
        let client = Int(id.connection) - 1
        guard clients.indices.contains(client), clients[client].outstanding?.requestID == id else { return nil }
        return client
    }

    /// A response arrived for `client`'s request.
    mutating func complete(client: Int, response: HTTPResponse, now: SimMilliseconds, order: UInt64) {
        guard let outstanding = clients[client].outstanding else { return }
        clients[client].outstanding = nil
        var entry = history[outstanding.historyIndex]
        entry.outcome = Self.outcome(of: entry.request, response)
        if entry.outcome != .unknown {
            entry.completedAt = now
            entry.completeOrder = order
        }
        if case .found(_, let index) = entry.outcome { clients[client].lastIndex[entry.key] = index }
        if entry.outcome == .notFound { clients[client].lastIndex[entry.key] = 0 }
        history[outstanding.historyIndex] = entry
    }

    /// `client` gave up (timeout) or its node crashed: the outcome stays unknown.
    mutating func abandon(client: Int) {
        clients[client].outstanding = nil
    }

    static func outcome(of request: KVRequest, _ response: HTTPResponse) -> KVOutcome {
        let body = String(decoding: response.body, as: UTF8.self)
        switch (request, response.status.code) {
        case (.read, 404): return .notFound
        case (.read, 200): return readOutcome(response.body)
        case (.write, 200), (.cas, 200):
            if body == "true" { return .applied }
            if body == "false" { return .refused }
            return .unknown
        default: return .unknown
        }
    }

    private static func readOutcome(_ body: [UInt8]) -> KVOutcome {
        // try? : a body we cannot read tells the checker nothing; it is not a violation.
        guard case .array(let items)? = try? JSONParser.parse(body), let first = items.first else { return .unknown }
        let index: UInt64
        switch first["ModifyIndex"] {
        case .uint(let value)?: index = value
        case .int(let value)? where value >= 0: index = UInt64(value)
        default: return .unknown
        }
        switch first["Value"] {
        case .string(let encoded)?:
            guard let bytes = Base64.decode(encoded) else { return .unknown }
            return .found(String(decoding: bytes, as: UTF8.self), modifyIndex: index)
        default:
            return .found("", modifyIndex: index)
        }
    }
}
