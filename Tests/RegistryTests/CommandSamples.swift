// Test support: commands of every case with awkward data (unicode, empty and large values, extreme integers, nil and present optionals).
import Registry

enum CommandSamples {
    static let unicode = "サービス-🚀-Ünïcödé-\u{0}-e\u{301}"
    static let long = String(repeating: "long-text/", count: 2_000)
    static let allBytes: [UInt8] = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) }

    static let node = Node(
        id: "0B9C1B6E-2D6F-4A1E-9C3E-5F7A8B9C0D1E", name: "node-1", address: "10.0.0.1", datacenter: "dc1",
        taggedAddresses: ["lan": "10.0.0.1", "wan": "203.0.113.9", "lan_ipv6": "::1"],
        meta: ["rack": "r1", "zone": unicode, "": "", "z": long])
    static let bareNode = Node(name: "", address: "")

    static let service = Service(
        id: "web-1", name: "web", tags: ["primary", "", unicode, "primary"], address: "10.0.0.2",
        taggedAddresses: ["lan": ServiceAddress(address: "10.0.0.2", port: 8080), "wan": ServiceAddress(address: "", port: Int.min)],
        meta: ["version": "1.2.3", unicode: unicode], port: Int.max, weights: Weights(passing: 10, warning: -1),
        enableTagOverride: true, kind: "connect-proxy")
    static let bareService = Service(id: "", name: "")

    static let fullDefinition = CheckDefinition(
        http: "https://web:8443/health", header: ["X-A": ["1", "2"], "X-Empty": [], "Üñ": [unicode]],
        method: "POST", body: long, tlsServerName: "web.local", tlsSkipVerify: true, tcp: "web:80", tcpUseTLS: true,
        udp: "web:53", grpc: "web:9090/svc", grpcUseTLS: true, h2ping: "web:443", h2pingUseTLS: true,
        args: ["/bin/check", "--flag", ""], aliasNode: "node-2", aliasService: "db",
        ttlNanoseconds: Int64.max, intervalNanoseconds: Int64.min, timeoutNanoseconds: 0,
        deregisterCriticalServiceAfterNanoseconds: -1, successBeforePassing: Int.min, failuresBeforeWarning: -1,
        failuresBeforeCritical: Int.max, outputMaxSize: 0)

    static let check = Check(
        node: "node-1", checkID: "service:web-1", name: "Service 'web' check", status: .warning,
        notes: unicode, output: long, serviceID: "web-1", serviceName: "web", serviceTags: ["primary", unicode],
        definition: fullDefinition, exposedPort: 21500)
    static let bareCheck = Check(node: "", checkID: "", name: "", status: .passing)

    static let entry = KVEntry(key: "config/" + unicode, flags: UInt64.max, value: allBytes, session: "sess-1", lockIndex: UInt64.max)
    static let emptyEntry = KVEntry(key: "", flags: 0, value: [], session: nil, lockIndex: 0)

    static let session = Session(
        id: "adf4238a-882b-9ddc-4a9d-5b6758e4159e", name: unicode, node: "node-1", nodeChecks: ["serfHealth", ""],
        serviceChecks: [ServiceCheckRef(id: "service:web-1"), ServiceCheckRef(id: "x", namespace: "ns")],
        lockDelayNanoseconds: Int64.min, behavior: .delete, ttlNanoseconds: Int64.max)
    static let bareSession = Session(id: "", node: "", nodeChecks: [], lockDelayNanoseconds: 0, ttlNanoseconds: nil)

    static let kvOperations: [KVOperation] = [
        .set(entry), .set(emptyEntry), .cas(entry, index: 0), .cas(emptyEntry, index: UInt64.max),
        .lock(entry, session: "sess-1"), .unlock(emptyEntry, session: ""), .delete(key: unicode),
        .deleteCAS(key: "k", index: 42), .deleteTree(prefix: ""),
    ]

    static let txnOperations: [TxnOperation] =
        TxnKVVerb.allCases.enumerated().map { position, verb in
            .kv(TxnKVOperation(verb: verb, entry: position.isMultiple(of: 2) ? entry : emptyEntry,
                               index: UInt64(position) << 60, session: position.isMultiple(of: 3) ? nil : "s\(position)"))
        }
        + TxnCatalogVerb.allCases.flatMap { verb in
            [
                TxnOperation.node(TxnNodeOperation(verb: verb, node: node, index: 7)),
                .service(TxnServiceOperation(verb: verb, node: "node-1", service: service, index: UInt64.max)),
                .check(TxnCheckOperation(verb: verb, check: check, index: 0)),
            ]
        }

    /// Samples of one case; the switch is exhaustive, so a new tag does not compile until it
    /// has samples here.
    static func samples(of tag: Command.Tag) -> [Command] {
        switch tag {
        case .catalogRegister:
            [
                .catalogRegister(CatalogRegistration(node: node, service: service, checks: [check, bareCheck], skipNodeUpdate: true)),
                .catalogRegister(CatalogRegistration(node: bareNode)),
            ]
        case .catalogDeregister:
            [
                .catalogDeregister(CatalogDeregistration(node: "node-1", serviceID: "web-1", checkID: "")),
                .catalogDeregister(CatalogDeregistration(node: unicode)),
            ]
        case .serviceRegister:
            [
                .serviceRegister(ServiceRegistration(node: "node-1", service: service, checks: [check], replaceExistingChecks: true)),
                .serviceRegister(ServiceRegistration(node: "", service: bareService)),
            ]
        case .serviceDeregister:
            [.serviceDeregister(node: "node-1", serviceID: unicode), .serviceDeregister(node: "", serviceID: "")]
        case .checkRegister:
            [.checkRegister(check), .checkRegister(bareCheck)]
        case .checkDeregister:
            [.checkDeregister(node: "node-1", checkID: "service:web-1"), .checkDeregister(node: "", checkID: "")]
        case .checkUpdate:
            HealthStatus.allCases.map { .checkUpdate(CheckUpdate(node: "node-1", checkID: unicode, status: $0, output: long)) }
        case .kv:
            kvOperations.map(Command.kv)
        case .sessionCreate:
            [.sessionCreate(session, nowMilliseconds: UInt64.max), .sessionCreate(bareSession, nowMilliseconds: 0)]
        case .sessionDestroy:
            [.sessionDestroy(id: session.id), .sessionDestroy(id: "")]
        case .sessionRenew:
            [.sessionRenew(id: session.id, nowMilliseconds: 1_700_000_000_123), .sessionRenew(id: "", nowMilliseconds: 0)]
        case .txn:
            [.txn(txnOperations), .txn([])]
        case .eventFire:
            [
                .eventFire(UserEvent(id: "e1", name: "deploy", payload: allBytes, nodeFilter: "node-.*",
                                     serviceFilter: "web", tagFilter: unicode, ltime: UInt64.max)),
                .eventFire(UserEvent(id: "", name: "")),
            ]
        case .ttlExpired:
            [
                .ttlExpired(TTLExpiry(node: "node-1", checkID: "service:web-1", output: "TTL expired (last output before timeout follows): " + unicode)),
                .ttlExpired(TTLExpiry(node: "", checkID: "", output: "")),
            ]
        case .configPut:
            [
                .configPut(ServiceConfigUpdate(serviceName: "web", environment: "production", config: #"{"pool":{"max":"10"},"name":""# + unicode + #""}"#)),
                .configPut(ServiceConfigUpdate(serviceName: "", environment: "", config: "")),
            ]
        case .configDelete:
            [.configDelete(serviceName: "web"), .configDelete(serviceName: unicode)]
        case .leaseGrant:
            [
                .leaseGrant(LeaseGrant(leaseID: "6f1c2a9e-0000-4000-8000-000000000001", serviceName: "web", ttlMilliseconds: 30_000)),
                .leaseGrant(LeaseGrant(leaseID: "", serviceName: "", ttlMilliseconds: UInt64.max)),
            ]
        case .leaseRelease:
            [.leaseRelease(leaseID: "6f1c2a9e-0000-4000-8000-000000000001", serviceName: "web", serviceID: "web-1"),
             .leaseRelease(leaseID: "", serviceName: "", serviceID: "")]
        case .checkResult:
            [
                .checkResult(CheckUpdate(node: "node-1", checkID: "service:web-1", status: .warning, output: "HTTP GET http://10.0.0.1/: 429 Too Many Requests Output: " + unicode)),
                .checkResult(CheckUpdate(node: "", checkID: "", status: .critical)),
            ]
        case .nodeLiveness:
            [
                .nodeLiveness(NodeLiveness(node: "server-1", status: .passing, output: NodeLiveness.takenOverOutput(by: "server-2") + unicode, owner: "server-2")),
                .nodeLiveness(NodeLiveness(node: "", status: .critical, output: "", owner: "")),
            ]
        }
    }

    /// Every sample of every case.
    static var all: [Command] {
        Command.Tag.allCases.flatMap(samples(of:))
    }
}
