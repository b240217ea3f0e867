import Registry

// Applying committed commands (DESIGN.md §7): one transaction per batch, recording
// `applied_index` with the effects; a refused command (or a failed transaction) leaves no
// write behind. Storage failures stop the node: a replica that cannot apply must not go on
// answering or voting.

extension StateStore {
    /// Applies one committed command at Raft index `index`; see `apply(_ entries:)`.
    ///
    /// `leaderMilliseconds` is the leader's clock when it proposed the entry, as recorded in
    /// the log entry (never this node's clock). Only lock-delay uses it: releasing a session's
    /// keys starts a lock-delay that ends at leader time + `LockDelay`, and an acquire during it
    /// answers `false`. Without it, no lock-delay is recorded or enforced, because most
    /// `Command` cases carry no time of their own.
    public func apply(_ command: Command, at index: UInt64, leaderMilliseconds: UInt64? = nil) -> ApplyOutcome {
        apply([IndexedCommand(index: index, command: command, leaderMilliseconds: leaderMilliseconds)])[0]
    }

    /// Applies consecutive committed commands, without leader times, in one transaction.
    public func apply(_ commands: [(UInt64, Command)]) -> [ApplyOutcome] {
        apply(commands.map { IndexedCommand(index: $0.0, command: $0.1) })
    }

    /// Applies committed commands in one transaction and returns one outcome per command, in
    /// order.
    ///
    /// Indexes must increase and start above `appliedIndex`; no transaction may be open (both
    /// preconditions). A command that is refused changes nothing: what it wrote is undone.
    /// `applied_index` becomes the index of the last command that
    /// was not refused; a batch in which every command was refused writes nothing at all, not
    /// even `applied_index` (replaying a refusal after a restart refuses it again, since the
    /// state is the same). A storage failure stops the process.
    public func apply(_ entries: [IndexedCommand]) -> [ApplyOutcome] {
        precondition(!entries.isEmpty, "an empty batch")
        precondition(entries[0].index > appliedIndex, "batch at \(entries[0].index) is not after applied index \(appliedIndex)")
        // By position: iterating the entries themselves copied each command (and retained all it
        // holds) on every batch.
        precondition(entries.indices.dropFirst().allSatisfy { entries[$0 - 1].index < entries[$0].index }, "batch indexes must increase")
        precondition(!connection.isInTransaction, "apply must not run inside another transaction")
        // Nearly every batch is refused nothing, or only what is refused before it writes (a
        // CAS that does not match, an unknown ID): those need no savepoint per command, which
        // cost a fifth of a KV write's apply. A command refused after it wrote undoes the batch
        // instead, which then runs again with a savepoint per command.
        if let outcomes = apply(entries, savepoints: false) { return outcomes }
        guard let outcomes = apply(entries, savepoints: true) else { preconditionFailure("savepoints undo every refusal") }
        return outcomes
    }

    /// One transaction for the batch; nil (and nothing written) when a command was refused after
    /// it wrote and there are no `savepoints` to undo just that command.
    private func apply(_ entries: [IndexedCommand], savepoints: Bool) -> [ApplyOutcome]? {
        var outcomes: [ApplyOutcome] = []
        var lastApplied: UInt64?
        var indexes = PendingIndexes()
        // `names` follows the transaction: kept on commit, undone on any rollback.
        defer { names.commit() }
        do throws(BatchStop) {
            try connection.immediateTransaction { () throws(BatchStop) in
                for position in entries.indices {
                    let (outcome, written) = try savepoints ? applyInSavepoint(entries[position]) : applyAlone(entries[position])
                    outcomes.append(outcome)
                    if !outcome.result.isRefusal {
                        lastApplied = entries[position].index
                        indexes.record(outcome.touched, at: entries[position].index, written: written)
                    }
                }
                guard let lastApplied else { throw .nothingApplied }
                do throws(StoreError) { try indexes.flush(read) } catch { throw .storage(error) }
                do throws(SQLiteError) { try writeAppliedIndex(lastApplied) } catch { throw BatchStop(error) }
            }
        } catch {
            names.undo(to: 0)
            switch error {
            case .nothingApplied: break
            case .refusedAfterWriting: return nil
            case .storage(let failure): preconditionFailure("state.db failed while applying: \(failure)")
            }
        }
        if let lastApplied { appliedIndex = lastApplied }
        assert(outcomes.count == entries.count, "one outcome per command")
        assert(lastApplied != nil || outcomes.allSatisfy(\.result.isRefusal), "only all-refused batches record nothing")
        return outcomes
    }

    /// A command without a savepoint of its own: a refusal that wrote nothing needs none.
    private func applyAlone(_ entry: IndexedCommand) throws(BatchStop) -> Applied {
        let before = connection.totalChanges
        let mark = names.mark
        let applied: Applied
        do throws(StoreError) { applied = try applyCommand(entry) } catch { throw .storage(error) }
        if applied.outcome.result.isRefusal, connection.totalChanges != before { throw .refusedAfterWriting }
        assert(!applied.outcome.result.isRefusal || names.mark == mark, "a refusal that wrote no row changed the name index")
        return applied
    }

    private func applyInSavepoint(_ entry: IndexedCommand) throws(BatchStop) -> Applied {
        let mark = names.mark
        do throws(CommandStop) {
            return try connection.transaction { () throws(CommandStop) -> Applied in
                let applied: Applied
                do throws(StoreError) { applied = try applyCommand(entry) } catch { throw .storage(error) }
                if applied.outcome.result.isRefusal { throw .refused(applied.outcome) }
                return applied
            }
        } catch {
            switch error {
            case .refused(let outcome):
                names.undo(to: mark)
                return (outcome, [])
            case .storage(let failure): throw .storage(failure)
            }
        }
    }

    /// A command's outcome, and the names it left a row of (`StateWriter.written`).
    private typealias Applied = (outcome: ApplyOutcome, written: Set<WatchKey>)

    /// The command's effects, and what they touched; a refusal touched nothing (whatever it
    /// wrote is about to be undone).
    private func applyCommand(_ entry: IndexedCommand) throws(StoreError) -> Applied {
        var writer = StateWriter(db: connection, names: names, index: entry.index, nowMilliseconds: entry.effectiveMilliseconds)
        let result = try writer.apply(entry.command)
        if result.isRefusal { return (ApplyOutcome(result: result, touched: []), []) }
        return (ApplyOutcome(result: result, touched: writer.touchedKeys, changedChecks: writer.changedChecks.sorted()), writer.written)
    }
}

/// Why a command's savepoint was rolled back.
private enum CommandStop: SQLiteErrorConvertible {
    case refused(ApplyOutcome)
    case storage(StoreError)

    init(_ sqliteError: SQLiteError) { self = .storage(StoreError(sqliteError)) }
}

/// Why a batch's transaction was rolled back.
private enum BatchStop: SQLiteErrorConvertible {
    case nothingApplied
    case refusedAfterWriting
    case storage(StoreError)

    init(_ sqliteError: SQLiteError) { self = .storage(StoreError(sqliteError)) }
}
