import Registry

/// The instances of each service name, and the service names on each node, in memory: the
/// index of `services` by name that migration 6 took off the disk (StateSchema+NameIndex.swift
/// says why).
///
/// It mirrors the `services` table inside the store's transactions: `StateWriter` changes it
/// with every row it inserts, renames or deletes, and `StateStore` undoes those changes when it
/// rolls back a command's savepoint or a whole batch (`mark`, `undo(to:)`), and forgets them
/// when the batch commits. It is rebuilt from the table when the store opens and after a
/// restore. Used on the store's thread only.
final class ServiceNameIndex {
    /// An instance: its node and service ID (the primary key of `services`).
    struct Instance: Hashable {
        let node: String
        let id: String
        /// Hashed once, when made. A set that grows rehashes every member, and with hashes
        /// recomputed from both strings that was the cost of a stall: under registrations spread
        /// evenly over 1,000 names, all 1,000 sets grew at the same moment, every server spent
        /// 100-300 ms in Swift's string hashing at once, and the cluster answered nothing
        /// meanwhile (perf: Hasher.combine(bytes:) under Set.resize, at 8, 17 and 35 s).
        private let hash: Int

        init(node: String, id: String) {
            self.node = node
            self.id = id
            var hasher = Hasher()
            hasher.combine(node)
            hasher.combine(id)
            hash = hasher.finalize()
        }

        static func == (a: Instance, b: Instance) -> Bool {
            a.hash == b.hash && a.node == b.node && a.id == b.id
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }
    }

    private var instancesByName: [String: Set<Instance>] = [:]
    /// For each node, how many of its instances each service name has.
    private var namesByNode: [String: [String: Int]] = [:]
    /// The changes of the open transaction, oldest first: (name, instance, added).
    private var journal: [(name: String, instance: Instance, added: Bool)] = []

    /// Replaces the contents with the rows of `services`.
    func rebuild(from db: SQLiteConnection) throws(StoreError) {
        precondition(journal.isEmpty, "rebuild inside a transaction")
        instancesByName = [:]
        namesByNode = [:]
        let rows = try db.select("SELECT name, node, id FROM services") { (row) throws(StoreError) in
            (row.text(), Instance(node: row.text(), id: row.text()))
        }
        for (name, instance) in rows { apply(name, instance, added: true) }
    }

    func add(name: String, node: String, id: String) {
        let instance = Instance(node: node, id: id)
        journal.append((name, instance, true))
        apply(name, instance, added: true)
    }

    func remove(name: String, node: String, id: String) {
        let instance = Instance(node: node, id: id)
        journal.append((name, instance, false))
        apply(name, instance, added: false)
    }

    /// The instances of `name`, by node then service ID in byte order (SQLite's BINARY order).
    func instances(named name: String) -> [Instance] {
        (instancesByName[name] ?? []).sorted { a, b in
            a.node == b.node ? utf8Precedes(a.id, b.id) : utf8Precedes(a.node, b.node)
        }
    }

    func hasInstances(named name: String) -> Bool {
        instancesByName[name] != nil
    }

    /// The distinct service names with an instance on `node`, in byte order.
    func names(onNode node: String) -> [String] {
        (namesByNode[node] ?? [:]).keysInByteOrder
    }

    /// Every (name, node, ID), sorted: for tests that compare it with the table.
    var entries: [String] {
        instancesByName.flatMap { name, instances in instances.map { "\(name)|\($0.node)|\($0.id)" } }.sorted(by: utf8Precedes)
    }

    // MARK: Transactions

    /// Where the open transaction's changes stand now; `undo(to:)` returns to it.
    var mark: Int { journal.count }

    /// Reverts the changes made since `mark`, newest first (a savepoint or batch rolled back).
    func undo(to mark: Int) {
        while journal.count > mark {
            let change = journal.removeLast()
            apply(change.name, change.instance, added: !change.added)
        }
    }

    /// The transaction committed: its changes stay.
    func commit() {
        journal.removeAll(keepingCapacity: true)
    }

    private func apply(_ name: String, _ instance: Instance, added: Bool) {
        if added {
            let inserted = instancesByName[name, default: []].insert(instance).inserted
            assert(inserted, "instance \(instance) of \(name) indexed twice")
            namesByNode[instance.node, default: [:]][name, default: 0] += 1
            return
        }
        let removed = instancesByName[name]?.remove(instance)
        assert(removed != nil, "instance \(instance) of \(name) is not indexed")
        if instancesByName[name]?.isEmpty == true { instancesByName[name] = nil }
        let count = (namesByNode[instance.node]?[name] ?? 0) - 1
        if count > 0 {
            namesByNode[instance.node]?[name] = count
        } else {
            namesByNode[instance.node]?[name] = nil
            if namesByNode[instance.node]?.isEmpty == true { namesByNode[instance.node] = nil }
        }
    }
}
