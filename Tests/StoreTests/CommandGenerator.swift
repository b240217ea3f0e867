// A seeded generator of mixed commands over a small world of names, so that commands collide (same nodes, keys, sessions) and refusals, CAS misses and invalidations all happen.
import Registry

struct CommandGenerator {
    private var random: SplitMix64
    /// The leader's clock: moves forward by a few hundred milliseconds per command.
    private(set) var nowMilliseconds: UInt64 = 1_000_000
    private let nodes = ["n0", "n1", "n2"]
    private let serviceIDs = ["web-1", "web-2", "db-1", "api"]
    private let checkIDs = ["serfHealth", "c1", "c2"]
    private let keys = ["a", "a/1", "a/2", "a/b/1", "b", "b/1", "c/x"]
    private let sessions = ["s0", "s1", "s2", "s3"]

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// The next command, with the leader time to apply it at.
    mutating func next(index: UInt64) -> (Command, UInt64) {
        nowMilliseconds += UInt64(random.below(3_000))
        let command: Command
        switch random.below(16) {
        case 0, 1: command = .catalogRegister(registration())
        case 2: command = .catalogDeregister(deregistration())
        case 3: command = .serviceRegister(ServiceRegistration(
            node: random.pick(nodes), service: service(), checks: [], replaceExistingChecks: random.below(2) == 0))
        case 4: command = .serviceDeregister(node: random.pick(nodes), serviceID: random.pick(serviceIDs))
        case 5: command = .checkRegister(check(on: random.pick(nodes)))
        case 6: command = .checkDeregister(node: random.pick(nodes), checkID: random.pick(checkIDs))
        case 7: command = .checkUpdate(CheckUpdate(
            node: random.pick(nodes), checkID: random.pick(checkIDs), status: status(), output: "out \(random.below(5))"))
        case 8: command = .ttlExpired(TTLExpiry(node: random.pick(nodes), checkID: random.pick(checkIDs), output: "TTL expired"))
        case 9, 10, 11: command = .kv(kvOperation(index: index))
        case 12: command = .sessionCreate(session(), nowMilliseconds: nowMilliseconds)
        case 13: command = random.below(3) == 0
            ? .sessionRenew(id: random.pick(sessions), nowMilliseconds: nowMilliseconds)
            : .sessionDestroy(id: random.pick(sessions))
        case 14: command = .txn((0...random.below(4)).map { _ in txnOperation(index: index) })
        default: command = .eventFire(UserEvent(id: "e\(index)", name: random.pick(["deploy", "restart"]), payload: [UInt8(index & 0xFF)]))
        }
        return (command, nowMilliseconds)
    }

    private mutating func registration() -> CatalogRegistration {
        let node = random.pick(nodes)
        let withService = random.below(2) == 0
        let service = withService ? self.service() : nil
        let checks = (0..<random.below(3)).map { _ in check(on: node, serviceID: service?.id) }
        return CatalogRegistration(
            node: Node(name: node, address: "10.0.0.\(random.below(3))", meta: random.below(2) == 0 ? [:] : ["zone": "z\(random.below(2))"]),
            service: service, checks: checks, skipNodeUpdate: random.below(5) == 0)
    }

    private mutating func deregistration() -> CatalogDeregistration {
        let node = random.pick(nodes)
        switch random.below(4) {
        case 0: return CatalogDeregistration(node: node)
        case 1: return CatalogDeregistration(node: node, checkID: random.pick(checkIDs))
        default: return CatalogDeregistration(node: node, serviceID: random.pick(serviceIDs))
        }
    }

    private mutating func service() -> Service {
        let id = random.pick(serviceIDs)
        let name = String(id.split(separator: "-")[0])
        return Service(id: id, name: name, tags: (0..<random.below(3)).map { _ in random.pick(["v1", "v2", "blue"]) }, port: 8000 + random.below(3))
    }

    private mutating func check(on node: String, serviceID: String? = nil) -> Check {
        let ttl = random.below(3) != 0
        let definition = ttl
            ? CheckDefinition(ttlNanoseconds: 10_000_000_000, outputMaxSize: 8)
            : CheckDefinition(http: "http://x/health", header: ["A": ["1"]], intervalNanoseconds: 5_000_000_000)
        let owner = serviceID ?? (random.below(3) == 0 ? random.pick(serviceIDs) : "")
        return Check(node: node, checkID: random.pick(checkIDs), name: "check", status: status(), serviceID: owner, definition: definition)
    }

    private mutating func status() -> HealthStatus {
        random.pick([.passing, .passing, .warning, .critical])
    }

    private mutating func session() -> Session {
        Session(
            id: random.pick(sessions), node: random.pick(nodes), nodeChecks: random.below(2) == 0 ? [] : [random.pick(checkIDs)],
            lockDelayNanoseconds: Int64(random.below(3)) * 1_000_000_000, behavior: random.pick([.release, .delete]),
            ttlNanoseconds: random.below(2) == 0 ? nil : 15_000_000_000)
    }

    private mutating func entry() -> KVEntry {
        KVEntry(key: random.pick(keys), flags: UInt64(random.below(3)), value: Array("v\(random.below(4))".utf8))
    }

    /// A CAS index that sometimes matches: 0, or an index near the current one.
    private mutating func casIndex(_ index: UInt64) -> UInt64 {
        random.below(3) == 0 ? 0 : index - UInt64(random.below(Int(min(index, 30))))
    }

    private mutating func kvOperation(index: UInt64) -> KVOperation {
        switch random.below(8) {
        case 0, 1: return .set(entry())
        case 2: return .cas(entry(), index: casIndex(index))
        case 3: return .lock(entry(), session: random.pick(sessions))
        case 4: return .unlock(entry(), session: random.pick(sessions))
        case 5: return .delete(key: random.pick(keys))
        case 6: return .deleteCAS(key: random.pick(keys), index: casIndex(index))
        default: return .deleteTree(prefix: random.pick(["a/", "b", "", "c/"]))
        }
    }

    private mutating func txnOperation(index: UInt64) -> TxnOperation {
        switch random.below(6) {
        case 0: return .node(TxnNodeOperation(verb: random.pick(TxnCatalogVerb.allCases), node: Node(name: random.pick(nodes), address: "10.1.0.1"), index: casIndex(index)))
        case 1: return .service(TxnServiceOperation(verb: random.pick(TxnCatalogVerb.allCases), node: random.pick(nodes), service: service(), index: casIndex(index)))
        case 2: return .check(TxnCheckOperation(verb: random.pick(TxnCatalogVerb.allCases), check: check(on: random.pick(nodes)), index: casIndex(index)))
        default:
            return .kv(TxnKVOperation(
                verb: random.pick(TxnKVVerb.allCases), entry: entry(), index: casIndex(index),
                session: random.below(4) == 0 ? nil : random.pick(sessions)))
        }
    }
}
