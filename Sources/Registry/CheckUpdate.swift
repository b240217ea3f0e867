/// A check's new status and output: TTL pass/warn/fail/update, or a probe result decided by
/// the check's owner.
public struct CheckUpdate: Sendable, Equatable {
    /// The check's node.
    public var node: String
    /// The check.
    public var checkID: String
    /// The new status.
    public var status: HealthStatus
    /// The new output (already cut to the check's `outputMaxSize`).
    public var output: String

    /// An update value.
    public init(node: String, checkID: String, status: HealthStatus, output: String = "") {
        self.node = node
        self.checkID = checkID
        self.status = status
        self.output = output
    }
}
