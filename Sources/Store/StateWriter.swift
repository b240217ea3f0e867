import Registry

/// Applies one command inside apply's transaction: the effects on the tables, the answer, and
/// the watch keys of what changed (whose `index_table` rows `PendingIndexes` then bumps).
///
/// Handlers return refusals as values; the caller undoes what a refused command wrote, so a
/// handler may refuse after it has written. Storage failures are
/// thrown and stop the node (DESIGN.md §7). A value type used for one command, on the thread
/// that owns the connection.
struct StateWriter {
    let db: SQLiteConnection
    /// The in-memory index of `services` by name, changed with every row of it written.
    let names: ServiceNameIndex
    /// The Raft index of the command: every row it writes gets it as `modify_index`.
    let index: UInt64
    /// The leader's time for this command, if known (see `IndexedCommand`); lock-delay needs it.
    let nowMilliseconds: UInt64?
    /// What the command changed so far.
    private(set) var touched: Set<WatchKey> = []
    /// The checks it wrote or deleted so far.
    var changedChecks: Set<CheckRef> = []
    /// The names the command left a row of: `.node(name)` for a node it wrote, `.service(name)`
    /// for a name it wrote an instance of (until it deletes a node or an instance of that name).
    /// `PendingIndexes` need not ask whether these still exist.
    private(set) var written: Set<WatchKey> = []

    init(db: SQLiteConnection, names: ServiceNameIndex, index: UInt64, nowMilliseconds: UInt64?) {
        precondition(index >= 1, "Raft indexes start at 1")
        self.db = db
        self.names = names
        self.index = index
        self.nowMilliseconds = nowMilliseconds
    }

    var read: StateReader { StateReader(db: db, names: names) }

    mutating func touch(_ keys: WatchKey...) {
        touched.formUnion(keys)
    }

    /// Records that a row of `key`'s node or service name was written (`exists`) or removed.
    mutating func wrote(_ key: WatchKey, exists: Bool) {
        if exists { written.insert(key) } else { written.remove(key) }
    }

    /// Applies `command`; one small function per case.
    mutating func apply(_ command: Command) throws(StoreError) -> ApplyResult {
        switch command {
        case .catalogRegister(let registration): try catalogRegister(registration)
        case .catalogDeregister(let deregistration): try catalogDeregister(deregistration)
        case .serviceRegister(let registration): try serviceRegister(registration)
        case .serviceDeregister(let node, let serviceID): try serviceDeregister(node: node, serviceID: serviceID)
        case .checkRegister(let check): try checkRegister(check)
        case .checkDeregister(let node, let checkID): try checkDeregister(node: node, checkID: checkID)
        case .checkUpdate(let update): try checkUpdate(update)
        case .kv(let operation): try kv(operation)
        case .sessionCreate(let session, let now): try sessionCreate(session, nowMilliseconds: now)
        case .sessionDestroy(let id): try sessionDestroy(id: id)
        case .sessionRenew(let id, let now): try sessionRenew(id: id, nowMilliseconds: now)
        case .txn(let operations): try txn(operations)
        case .eventFire(let event): try eventFire(event)
        case .ttlExpired(let expiry): try ttlExpired(expiry)
        case .configPut(let update): try configPut(update)
        case .configDelete(let serviceName): try configDelete(serviceName: serviceName)
        case .leaseGrant(let grant): try leaseGrant(grant)
        case .leaseRelease(let leaseID, let serviceName, let serviceID):
            try leaseRelease(leaseID: leaseID, serviceName: serviceName, serviceID: serviceID)
        case .checkResult(let update): try checkResult(update)
        case .nodeLiveness(let liveness): try nodeLiveness(liveness)
        }
    }

    /// The keys the command touched, in order; `PendingIndexes` bumps their `index_table` rows
    /// when the batch ends.
    var touchedKeys: [WatchKey] { touched.sorted() }

    // MARK: Events

    /// Appends the event and keeps the newest `StoreLimits.maxUserEvents`.
    mutating func eventFire(_ event: UserEvent) throws(StoreError) -> ApplyResult {
        try db.run("INSERT INTO events(\(EventRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", EventRow.values(event, index))
        try db.run(
            """
            DELETE FROM events WHERE create_index NOT IN
            (SELECT create_index FROM events ORDER BY create_index DESC LIMIT ?)
            """, [.int(StoreLimits.maxUserEvents)])
        touch(.events)
        return .done
    }
}
