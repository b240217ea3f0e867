import HTTP
import Registry
import Store

/// `/v1/health/...` (consul-api.md §2.3): checks by node, by service and by state, and the
/// instances of a service with their node and health. Every read blocks on the finest watch
/// key that covers it.
enum HealthEndpoint {
    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("GET", "/v1/health/node/*node", node)
        router.add("GET", "/v1/health/checks/*service", checks)
        router.add("GET", "/v1/health/service/*service", service)
        router.add("GET", "/v1/health/state/*state", state)
    }

    /// Every check on the node, node-level and service ones; unknown node: `[]`.
    static func node(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("node", missing: "Missing node name")
        let answer = try context.store.checks(onNode: name)
        return try context.readJSON(index: answer.index, watch: [.node(name)]) {
            .array(try context.applyFilter(answer.value.map { CatalogJSON.healthCheck($0) }))
        }
    }

    /// The checks of every instance of the service; with `node-meta`, of instances on nodes
    /// that carry it.
    static func checks(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("service", missing: "Missing service name")
        let answer = try context.store.checks(ofService: name)
        let metaByNode = try nodeMeta(context)
        return try context.readJSON(index: answer.index, watch: [.service(name)]) {
            let items = answer.value
                .filter { onMatchingNode($0.value, metaByNode, context) }
                .map { CatalogJSON.healthCheck($0) }
            return .array(try context.applyFilter(items))
        }
    }

    /// `[{"Node","Service","Checks"}]`; `Checks` holds the node-level checks too. `tag`
    /// (repeatable, all must match), `node-meta`, and `passing` (drop entries with any check
    /// not passing; Go's ParseBool, junk is `Invalid value for ?passing`).
    static func service(_ context: ConsulContext) throws -> Reply {
        let name = try context.parameter("service", missing: "Missing service name")
        let passing = try context.parsedFlag("passing", invalid: "Invalid value for ?passing")
        let answer = try context.store.healthServiceEntries(named: name)
        return try context.readJSON(index: answer.index, watch: [.service(name)]) {
            let tags = context.tagFilters
            let items = answer.value
                .filter { entry in
                    tags.allSatisfy(entry.service.value.tags.contains) && context.matchesNodeMeta(entry.node.value.meta)
                        && (!passing || entry.checks.allSatisfy { $0.value.status == .passing })
                }
                .map { entry in
                    JSON.object([
                        ("Node", CatalogJSON.node(entry.node, datacenter: context.datacenter)),
                        ("Service", CatalogJSON.nodeService(entry.service)),
                        ("Checks", .array(entry.checks.map { CatalogJSON.healthCheck($0) })),
                    ])
                }
            return .array(try context.applyFilter(items))
        }
    }

    /// Checks in one state across the datacenter: `any`, `passing`, `warning` or `critical`.
    /// Consul does not refuse other words (it answers `[]`); Gravity says what was wrong.
    static func state(_ context: ConsulContext) throws -> Reply {
        let text = try context.parameter("state", missing: "Missing check state")
        let status: HealthStatus?
        if text == "any" {
            status = nil
        } else if let parsed = HealthStatus(rawValue: text) {
            status = parsed
        } else {
            throw APIError.badRequest("Invalid check state \(BodyFields.goQuoted(text)): must be any, passing, warning or critical")
        }
        let answer = try context.store.checks(inState: status)
        let metaByNode = try nodeMeta(context)
        return try context.readJSON(index: answer.index, watch: [.checks]) {
            let items = answer.value
                .filter { onMatchingNode($0.value, metaByNode, context) }
                .map { CatalogJSON.healthCheck($0) }
            return .array(try context.applyFilter(items))
        }
    }

    /// True when no `node-meta` was asked for, or the check's node carries it.
    private static func onMatchingNode(_ check: Check, _ metaByNode: [String: [String: String]]?, _ context: ConsulContext) -> Bool {
        guard let metaByNode else { return true }
        return metaByNode[check.node].map(context.matchesNodeMeta) ?? false
    }

    /// Node meta by node name when `node-meta` was asked for; nil otherwise (no filtering).
    private static func nodeMeta(_ context: ConsulContext) throws -> [String: [String: String]]? {
        guard !context.nodeMetaFilters.isEmpty else { return nil }
        var meta: [String: [String: String]] = [:]
        for node in try context.store.nodes().value { meta[node.value.name] = node.value.meta }
        return meta
    }
}
