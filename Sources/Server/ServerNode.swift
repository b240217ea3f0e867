import API
import HTTP
import Registry

/// Which listener a request arrived on.
public enum Listener: Sendable, Equatable {
    /// The Consul-compatible API, port 8500.
    case consul
    /// The Gravity discovery API, port 8761.
    case discovery
}

/// Names one request until its response is written; chosen by the shell, unique per process.
public struct RequestID: Hashable, Sendable {
    public let connection: UInt64
    public let sequence: UInt64
    public init(connection: UInt64, sequence: UInt64) {
        self.connection = connection
        self.sequence = sequence
    }
}

/// What the shell hands the node.
public enum NodeInput: Sendable {
    /// Time passes: the loop's monotonic clock, in milliseconds.
    case tick(nowMilliseconds: UInt64)
    /// A complete, well-formed HTTP request.
    case request(RequestID, Listener, HTTPRequest)
}

/// What the node asks the shell to do.
public enum NodeOutput: Sendable {
    /// Write this response for that request (in request order per connection: the shell's job).
    case respond(RequestID, HTTPResponse)
}

/// Fixed facts about this node, decided at start-up by the shell.
public struct ServerConfig: Sendable {
    public var identity: AgentIdentity
    public var version: String
    public var consulCompatibleVersion: String
    /// This node's Raft address as peers reach it, "ip:port".
    public var serverAddress: String
    public var ports: NodeView.Ports

    public init(identity: AgentIdentity, version: String, consulCompatibleVersion: String, serverAddress: String, ports: NodeView.Ports) {
        self.identity = identity
        self.version = version
        self.consulCompatibleVersion = consulCompatibleVersion
        self.serverAddress = serverAddress
        self.ports = ports
    }
}

/// The deterministic node: the same inputs in the same order give the same outputs. It never reads
/// a clock, draws randomness or touches a socket; the shell (`Agent`) or the simulator drives it.
///
/// Until the Raft issue lands it is a single-server cluster: it is its own leader and its only
/// voter, which is what Consul's `-dev` agent reports too.
public struct ServerNode {
    public let config: ServerConfig
    private let consul = ConsulAPI()
    private let discovery = DiscoveryAPI()
    private var nowMilliseconds: UInt64 = 0
    /// The node as the API sees it; rebuilt only when what it shows changes, not per request.
    public private(set) var view: NodeView

    public init(config: ServerConfig) {
        self.config = config
        view = NodeView(
            identity: config.identity,
            version: config.version,
            consulCompatibleVersion: config.consulCompatibleVersion,
            isServer: true,
            serverAddress: config.serverAddress,
            leaderAddress: config.serverAddress,
            peers: [config.serverAddress],
            raftState: "Leader",
            lastContactMilliseconds: 0,
            isCaughtUp: true,
            ports: config.ports)
    }

    /// Takes one input and appends what to do to `outputs` (which the caller drains).
    public mutating func step(_ input: NodeInput, into outputs: inout [NodeOutput]) {
        switch input {
        case .tick(let now):
            precondition(now >= nowMilliseconds, "time went backwards")
            nowMilliseconds = now
        case .request(let id, let listener, let request):
            outputs.append(.respond(id, answer(request, on: listener)))
        }
    }

    private func answer(_ request: HTTPRequest, on listener: Listener) -> HTTPResponse {
        switch listener {
        case .consul: consul.handle(request, node: view)
        case .discovery: discovery.handle(request, node: view)
        }
    }
}
