import Registry

/// Reads the seed design's `ServiceRegistration` body (its "Registration Data Model"): exact
/// snake_case keys, unknown keys ignored (as pydantic does), every wrong or missing field a
/// `validation_error` that names it. The result is the same agent registration the Consul API
/// makes, on this node, so the instance is one catalog entry seen by both APIs.
enum RegistrationDecoder {
    static func registration(_ body: JSON, node: String) throws(DiscoveryError) -> ServiceRegistration {
        let fields = try Fields(body, path: "")
        let name = try fields.requiredString("service_name")
        do throws(ValidationError) { try ServiceConfigUpdate.validateServiceName(name) } catch { throw error.discoveryError }
        let id = try fields.requiredString("service_id")
        guard !id.isEmpty, id.utf8.count <= 256, !id.contains("/") else {
            throw .invalid("service_id", "service_id must be 1 to 256 bytes without '/'")
        }
        let address = try fields.requiredString("address")
        guard !address.isEmpty else { throw .invalid("address", "address must not be empty") }
        guard let port = try fields.integer("port") else { throw .invalid("port", "port is required") }
        guard (1...65535).contains(port) else { throw .invalid("port", "port must be between 1 and 65535, got \(port)") }
        let service = Service(
            id: id, name: name, tags: try fields.strings("tags") ?? [], address: address,
            meta: try fields.stringMap("metadata") ?? [:], port: Int(port),
            enableTagOverride: try fields.bool("enable_tag_override") ?? false)
        do throws(ValidationError) { try service.validate() } catch {
            throw .invalid(error.field == "Meta" ? "metadata" : error.field.lowercased(), error.message)
        }
        var checks: [Check] = []
        if let check = fields["health_check"], check != .null {
            checks.append(try healthCheck(check, service: service, node: node))
        }
        let registration = ServiceRegistration(node: node, service: service, checks: checks, replaceExistingChecks: true)
        do throws(ValidationError) { try registration.validate() } catch { throw error.discoveryError }
        return registration
    }

    /// `HealthCheckConfig` as a Consul check with ID `service:<id>`, starting passing (the
    /// seed's state diagram: registered means passing until a check says otherwise).
    private static func healthCheck(_ json: JSON, service: Service, node: String) throws(DiscoveryError) -> Check {
        let fields = try Fields(json, path: "health_check.")
        let type = try fields.requiredString("type")
        let url = try fields.string("url") ?? ""
        let interval = try fields.duration("interval") ?? 10_000_000_000
        let timeout = try fields.duration("timeout") ?? 5_000_000_000
        let deregisterAfter = try fields.duration("deregister_critical_service_after") ?? 30_000_000_000
        // The seed's states: the first failure is a warning (still in the pool), the second
        // critical (out of it). The optional damping fields override that.
        var definition = CheckDefinition(
            intervalNanoseconds: interval, timeoutNanoseconds: timeout,
            deregisterCriticalServiceAfterNanoseconds: deregisterAfter,
            successBeforePassing: Int(try fields.count("success_before_passing") ?? 0),
            failuresBeforeWarning: Int(try fields.count("failures_before_warning") ?? 1),
            failuresBeforeCritical: Int(try fields.count("failures_before_critical") ?? 2))
        switch type {
        case "http":
            guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
                throw .invalid("health_check.url", "an http check needs a url starting with http:// or https://")
            }
            definition.http = url
        case "tcp":
            let target = url.hasPrefix("tcp://") ? String(url.dropFirst(6)) : url
            guard target.contains(":"), !target.hasSuffix(":") else {
                throw .invalid("health_check.url", "a tcp check needs a url of the form host:port")
            }
            definition.tcp = target
        case "grpc":
            let target = url.hasPrefix("grpc://") ? String(url.dropFirst(7)) : url
            guard target.contains(":") else {
                throw .invalid("health_check.url", "a grpc check needs a url of the form host:port[/service]")
            }
            definition.grpc = target
        case "ttl":
            // The seed's TTL service heartbeats every `interval`; the check lapses after it.
            definition.ttlNanoseconds = try fields.duration("ttl") ?? interval
            definition.intervalNanoseconds = nil
            definition.timeoutNanoseconds = nil
        case "script":
            throw .invalid("health_check.type", "script checks are disabled: enable_script_checks is off in this agent's configuration")
        default:
            throw .invalid("health_check.type", "health_check.type must be one of http, tcp, ttl, grpc, script; got \"\(type)\"")
        }
        return Check(
            node: node, checkID: "service:" + service.id, name: "Service '\(service.name)' check", status: .passing,
            serviceID: service.id, serviceName: service.name, serviceTags: service.tags, definition: definition)
    }
}

