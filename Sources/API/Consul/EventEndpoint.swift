import HTTP
import Registry
import Store

/// `PUT /v1/event/fire/:name` and `GET /v1/event/list` (consul-api.md §2.8; hashicorp/consul
/// agent/event_endpoint.go). Consul gossips events; Gravity writes them through the log, so
/// every server keeps the same newest `StoreLimits.maxUserEvents`.
enum EventEndpoint {
    /// Serf's `UserEventSizeLimit`: name and payload together, before encoding.
    static let maxEventBytes = 512
    /// Consul's `userEventMaxVersion`.
    static let version: Int64 = 1

    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("PUT", "/v1/event/fire/*name", fire)
        router.add("GET", "/v1/event/list", list)
    }

    /// Fires an event; the body is the payload, `?node=`, `?service=`, `?tag=` its filters.
    /// Answers the event with `LTime` 0, as Consul does (the Lamport time is known later).
    static func fire(_ context: ConsulContext) throws -> Reply {
        let name = context.parameters["name"] ?? ""
        guard !name.isEmpty else { throw APIError.badRequest("Missing name") }
        let request = context.request
        var event = UserEvent(
            id: context.environment.newID, name: name, payload: request.body,
            nodeFilter: request.queryValue("node") ?? "", serviceFilter: request.queryValue("service") ?? "",
            tagFilter: request.queryValue("tag") ?? "")
        try validate(event)
        event.ltime = try nextLamportTime(context.store)
        let answer = EventJSON.event(event, ltime: 0)
        return context.write(.eventFire(event)) { _ in context.json(answer) }
    }

    /// Name rules, size, and filters that compile.
    static func validate(_ event: UserEvent) throws(APIError) {
        try BodyFields.validated { () throws(ValidationError) in try event.validate() }
        let size = event.name.utf8.count + event.payload.count
        guard size <= maxEventBytes else {
            throw APIError(.payloadTooLarge, "user event exceeds configured limit of \(maxEventBytes) bytes before encoding")
        }
        _ = try EventFilter(event)
    }

    /// One past the newest kept event's, so the order of events is total.
    static func nextLamportTime(_ store: StateStore) throws -> UInt64 {
        (try store.events().value.last?.ltime ?? 0) + 1
    }

    /// The kept events meant for this agent, oldest first, those named `?name=` if given.
    ///
    /// The index is Consul's opaque one: derived from the newest listed event's ID, 1 when
    /// there is none. It is not monotonic, so a blocking list waits while the index *equals*
    /// the client's, not while it is lower.
    static func list(_ context: ConsulContext) throws -> Reply {
        let name = context.request.queryValue("name").flatMap { $0.isEmpty ? nil : $0 }
        let nodeName = context.node.identity.nodeName
        let services = try context.store.agentServices(onNode: nodeName).value.map(\.value)
        let events = try context.store.events(named: name).value.filter { event in
            // A stored event's filters compiled when it was fired; one that no longer does
            // (another Regex engine after an upgrade) is for nobody.
            guard let filter = try? EventFilter(event) else { return false }
            return filter.applies(toNode: nodeName, services: services)
        }
        let index = events.last.map { EventJSON.index(ofEventID: $0.id) } ?? 1
        if let blocking = context.blocking, index == blocking.index, !context.environment.finalAttempt {
            return .wait(watch: [.events], waitMilliseconds: blocking.waitMilliseconds)
        }
        var response = context.json(.array(events.map { EventJSON.event($0, ltime: $0.ltime) }))
        context.addQueryMeta(to: &response, index: index)
        return .response(response)
    }
}
