// Every replicated write is a Command (DESIGN.md §7). A command is proposed by the leader,
// stored in the Raft log as `encode()`'s bytes, and applied on every replica by
// `StateStore.apply(command, at: index)`. Whatever would differ between replicas (session IDs,
// times, TTL decisions) is decided by the leader and written into the command.
//
// Tags are append-only, like Consul's FSM message types (agent/consul/fsm/commands_ce.go): a
// tag number is never reused or renumbered, a case is never removed, and a case's encoded fields
// never change meaning. A new field means a new case or a new codec version. A replica that
// reads a tag it does not know stops rather than skip it: a replica that cannot apply must not
// vote. CommandTagTests pins every number below.
//
//   tag  case               payload
//   ---  -----------------  ------------------------------------------------------------
//     1  catalogRegister    CatalogRegistration
//     2  catalogDeregister  CatalogDeregistration
//     3  serviceRegister    ServiceRegistration
//     4  serviceDeregister  node, serviceID
//     5  checkRegister      Check
//     6  checkDeregister    node, checkID
//     7  checkUpdate        CheckUpdate
//     8  kv                 KVOperation
//     9  sessionCreate      Session, nowMilliseconds
//    10  sessionDestroy     id
//    11  sessionRenew       id, nowMilliseconds
//    12  txn                [TxnOperation]
//    13  eventFire          UserEvent
//    14  ttlExpired         TTLExpiry
//    15  configPut          ServiceConfigUpdate
//    16  configDelete       serviceName
//    17  leaseGrant         LeaseGrant
//    18  leaseRelease       leaseID, serviceName, serviceID
//    19  checkResult        CheckUpdate
//    20  nodeLiveness       NodeLiveness

/// A replicated write. Apply depends only on (state, command, index).
public enum Command: Sendable, Equatable {
    /// `PUT /v1/catalog/register`.
    case catalogRegister(CatalogRegistration)
    /// `PUT /v1/catalog/deregister`.
    case catalogDeregister(CatalogDeregistration)
    /// `PUT /v1/agent/service/register`, synced to the catalog.
    case serviceRegister(ServiceRegistration)
    /// `PUT /v1/agent/service/deregister/:id`: the instance and its checks go.
    case serviceDeregister(node: String, serviceID: String)
    /// `PUT /v1/agent/check/register`.
    case checkRegister(Check)
    /// `PUT /v1/agent/check/deregister/:id`.
    case checkDeregister(node: String, checkID: String)
    /// A check's status or output changed.
    case checkUpdate(CheckUpdate)
    /// A KV write.
    case kv(KVOperation)
    /// `PUT /v1/session/create`; the leader chose `session.id`, and `nowMilliseconds` (its wall
    /// clock, Unix milliseconds) starts the TTL.
    case sessionCreate(Session, nowMilliseconds: UInt64)
    /// `PUT /v1/session/destroy/:id`, or an invalidation the leader decided.
    case sessionDestroy(id: String)
    /// `PUT /v1/session/renew/:id` at the leader's `nowMilliseconds`.
    case sessionRenew(id: String, nowMilliseconds: UInt64)
    /// `PUT /v1/txn` with at least one write: all operations apply or none.
    case txn([TxnOperation])
    /// `PUT /v1/event/fire/:name`; the leader chose the event's ID and LTime.
    case eventFire(UserEvent)
    /// The leader decided a TTL check lapsed.
    case ttlExpired(TTLExpiry)
    /// 8761 `PUT /api/v1/config/{name}`: a new configuration version.
    case configPut(ServiceConfigUpdate)
    /// 8761 `DELETE /api/v1/config/{name}`: the configuration and its kept versions go.
    case configDelete(serviceName: String)
    /// 8761 least-connections pick.
    case leaseGrant(LeaseGrant)
    /// 8761 `POST .../release`: the lease stops counting.
    case leaseRelease(leaseID: String, serviceName: String, serviceID: String)
    /// The owner of a probed check (HTTP, TCP, ...) decided a new status or output.
    case checkResult(CheckUpdate)
    /// The leader decided a server node's liveness and which server runs its checks.
    case nodeLiveness(NodeLiveness)

    /// The append-only wire number of each case. Never renumber, never reuse.
    public enum Tag: UInt16, Sendable, Equatable, CaseIterable {
        /// The tag of `Command.catalogRegister`.
        case catalogRegister = 1
        /// The tag of `Command.catalogDeregister`.
        case catalogDeregister = 2
        /// The tag of `Command.serviceRegister`.
        case serviceRegister = 3
        /// The tag of `Command.serviceDeregister`.
        case serviceDeregister = 4
        /// The tag of `Command.checkRegister`.
        case checkRegister = 5
        /// The tag of `Command.checkDeregister`.
        case checkDeregister = 6
        /// The tag of `Command.checkUpdate`.
        case checkUpdate = 7
        /// The tag of `Command.kv`.
        case kv = 8
        /// The tag of `Command.sessionCreate`.
        case sessionCreate = 9
        /// The tag of `Command.sessionDestroy`.
        case sessionDestroy = 10
        /// The tag of `Command.sessionRenew`.
        case sessionRenew = 11
        /// The tag of `Command.txn`.
        case txn = 12
        /// The tag of `Command.eventFire`.
        case eventFire = 13
        /// The tag of `Command.ttlExpired`.
        case ttlExpired = 14
        /// The tag of `Command.configPut`.
        case configPut = 15
        /// The tag of `Command.configDelete`.
        case configDelete = 16
        /// The tag of `Command.leaseGrant`.
        case leaseGrant = 17
        /// The tag of `Command.leaseRelease`.
        case leaseRelease = 18
        /// The tag of `Command.checkResult`.
        case checkResult = 19
        /// The tag of `Command.nodeLiveness`.
        case nodeLiveness = 20
    }

    /// This command's tag.
    public var tag: Tag {
        switch self {
        case .catalogRegister: .catalogRegister
        case .catalogDeregister: .catalogDeregister
        case .serviceRegister: .serviceRegister
        case .serviceDeregister: .serviceDeregister
        case .checkRegister: .checkRegister
        case .checkDeregister: .checkDeregister
        case .checkUpdate: .checkUpdate
        case .kv: .kv
        case .sessionCreate: .sessionCreate
        case .sessionDestroy: .sessionDestroy
        case .sessionRenew: .sessionRenew
        case .txn: .txn
        case .eventFire: .eventFire
        case .ttlExpired: .ttlExpired
        case .configPut: .configPut
        case .configDelete: .configDelete
        case .leaseGrant: .leaseGrant
        case .leaseRelease: .leaseRelease
        case .checkResult: .checkResult
        case .nodeLiveness: .nodeLiveness
        }
    }
}
