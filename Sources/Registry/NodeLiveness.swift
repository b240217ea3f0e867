/// The leader's word on a server node (issue 5, DESIGN.md §9): whether the server that runs the
/// node's checks is live, and which server runs them now.
///
/// Every server node carries a liveness check (`serfHealth`, as Consul's agents do). The leader
/// turns it critical when it stops hearing from the server, and then hands the node's checks to
/// another live server (`owner`) and turns it passing again, saying so in the output: the node's
/// instances go on being probed, so they do not go critical because a registry node died. When
/// the server is heard from again, its checks come back to it (`owner == node`).
public struct NodeLiveness: Sendable, Equatable {
    /// The server node the word is about.
    public var node: String
    /// The new status of its `serfHealth` check.
    public var status: HealthStatus
    /// The new output of its `serfHealth` check.
    public var output: String
    /// The node (a server's) whose server runs this node's checks from now on; `node` itself
    /// when its own server does.
    public var owner: String

    public init(node: String, status: HealthStatus, output: String, owner: String) {
        self.node = node
        self.status = status
        self.output = output
        self.owner = owner
    }

    /// The output of a live server's check (Consul's text).
    public static let aliveOutput = "Agent alive and reachable"
    /// The output of a server the leader stopped hearing from (Consul's text).
    public static let unreachableOutput = "Agent not live or unreachable"

    /// The output once `owner` runs the unreachable node's checks.
    public static func takenOverOutput(by owner: String) -> String {
        "Agent not live or unreachable; its checks are run by \(owner)"
    }
}
