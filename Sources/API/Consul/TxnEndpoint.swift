import HTTP
import Registry
import Store

/// `PUT /v1/txn`: KV and catalog operations applied all together or not at all (consul-api.md
/// §2.5; hashicorp/consul agent/txn_endpoint.go).
///
/// Every transaction goes through the log, read-only ones included. Consul answers read-only
/// transactions like reads, without Raft; proposing them too costs a log entry but keeps a single
/// code path for the operations' semantics (the store's) and makes such reads linearizable.
enum TxnEndpoint {
    /// Consul's `txn_max_req_len` default, the same 512 KiB as `kv_max_value_size`.
    static let maxBodyBytes = RegistryLimits.maxKVValueBytes

    static func register(in router: inout Router<ConsulAPI.Handler>) {
        router.add("PUT", "/v1/txn", txn)
    }

    static func txn(_ context: ConsulContext) throws -> Reply {
        let size = context.request.body.count
        guard size <= maxBodyBytes else {
            throw APIError(.payloadTooLarge, "Request body(\(size) bytes) too large, max size: \(maxBodyBytes) bytes")
        }
        let operations = try TxnRequestDecoder.decode(context.request.body)
        let datacenter = context.node.identity.datacenter
        let pretty = context.options.pretty
        let readOnly = !operations.contains(where: \.isWrite)
        let store = context.store
        return context.write(.txn(operations)) { result in
            guard case .txn(let outcome) = result else { preconditionFailure("a txn answered \(result)") }
            var response = TxnJSON.response(outcome, datacenter: datacenter, pretty: pretty)
            // Consul answers a read-only transaction as a read, with the query headers.
            if readOnly { context.addQueryMeta(to: &response, index: store.appliedIndex) }
            return response
        }
    }
}
