import HTTP
import Registry
import Store

/// The answer of `/v1/txn` (consul-api.md §2.5): 200 `{"Results":[...],"Errors":null}` when
/// every operation applied, 409 `{"Results":null,"Errors":[{"OpIndex","What"}]}` when the
/// transaction rolled back. Go writes an empty result list as `null`, and so does this. Catalog
/// items have the catalog endpoints' shapes.
enum TxnJSON {
    static func response(_ outcome: TxnOutcome, datacenter: String, pretty: Bool) -> HTTPResponse {
        switch outcome {
        case .results(let results):
            let body = JSON.object([
                ("Results", results.isEmpty ? .null : .array(results.map { result($0, datacenter: datacenter) })),
                ("Errors", .null),
            ])
            return .json(.ok, body.encoded(pretty: pretty))
        case .errors(let errors):
            assert(!errors.isEmpty, "a rolled-back transaction names what failed")
            let body = JSON.object([
                ("Results", .null),
                ("Errors", .array(errors.map { .object([("OpIndex", .int(Int64($0.opIndex))), ("What", .string($0.what))]) })),
            ])
            return .json(.conflict, body.encoded(pretty: pretty))
        }
    }

    /// `{"KV": DirEntry}`, `{"Node": ...}`, `{"Service": ...}` or `{"Check": ...}`.
    static func result(_ result: TxnResult, datacenter: String) -> JSON {
        switch result {
        case .kv(let entry): .object([("KV", KVJSON.entry(entry))])
        case .node(let node): .object([("Node", CatalogJSON.node(node, datacenter: datacenter))])
        case .service(let service): .object([("Service", CatalogJSON.nodeService(service))])
        case .check(let check): .object([("Check", CatalogJSON.healthCheck(check))])
        }
    }
}
