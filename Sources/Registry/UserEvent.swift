/// A user event (`PUT /v1/event/fire/:name`). Consul's `UserEvent`; the leader chooses `id`
/// and `ltime` before proposing.
public struct UserEvent: Sendable, Equatable {
    /// UUID chosen by the leader.
    public var id: String
    /// Event name; must not start with `_`, which Consul reserves.
    public var name: String
    /// Opaque payload.
    public var payload: [UInt8]
    /// Regular expression on node names; "" matches all.
    public var nodeFilter: String
    /// Regular expression on service names; "" matches all.
    public var serviceFilter: String
    /// Regular expression on tags; needs `serviceFilter`.
    public var tagFilter: String
    /// Lamport time of the event.
    public var ltime: UInt64

    /// An event value.
    public init(
        id: String, name: String, payload: [UInt8] = [], nodeFilter: String = "", serviceFilter: String = "",
        tagFilter: String = "", ltime: UInt64 = 0
    ) {
        self.id = id
        self.name = name
        self.payload = payload
        self.nodeFilter = nodeFilter
        self.serviceFilter = serviceFilter
        self.tagFilter = tagFilter
        self.ltime = ltime
    }

    /// Consul's rules: a name is required and may not start with `_`; a tag filter needs a
    /// service filter.
    public func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "Name", message: "Missing name") }
        guard !name.hasPrefix("_") else {
            throw ValidationError(field: "Name", message: "Invalid event name \(quoted(name)): names starting with '_' are reserved")
        }
        guard tagFilter.isEmpty || !serviceFilter.isEmpty else {
            throw ValidationError(field: "TagFilter", message: "Cannot provide tag filter without service filter")
        }
    }
}
