/// What a blocking query (or the 8761 config watch) waits on; `apply` returns the keys a
/// command changed so that only the waiters concerned wake up (DESIGN.md §8).
///
/// Keys name data, not endpoints: `health/service/web` waits on `.service("web")`, which a
/// change to a check of a `web` instance, or to a node-level check on a node running `web`,
/// touches too. KV waiters of a prefix match `.kv(key)` on the key's prefix themselves.
public enum WatchKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The node list (`catalog/nodes`).
    case nodes
    /// One node, its services and its checks (`catalog/node/:node`, `health/node/:node`).
    case node(String)
    /// The service list (`catalog/services`).
    case services
    /// Every instance of one service name, their nodes and their health.
    case service(String)
    /// Any check (`health/state/:state`).
    case checks
    /// One KV key, exactly.
    case kv(String)
    /// Any session.
    case sessions
    /// The user event list.
    case events
    /// One service's configuration (8761 `/api/v1/config/{name}` and its WebSocket watch).
    case config(String)

    /// The `index_table` row this key's changes bump (KV keys share the table's row).
    var indexKey: String {
        switch self {
        case .nodes: "nodes"
        case .node(let name): "node." + name
        case .services: "services"
        case .service(let name): "service." + name
        case .checks: "checks"
        case .kv: "kvs"
        case .sessions: "sessions"
        case .events: "events"
        case .config(let name): "config." + name
        }
    }

    public var description: String {
        switch self {
        case .nodes, .services, .checks, .sessions, .events: indexKey
        case .node(let name): "node:" + name
        case .service(let name): "service:" + name
        case .kv(let key): "kv:" + key
        case .config(let name): "config:" + name
        }
    }

    /// Case order first, then the name's UTF-8 bytes: an order that never depends on the
    /// process (STYLE.md principle 2).
    public static func < (lhs: WatchKey, rhs: WatchKey) -> Bool {
        if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
        return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
    }

    private var rank: Int {
        switch self {
        case .nodes: 0
        case .node: 1
        case .services: 2
        case .service: 3
        case .checks: 4
        case .kv: 5
        case .sessions: 6
        case .events: 7
        case .config: 8
        }
    }

    private var name: String {
        switch self {
        case .nodes, .services, .checks, .sessions, .events: ""
        case .node(let name), .service(let name), .kv(let name), .config(let name): name
        }
    }
}
