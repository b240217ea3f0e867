import HTTP
import Registry
import Store

/// `/api/v1/config/{service_name}`: versioned service configuration. Each PUT is a new version
/// (numbered by the state machine, so every node agrees); the last
/// `RegistryLimits.keptConfigVersions` stay readable with `?version=N`. Watchers
/// (`WS /api/v1/config/watch/{name}`) get every version as it is applied.
public enum DiscoveryConfigEndpoint {
    static func register(in router: inout Router<DiscoveryAPI.Handler>) {
        router.add("GET", "/api/v1/config/:name", read)
        router.add("PUT", "/api/v1/config/:name", put)
        router.add("DELETE", "/api/v1/config/:name", delete)
    }

    static func read(_ context: DiscoveryContext) throws -> Reply {
        let name = try serviceName(context)
        var version: UInt64?
        if let text = context.request.queryValue("version") {
            // Versions are SQLite integers: one past Int64.max cannot be stored, so cannot be asked for.
            guard let number = UInt64(text), (1...UInt64(Int64.max)).contains(number) else {
                throw DiscoveryError.invalid("version", "version must be an integer from 1 to \(Int64.max); got \"\(text)\"")
            }
            version = number
        }
        guard let stored = try context.store.serviceConfig(named: name, version: version).value else {
            if let version {
                let kept = try context.store.configVersions(named: name)
                if let first = kept.first, let last = kept.last {
                    throw DiscoveryError.notFound("version \(version) of the configuration of \(name) is not kept; versions \(first) to \(last) are")
                }
            }
            throw DiscoveryError.notFound("no configuration for service \(name)")
        }
        return .response(context.envelope(try json(stored), "configuration version \(stored.version)"))
    }

    /// The body is either the configuration object itself, or `{"config": {...},
    /// "environment": "..."}` (the seed's model); environment defaults to "production".
    static func put(_ context: DiscoveryContext) throws -> Reply {
        let name = try serviceName(context)
        let body = try context.bodyJSON()
        guard case .object(let members) = body else { throw DiscoveryError.invalid("body", "the configuration must be a JSON object") }
        var config = body
        var environment = "production"
        if let wrapped = members.last(where: { $0.0 == "config" })?.1, members.allSatisfy({ ["config", "environment"].contains($0.0) }) {
            guard case .object = wrapped else { throw DiscoveryError.invalid("config", "config must be a JSON object") }
            config = wrapped
            if let value = members.last(where: { $0.0 == "environment" })?.1 {
                guard case .string(let text) = value else { throw DiscoveryError.invalid("environment", "environment must be a string") }
                environment = text
            }
        }
        let update = ServiceConfigUpdate(serviceName: name, environment: environment, config: String(decoding: config.encoded(), as: UTF8.self))
        do throws(ValidationError) { try update.validate() } catch { throw error.discoveryError }
        let store = context.store
        return context.write(.configPut(update)) { result in
            guard case .configVersion(let version) = result,
                  let stored = try? store.serviceConfig(named: name, version: version).value,
                  let data = try? json(stored)
            else {
                return DiscoveryError(.internalServerError, code: "internal_error", "stored, but the configuration could not be read back").response
            }
            return context.envelope(data, "Configuration updated successfully")
        }
    }

    static func delete(_ context: DiscoveryContext) throws -> Reply {
        let name = try serviceName(context)
        return context.write(.configDelete(serviceName: name)) { _ in HTTPResponse(status: .noContent) }
    }

    private static func serviceName(_ context: DiscoveryContext) throws(DiscoveryError) -> String {
        let name = try context.parameter("name")
        do throws(ValidationError) { try ServiceConfigUpdate.validateServiceName(name) } catch { throw error.discoveryError }
        return name
    }

    /// `ServiceConfiguration` of a stored version.
    static func json(_ stored: StoredConfig) throws(DiscoveryError) -> JSON {
        do {
            return DiscoveryJSON.config(stored, try JSONParser.parse(Array(stored.config.utf8)))
        } catch {
            throw DiscoveryError(.internalServerError, code: "internal_error", "stored configuration is not JSON: \(error.message)")
        }
    }

    /// The message a watcher gets: `{"event": "updated", "data": ServiceConfiguration}` for
    /// each applied PUT, `{"event": "deleted", "data": {"service_name": ...}}` for a DELETE, and
    /// `{"event": "current", ...}` once on connect when a configuration exists. Nil when that
    /// version is no longer kept.
    public static func watchMessage(store: StateStore, service: String, version: UInt64?, event: String = "updated") -> [UInt8]? {
        guard let version else {
            return JSON.object([("event", "deleted"), ("data", .object([("service_name", .string(service))]))]).encoded()
        }
        guard let stored = try? store.serviceConfig(named: service, version: version).value, let data = try? json(stored) else { return nil }
        return JSON.object([("event", .string(event)), ("data", data)]).encoded()
    }

    /// The `updated` message of a version built from its command alone.
    public static func watchMessage(_ update: ServiceConfigUpdate, version: UInt64, milliseconds: UInt64) -> [UInt8] {
        let stored = StoredConfig(serviceName: update.serviceName, version: version, environment: update.environment,
                                  config: update.config, createdMilliseconds: milliseconds, updatedMilliseconds: milliseconds)
        let data = (try? json(stored)) ?? .null
        return JSON.object([("event", "updated"), ("data", data)]).encoded()
    }
}
