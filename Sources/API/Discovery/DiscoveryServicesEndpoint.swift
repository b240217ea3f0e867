import HTTP
import Registry
import Store

/// Registration and discovery: `/api/v1/register`, `/api/v1/deregister/{id}`,
/// `/api/v1/services...`.
enum DiscoveryServicesEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("POST", "/api/v1/register", registerInstance)
        router.add("DELETE", "/api/v1/deregister/:id", deregisterInstance)
        router.add("GET", "/api/v1/services", services)
        router.add("GET", "/api/v1/services/:name", service)
        router.add("GET", "/api/v1/services/:name/instances", instances)
        router.add("GET", "/api/v1/services/:name/instance", pick)
        router.add("POST", "/api/v1/services/:name/instances/:id/release", release)
    }

    /// 201 with the registered `ServiceInstance`, read back after apply. Re-registering an ID
    /// replaces the instance and its check (and keeps its `registered_at`).
    static func registerInstance(_ context: DiscoveryContext) throws -> Reply {
        let registration = try RegistrationDecoder.registration(try context.bodyJSON(), node: context.agentNodeName)
        guard registration.service.id != "consul" else { throw DiscoveryError.invalid("service_id", "service_id \"consul\" is reserved for the server's own registration") }
        let store = context.store
        return context.write(.serviceRegister(registration)) { _ in
            let instance = try? store.discoveryInstances(named: registration.service.name).value.first {
                $0.entry.node.value.name == registration.node && $0.entry.service.value.id == registration.service.id
            }
            guard let instance else {
                return DiscoveryError(.internalServerError, code: "internal_error", "registered, but the instance could not be read back").response
            }
            return context.envelope(.created, DiscoveryJSON.instance(instance), "Service registered successfully")
        }
    }

    /// 204; an unknown ID is a 404. IDs are unique per node: this node's instance goes first,
    /// else the one other node that has it; an ID held by several other nodes is a 409.
    static func deregisterInstance(_ context: DiscoveryContext) throws -> Reply {
        let id = try context.parameter("id")
        let owners = try context.store.instances(withServiceID: id)
        if owners.contains(where: { $0.node == context.agentNodeName }) {
            guard id != "consul" else { throw DiscoveryError.notFound("no service instance with service_id \(id)") }
            return context.write(.serviceDeregister(node: context.agentNodeName, serviceID: id)) { _ in HTTPResponse(status: .noContent) }
        }
        guard let owner = owners.first else { throw DiscoveryError.notFound("no service instance with service_id \(id)") }
        guard owners.count == 1 else {
            throw DiscoveryError.conflict("service_id \(id) is registered on several nodes (\(owners.map(\.node).joined(separator: ", "))); deregister it through the Consul catalog API with its node")
        }
        let deregistration = CatalogDeregistration(node: owner.node, serviceID: id)
        return context.write(.catalogDeregister(deregistration)) { _ in HTTPResponse(status: .noContent) }
    }

    /// Every service with its tags and instance counts, by name.
    static func services(_ context: DiscoveryContext) throws -> Reply {
        let names = try context.store.services().value
        var items: [JSON] = []
        for service in names {
            let instances = try context.store.discoveryInstances(named: service.name).value
            items.append(summary(service.name, instances))
        }
        return .response(context.envelope(.array(items), "\(items.count) services"))
    }

    static func summary(_ name: String, _ instances: [DiscoveryInstance]) -> JSON {
        var tags: [String] = []
        for instance in instances { for tag in instance.entry.service.value.tags where !tags.contains(tag) { tags.append(tag) } }
        return .object([
            ("service_name", .string(name)),
            ("tags", .array(tags.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { .string($0) })),
            ("total_instances", .int(Int64(instances.count))),
            ("healthy_instances", .int(Int64(instances.filter(DiscoveryJSON.isHealthy).count))),
        ])
    }

    /// The service's summary with every instance; a service without instances is a 404.
    static func service(_ context: DiscoveryContext) throws -> Reply {
        let name = try context.parameter("name")
        let instances = try context.store.discoveryInstances(named: name).value
        guard !instances.isEmpty else { throw DiscoveryError.notFound("no service named \(name)") }
        guard case .object(var members) = summary(name, instances) else { preconditionFailure("a summary is an object") }
        members.append(("instances", .array(instances.map(DiscoveryJSON.instance))))
        return .response(context.envelope(.object(members), "service \(name)"))
    }

    /// Instances, filtered: every `tag` given (repeatable) must be on the instance, `status`
    /// must be its status, and every `metadata=key:value` (repeatable) must match. An unknown
    /// service gives an empty list, as Consul's health endpoint does.
    static func instances(_ context: DiscoveryContext) throws -> Reply {
        let name = try context.parameter("name")
        let request = context.request
        let tags = request.query.filter { $0.name == "tag" }.map(\.value)
        let status = request.queryValue("status")
        if let status, !["passing", "warning", "critical"].contains(status) {
            throw DiscoveryError.invalid("status", "status must be passing, warning or critical; got \"\(status)\"")
        }
        var metadata: [(String, String)] = []
        for item in request.query where item.name == "metadata" {
            guard let filter = metadataFilter(item.value) else {
                throw DiscoveryError.invalid("metadata", "metadata filters are key:value; got \"\(item.value)\"")
            }
            metadata.append(filter)
        }
        let instances = try context.store.discoveryInstances(named: name).value.filter { instance in
            let service = instance.entry.service.value
            return tags.allSatisfy(service.tags.contains)
                && (status.map { DiscoveryJSON.status(instance) == $0 } ?? true)
                && metadata.allSatisfy { service.meta[$0.0] == $0.1 }
        }
        return .response(context.envelope(.array(instances.map(DiscoveryJSON.instance)), "\(instances.count) instances of \(name)"))
    }

    /// `key:value` split at the first ':', or nil when there is none or the key is empty. The
    /// split is by Unicode scalar: ':' followed by a combining mark is one Character, and a
    /// Character search would miss it.
    static func metadataFilter(_ text: String) -> (key: String, value: String)? {
        let scalars = text.unicodeScalars
        guard let colon = scalars.firstIndex(of: ":"), colon != scalars.startIndex else { return nil }
        return (String(scalars[..<colon]), String(scalars[scalars.index(after: colon)...]))
    }

    /// One healthy instance by `strategy` (default round_robin). least_connections grants a
    /// lease through the log (so every node counts the same leases) and answers with its ID.
    static func pick(_ context: DiscoveryContext) throws -> Reply {
        let name = try context.parameter("name")
        let strategy = context.request.queryValue("strategy") ?? "round_robin"
        let region = context.request.queryValue("region").flatMap { $0.isEmpty ? nil : $0 }
        let noneHealthy = DiscoveryError.notFound("no healthy instances of service \(name)")
        switch strategy {
        case "round_robin", "weighted", "geographic":
            let entry = try context.environment.discoveryCache.entry(name, store: context.store)
            guard !entry.healthy.isEmpty else {
                context.environment.stats.noneHealthy(service: name)
                throw noneHealthy
            }
            let rotations = context.environment.rotations
            let position = switch strategy {
            case "weighted": LoadBalancer.weighted(entry.healthy.map { entry.instances[$0] }, draw: context.environment.randomDraw)
            case "geographic": LoadBalancer.geographic(entry.healthy.map { entry.instances[$0] }, region: region, service: name, rotations: rotations)
            default: LoadBalancer.roundRobin(entry.healthy.count, pool: name, rotations: rotations)
            }
            let chosen = entry.healthy[position]
            let instance = entry.instances[chosen]
            context.environment.stats.picked(service: name, strategy: strategy, node: instance.entry.node.value.name, serviceID: instance.entry.service.value.id)
            return .response(envelope(data: entry.encoded[chosen], message: "Instance selected using \(strategy) strategy", pretty: context.request.hasQuery("pretty")))
        case "least_connections":
            let ttl = try leaseTTL(context)
            let grant = LeaseGrant(leaseID: context.environment.newID, serviceName: name, ttlMilliseconds: ttl)
            let store = context.store
            let stats = context.environment.stats
            return .write(.leaseGrant(grant)) { result in
                if case .refused(let status, let message) = result {
                    if status == 404 { stats.noneHealthy(service: name) }
                    return DiscoveryError.forStatus(HTTPStatus.forCode(status), message).response
                }
                guard case .lease(let lease) = result,
                      let instance = try? store.discoveryInstances(named: name).value.first(where: {
                          $0.entry.node.value.name == lease.node && $0.entry.service.value.id == lease.serviceID
                      }),
                      case .object(var members) = DiscoveryJSON.instance(instance)
                else {
                    return DiscoveryError(.internalServerError, code: "internal_error", "lease granted but the instance could not be read back").response
                }
                stats.picked(service: name, strategy: strategy, node: lease.node, serviceID: lease.serviceID)
                members.append(("lease", .object([
                    ("lease_id", .string(lease.leaseID)),
                    ("expires_at", .string(Timestamp.iso8601(milliseconds: lease.expiresMilliseconds))),
                ])))
                return context.envelope(.object(members), "Instance selected using least_connections strategy; release the lease when done")
            }
        default:
            throw DiscoveryError.invalid("strategy", "strategy must be round_robin, least_connections, weighted or geographic; got \"\(strategy)\"")
        }
    }

    /// The success envelope around already encoded data (the pick's hot path); with `pretty`,
    /// the data is parsed back and indented like every other answer.
    private static func envelope(data: [UInt8], message: String, pretty: Bool) -> HTTPResponse {
        if pretty, let parsed = try? JSONParser.parse(data) {
            return .json(.ok, DiscoveryJSON.envelope(parsed, message).encoded(pretty: true))
        }
        var body = Array(#"{"success":true,"data":"#.utf8)
        body.reserveCapacity(data.count + message.utf8.count + 40)
        body += data
        body += #","message":"#.utf8
        JSON.writeString(message, into: &body)
        body.append(UInt8(ascii: "}"))
        return .json(.ok, body)
    }

    /// `?lease_ttl=` (a duration, default 30 s, at most 1 h).
    private static func leaseTTL(_ context: DiscoveryContext) throws(DiscoveryError) -> UInt64 {
        guard let text = context.request.queryValue("lease_ttl"), !text.isEmpty else { return RegistryLimits.defaultLeaseTTLMilliseconds }
        guard let nanoseconds = GoDuration.parseNanoseconds(text), nanoseconds > 0,
              UInt64(nanoseconds / 1_000_000) <= RegistryLimits.maxLeaseTTLMilliseconds, nanoseconds >= 1_000_000 else {
            throw .invalid("lease_ttl", "lease_ttl must be a duration between 1ms and 1h, such as \"30s\"; got \"\(text)\"")
        }
        return UInt64(nanoseconds / 1_000_000)
    }

    /// Ends a least-connections lease (`?lease=<lease_id>`); an unknown or expired lease is a 404.
    static func release(_ context: DiscoveryContext) throws -> Reply {
        let name = try context.parameter("name")
        let id = try context.parameter("id")
        guard let lease = context.request.queryValue("lease"), !lease.isEmpty else {
            throw DiscoveryError.invalid("lease", "lease is required: the lease_id the instance pick returned")
        }
        return context.write(.leaseRelease(leaseID: lease, serviceName: name, serviceID: id)) { _ in
            context.envelope(.object([("lease_id", .string(lease)), ("service_name", .string(name)), ("service_id", .string(id))]), "Lease released")
        }
    }
}
