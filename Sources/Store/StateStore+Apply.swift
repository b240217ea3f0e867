import Registry

// Applying committed commands (DESIGN.md §7): one transaction per batch, recording
// `applied_index` with the effects; each command in its own savepoint, so a refusal (or a failed
// transaction) undoes exactly that command's writes. Storage failures stop the node: a replica
// that cannot apply must not go on answering or voting.

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
    /// preconditions). A command that is refused, or a transaction that fails, changes nothing:
    /// its savepoint is rolled back. `applied_index` becomes the index of the last command that
    /// was not refused; a batch in which every command was refused writes nothing at all, not
    /// even `applied_index` (replaying a refusal after a restart refuses it again, since the
    /// state is the same). A storage failure stops the process.
    public func apply(_ entries: [IndexedCommand]) -> [ApplyOutcome] {
        precondition(!entries.isEmpty, "an empty batch")
        precondition(entries[0].index > appliedIndex, "batch at \(entries[0].index) is not after applied index \(appliedIndex)")
        precondition(zip(entries, entries.dropFirst()).allSatisfy { $0.index < $1.index }, "batch indexes must increase")
        precondition(!connection.isInTransaction, "apply must not run inside another transaction")
        var outcomes: [ApplyOutcome] = []
        var lastApplied: UInt64?
        var indexes = PendingIndexes()
        do throws(BatchStop) {
            try connection.immediateTransaction { () throws(BatchStop) in
                for entry in entries {
                    let outcome = try applyInSavepoint(entry)
                    outcomes.append(outcome)
                    if !outcome.result.isRefusal {
                        lastApplied = entry.index
                        indexes.record(outcome.touched, at: entry.index)
                    }
                }
                guard let lastApplied else { throw .nothingApplied }
                do throws(StoreError) { try indexes.flush(connection) } catch { throw .storage(error) }
                do throws(SQLiteError) { try writeAppliedIndex(lastApplied) } catch { throw BatchStop(error) }
            }
        } catch {
            switch error {
            case .nothingApplied: break
            case .storage(let failure): preconditionFailure("state.db failed while applying: \(failure)")
            }
        }
        if let lastApplied { appliedIndex = lastApplied }
        assert(outcomes.count == entries.count, "one outcome per command")
        assert(lastApplied != nil || outcomes.allSatisfy(\.result.isRefusal), "only all-refused batches record nothing")
        return outcomes
    }

    private func applyInSavepoint(_ entry: IndexedCommand) throws(BatchStop) -> ApplyOutcome {
        var writer = StateWriter(db: connection, index: entry.index, nowMilliseconds: entry.effectiveMilliseconds)
        do throws(CommandStop) {
            return try connection.transaction { () throws(CommandStop) -> ApplyOutcome in
                let result: ApplyResult
                do throws(StoreError) { result = try writer.apply(entry.command) } catch { throw .storage(error) }
                if result.isRefusal { throw .refused(result) }
                return ApplyOutcome(result: result, touched: writer.touchedKeys, changedChecks: writer.changedChecks.sorted())
            }
        } catch {
            switch error {
            case .refused(let result): return ApplyOutcome(result: result, touched: [])
            case .storage(let failure): throw .storage(failure)
            }
        }
    }
}

/// Why a command's savepoint was rolled back.
private enum CommandStop: SQLiteErrorConvertible {
    case refused(ApplyResult)
    case storage(StoreError)

    init(_ sqliteError: SQLiteError) { self = .storage(StoreError(sqliteError)) }
}

/// Why a batch's transaction was rolled back.
private enum BatchStop: SQLiteErrorConvertible {
    case nothingApplied
    case storage(StoreError)

    init(_ sqliteError: SQLiteError) { self = .storage(StoreError(sqliteError)) }
}
