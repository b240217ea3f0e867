import Registry

// The composite values the queries return, one per Consul response shape. Grouped in one file
// because each is a few stored properties; the queries that build them are in
// StateStore+Queries.swift.

/// A node and its service instances (`catalog/node/:node`), instances by service ID.
public struct NodeServices: Sendable, Equatable {
    public var node: Indexed<Node>
    public var services: [Indexed<Service>]

    public init(node: Indexed<Node>, services: [Indexed<Service>]) {
        self.node = node
        self.services = services
    }
}

/// One instance of a service with its node (`catalog/service/:name`'s `ServiceNode`; its
/// CreateIndex and ModifyIndex are the service's).
public struct ServiceInstance: Sendable, Equatable {
    public var node: Indexed<Node>
    public var service: Indexed<Service>

    public init(node: Indexed<Node>, service: Indexed<Service>) {
        self.node = node
        self.service = service
    }
}

/// One `health/service/:name` entry: the node, the instance, and the node-level checks plus
/// the instance's checks, by check ID.
public struct HealthServiceEntry: Sendable, Equatable {
    public var node: Indexed<Node>
    public var service: Indexed<Service>
    public var checks: [Indexed<Check>]

    public init(node: Indexed<Node>, service: Indexed<Service>, checks: [Indexed<Check>]) {
        self.node = node
        self.service = service
        self.checks = checks
    }
}

/// A service name with the union of its instances' tags, sorted by bytes and de-duplicated
/// (`catalog/services`).
public struct ServiceTags: Sendable, Equatable {
    public var name: String
    public var tags: [String]

    public init(name: String, tags: [String]) {
        self.name = name
        self.tags = tags
    }
}

/// What the leader needs to expire a session: its TTL and the leader time (Unix milliseconds)
/// of its creation or last renewal, as the commands recorded them.
public struct SessionTimer: Sendable, Equatable {
    public var id: String
    public var ttlNanoseconds: Int64
    public var renewedMilliseconds: UInt64

    public init(id: String, ttlNanoseconds: Int64, renewedMilliseconds: UInt64) {
        self.id = id
        self.ttlNanoseconds = ttlNanoseconds
        self.renewedMilliseconds = renewedMilliseconds
    }
}
