import HTTP
import Registry
import Store

/// What a handler decided. Handlers never perform I/O or wait: they say what should happen and
/// the node (`ServerNode`) does it.
public enum Reply {
    /// Answer now.
    case response(HTTPResponse)
    /// Answer now with what was read from the store; the same request gets the same answer
    /// until one of `watch` changes, so the node may serve it again from its response cache.
    case read(HTTPResponse, watch: [WatchKey])
    /// Propose `command` through the log; once it is applied, answer with `respond(result)`.
    case write(Command, respond: (ApplyResult) -> HTTPResponse)
    /// Probe these checks now (joining a run already in flight) and answer with what each run
    /// found, in the order given; checks the node does not probe get no result (nil).
    case probe(checks: [ProbeTarget], respond: ([ProbeResult?]) -> HTTPResponse)
    /// Nothing newer than the client's `?index` yet: park the request until one of `watch`
    /// changes or the wait ends, then run the handler again (DESIGN.md §8).
    case wait(watch: [WatchKey], waitMilliseconds: UInt64)
    /// Change the Raft cluster (the leader does it); answer with `respond(nil)` once under way,
    /// or `respond(message)` naming why it could not be done.
    case operate(RaftOperation, respond: (String?) -> HTTPResponse)
}

/// What the operator API may ask of Raft.
public enum RaftOperation: Sendable, Equatable {
    /// Hand leadership to the server with this ID, or to the most caught-up one (nil).
    case transferLeader(id: String?)
    /// Remove a server from the cluster, named by ID or by peer address.
    case removePeer(id: String?, address: String?)
}

/// `?index` and `?wait` of a blocking query (consul-api.md §1.5).
public struct BlockingOptions: Sendable, Equatable {
    /// The index the client has seen; the query blocks while the result's index is not above it.
    public var index: UInt64
    /// How long to wait at most, before jitter: default 5 minutes, capped at 10.
    public var waitMilliseconds: UInt64

    public static let defaultWaitMilliseconds: UInt64 = 5 * 60 * 1000
    public static let maxWaitMilliseconds: UInt64 = 10 * 60 * 1000

    /// nil when the request does not block (no `index`, or `index=0`).
    public init?(_ request: HTTPRequest) throws(APIError) {
        guard let text = request.queryValue("index") else { return nil }
        guard let index = UInt64(text) else { throw .badRequest("Invalid index") }
        guard index > 0 else { return nil }
        self.index = index
        waitMilliseconds = Self.defaultWaitMilliseconds
        if let wait = request.queryValue("wait"), !wait.isEmpty {
            guard let nanoseconds = GoDuration.parseNanoseconds(wait) ?? Int64(wait).map({ $0 * 1_000_000_000 }), nanoseconds >= 0 else {
                throw .badRequest("Invalid wait time")
            }
            let milliseconds = UInt64(nanoseconds / 1_000_000)
            // Consul treats 0 as the default and caps at 10 minutes.
            waitMilliseconds = milliseconds == 0 ? Self.defaultWaitMilliseconds : min(milliseconds, Self.maxWaitMilliseconds)
        }
    }
}

extension Reply {
    /// The answer, when the handler answered at once (`.response` or `.read`).
    public var immediateResponse: HTTPResponse? {
        switch self {
        case .response(let response), .read(let response, _): response
        case .write, .wait, .probe, .operate: nil
        }
    }
}

/// A check to probe on demand.
public struct ProbeTarget: Sendable, Equatable {
    public var node: String
    public var checkID: String

    public init(node: String, checkID: String) {
        self.node = node
        self.checkID = checkID
    }
}