/// The members of one JSON object, read by exact key with typed accessors whose errors name
/// the field (with `path` in front: "health_check.url").
struct Fields {
    private let members: [(String, JSON)]
    private let path: String

    init(_ json: JSON, path: String) throws(DiscoveryError) {
        guard case .object(let members) = json else {
            throw .invalid(path.isEmpty ? "body" : String(path.dropLast()), "\(path.isEmpty ? "the body" : String(path.dropLast())) must be a JSON object")
        }
        self.members = members
        self.path = path
    }

    subscript(_ key: String) -> JSON? { members.last { $0.0 == key }?.1 }

    func string(_ key: String) throws(DiscoveryError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        default: throw .invalid(path + key, "\(path + key) must be a string")
        }
    }

    func requiredString(_ key: String) throws(DiscoveryError) -> String {
        guard let value = try string(key) else { throw .invalid(path + key, "\(path + key) is required") }
        return value
    }

    func integer(_ key: String) throws(DiscoveryError) -> Int64? {
        switch self[key] {
        case nil, .null?: return nil
        case .int(let value)?: return value
        case .uint(let value)?: return value <= UInt64(Int64.max) ? Int64(value) : Int64.max
        case .double(let value)? where value.rounded() == value && abs(value) < 1e15: return Int64(value)
        default: throw .invalid(path + key, "\(path + key) must be an integer")
        }
    }

    func bool(_ key: String) throws(DiscoveryError) -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let value)?: return value
        default: throw .invalid(path + key, "\(path + key) must be true or false")
        }
    }

    func strings(_ key: String) throws(DiscoveryError) -> [String]? {
        switch self[key] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map { (item) throws(DiscoveryError) -> String in
                guard case .string(let value) = item else { throw .invalid(path + key, "\(path + key) must be a list of strings") }
                return value
            }
        default: throw .invalid(path + key, "\(path + key) must be a list of strings")
        }
    }

    func stringMap(_ key: String) throws(DiscoveryError) -> [String: String]? {
        switch self[key] {
        case nil, .null?: return nil
        case .object(let members)?:
            var map: [String: String] = [:]
            for (name, value) in members {
                guard case .string(let text) = value else { throw .invalid(path + key, "\(path + key).\(name) must be a string") }
                map[name] = text
            }
            return map
        default: throw .invalid(path + key, "\(path + key) must be an object of strings")
        }
    }

    /// A small non-negative integer (damping thresholds).
    func count(_ key: String) throws(DiscoveryError) -> Int64? {
        guard let value = try integer(key) else { return nil }
        guard (0...1000).contains(value) else { throw .invalid(path + key, "\(path + key) must be between 0 and 1000") }
        return value
    }

    /// A Go-style duration ("10s", "1m30s"); negative or malformed is an error naming the field.
    func duration(_ key: String) throws(DiscoveryError) -> Int64? {
        guard let text = try string(key) else { return nil }
        guard let nanoseconds = GoDuration.parseNanoseconds(text), nanoseconds >= 0 else {
            throw .invalid(path + key, "\(path + key) must be a duration such as \"10s\" or \"1m30s\"; got \"\(text)\"")
        }
        return nanoseconds
    }
}
