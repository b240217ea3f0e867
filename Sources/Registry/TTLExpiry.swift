/// The leader decided that a TTL check was not renewed in time: the check turns critical with
/// `output` (`TTL expired` or `TTL expired (last output before timeout follows): <last>`).
public struct TTLExpiry: Sendable, Equatable {
    /// The check's node.
    public var node: String
    /// The TTL check.
    public var checkID: String
    /// The output the check gets.
    public var output: String

    /// An expiry value.
    public init(node: String, checkID: String, output: String) {
        self.node = node
        self.checkID = checkID
        self.output = output
    }
}
