// Snapshots of the replicated state (DESIGN.md §6): a consistent copy of state.db made with
// SQLite's online backup API, written to a temporary file, fsynced and renamed into place; and
// the reverse, which replaces the live state with a verified snapshot.

extension StateStore {
    /// Writes a consistent copy of the current state to `path` and returns its index, checksum
    /// and size.
    ///
    /// Must not run inside a transaction (a precondition), so the copy holds exactly the batches
    /// up to `appliedIndex`. The copy goes to `path + ".tmp"` first, is fsynced, then renamed
    /// over `path` and the folder synced: after a crash `path` holds the old file or all of the
    /// new one. The old one is kept as `path + ".prev"` until the next snapshot: raft.db records
    /// the new one only after this returns, and a restart in between must still find the one it
    /// records (`settleSnapshot`). I/O failures throw.
    public func snapshot(to path: String) throws(StoreError) -> SnapshotInfo {
        precondition(!connection.isInTransaction, "snapshot inside a transaction")
        return try Self.snapshot(of: connection, to: path)
    }

    /// The copy `snapshot(to:)` makes, from any connection to a state database; the index is
    /// the copy's own `applied_index` (what that connection saw when the copy began).
    static func snapshot(of connection: SQLiteConnection, to path: String) throws(StoreError) -> SnapshotInfo {
        try snapshot(of: connection, to: path, keepingBytes: false).info
    }

    /// The copy, and with `keepingBytes` its bytes too: the file is read back once, for both the
    /// checksum and the bytes (a snapshot of a large catalog is some 100 MB).
    private static func snapshot(of connection: SQLiteConnection, to path: String,
                                 keepingBytes: Bool) throws(StoreError) -> (info: SnapshotInfo, data: [UInt8]) {
        let temporary = path + ".tmp"
        try FileSystem.removeFile(temporary)
        do throws(StoreError) {
            let copy: SQLiteConnection
            do throws(SQLiteError) {
                copy = try SQLiteConnection(path: temporary)
                // No syncs while copying: the backup's commit would write the whole file back
                // at once (SQLite's default FULL), a burst that every raft.db fsync on the
                // machine then waited behind. syncFileGradually below writes it back in slices.
                try copy.setPragma("synchronous", to: "OFF")
                try connection.backup(to: copy)
                // The copy inherits WAL mode from the live file's header; a snapshot is one
                // self-contained file, so it goes back to a rollback journal (no -wal beside it).
                try copy.setPragma("journal_mode", to: "DELETE")
            } catch {
                throw StoreError(error)
            }
            let index: UInt64
            do throws(StoreError) {
                index = try readAppliedIndex(copy)
            } catch {
                copy.close()
                throw error
            }
            copy.close()
            try FileSystem.syncFileGradually(
                temporary, sliceBytes: StoreLimits.snapshotSyncSliceBytes, pauseMicroseconds: StoreLimits.snapshotSyncPauseMicroseconds)
            let checksum: UInt32
            let bytes: Int
            var data: [UInt8] = []
            if keepingBytes {
                guard let read = try FileSystem.readFile(temporary, maxBytes: maxSnapshotBytes) else {
                    throw .corrupt("snapshot \(temporary) is missing")
                }
                data = read
                (checksum, bytes) = (CRC32C.checksum(read), read.count)
            } else {
                (checksum, bytes) = try FileSystem.checksum(of: temporary)
            }
            try FileSystem.placeKeepingPrevious(path) { () throws(StoreError) in try FileSystem.renameDurably(temporary, over: path) }
            assert(bytes > 0, "a SQLite database is never empty")
            return (SnapshotInfo(index: index, checksum: checksum, bytes: bytes), data)
        } catch {
            // The temporary file is useless after a failure; a second failure removing it
            // says nothing the first did not.
            try? FileSystem.removeFile(temporary)
            throw error
        }
    }

    /// Replaces the whole live state with the snapshot at `path`, after checking that its
    /// CRC-32C is `expectedChecksum` and that it is a sound state database.
    ///
    /// A file that fails the checks is refused with `StoreError.corrupt` naming it, and the live
    /// state is left as it was. Otherwise the snapshot is copied over the live database in one
    /// write transaction (SQLite's backup API), migrated if it was written by an older schema,
    /// and `appliedIndex` becomes the snapshot's. Must not run inside a transaction.
    public func restore(from path: String, expectedChecksum: UInt32) throws(StoreError) {
        precondition(!connection.isInTransaction, "restore inside a transaction")
        let (checksum, _) = try FileSystem.checksum(of: path)
        guard checksum == expectedChecksum else {
            throw .corrupt("snapshot \(path): CRC-32C \(hex(checksum)) is not the expected \(hex(expectedChecksum))")
        }
        let source: SQLiteConnection
        do throws(SQLiteError) { source = try SQLiteConnection(path: path) } catch { throw StoreError(error) }
        defer { source.close() }
        try Self.verifySnapshot(source, path: path)
        do throws(SQLiteError) { try source.backup(to: connection) } catch { throw StoreError(error) }
        try reloadAfterRestore()
    }

    /// Replaces the state database at `statePath` with the snapshot at `snapshotPath`, which
    /// must be a sound state database as of `index`: `restore(from:expectedChecksum:)` from a
    /// connection of its own, so that it can run off the loop thread while the live store goes
    /// on reading (WAL: its readers see the old state until the copy commits, then the new).
    /// The live store must not write meanwhile, and calls `reloadAfterRestore()` after.
    /// The store at `statePath` must have been opened with `checkpointsElsewhere` (not in
    /// exclusive locking mode). A failure leaves the old state.
    ///
    /// A copy of this server's own state, begun before the install and finished after it, may
    /// have moved the snapshot aside (to `snapshotPath + ".prev"`, as every snapshot keeps the
    /// one it replaces): the one of `index` is taken from there then.
    public static func copySnapshot(at snapshotPath: String, intoStateAt statePath: String, index: UInt64) throws(StoreError) {
        let previous = snapshotPath + ".prev"
        let source = try openSnapshot(at: snapshotPath, index: index, orElse: FileSystem.exists(previous) ? previous : nil)
        defer { source.close() }
        do throws(SQLiteError) {
            let target = try SQLiteConnection(path: statePath)
            defer { target.close() }
            // The live store's checkpointer copies the WAL back into the file, as for any
            // write; this connection neither checkpoints nor syncs (state.db is derived).
            try target.setPragma("wal_autocheckpoint", to: "0")
            try target.setPragma("synchronous", to: "OFF")
            try source.backup(to: target)
        } catch {
            throw StoreError(error)
        }
    }

    /// A verified connection to the snapshot of `index` at `path`, or else at `fallback`.
    private static func openSnapshot(at path: String, index: UInt64, orElse fallback: String?) throws(StoreError) -> SQLiteConnection {
        let source: SQLiteConnection
        do throws(SQLiteError) { source = try SQLiteConnection(path: path) } catch { throw StoreError(error) }
        do throws(StoreError) {
            try verifySnapshot(source, path: path)
            let snapshotIndex = try readAppliedIndex(source)
            guard snapshotIndex == index else {
                throw .corrupt("snapshot \(path) holds the state as of index \(snapshotIndex), not \(index)")
            }
            return source
        } catch {
            source.close()
            // The error names the file that should have held it.
            guard let fallback, let other = try? openSnapshot(at: fallback, index: index, orElse: nil) else { throw error }
            return other
        }
    }

    /// Reads the state back after its file was replaced under the live connection (a restore):
    /// migrates it if an older schema wrote it, and reloads the applied index and the indexes
    /// kept in memory.
    public func reloadAfterRestore() throws(StoreError) {
        try connection.migrate(Self.migrations)
        appliedIndex = try Self.readAppliedIndex(connection)
        try names.rebuild(from: connection)
    }

    /// Brings a state behind the snapshot raft.db records (`index`, `checksum`, at `path`) up to
    /// it: a new or rebuilt state.db, or one a stop left behind an installed snapshot. The log
    /// after the snapshot is then applied as usual.
    public func restoreIfBehind(snapshot index: UInt64, checksum: UInt32, path: String) throws(StoreError) {
        guard appliedIndex < index else { return }
        do {
            try restore(from: path, expectedChecksum: checksum)
        } catch {
            // Only then can the file be the wrong one: the snapshot is read once when it is right.
            try Self.settleSnapshot(at: path, checksum: checksum)
            try restore(from: path, expectedChecksum: checksum)
        }
    }

    /// Puts the snapshot raft.db records (its `checksum`) at `path` before a restore: a stop
    /// between writing a newer snapshot and recording it leaves the newer one at `path` and the
    /// recorded one at `path + ".prev"`, which then goes back in its place. Does nothing when
    /// `path` holds the recorded snapshot or neither file does (the restore then names the
    /// problem).
    public static func settleSnapshot(at path: String, checksum: UInt32) throws(StoreError) {
        let previous = path + ".prev"
        if FileSystem.exists(path), try FileSystem.checksum(of: path).checksum == checksum { return }
        guard FileSystem.exists(previous), try FileSystem.checksum(of: previous).checksum == checksum else { return }
        try FileSystem.renameDurably(previous, over: path)
    }

    /// Refuses a file that is not a state database this build can read: SQLite's quick check,
    /// a known schema version, and a readable applied index.
    private static func verifySnapshot(_ source: SQLiteConnection, path: String) throws(StoreError) {
        let verdict: [String]
        let version: Int
        do throws(SQLiteError) {
            verdict = try source.prepare("PRAGMA quick_check").query { $0.text(at: 0) }
            version = try source.userVersion()
        } catch {
            throw .corrupt("snapshot \(path) is not a readable SQLite database: \(error)")
        }
        guard verdict == ["ok"] else {
            throw .corrupt("snapshot \(path) fails SQLite's quick check: \(verdict.prefix(3).joined(separator: "; "))")
        }
        guard (1...migrations.count).contains(version) else {
            throw .corrupt("snapshot \(path) has schema version \(version), not 1...\(migrations.count)")
        }
        do throws(StoreError) {
            _ = try readAppliedIndex(source)
        } catch {
            throw .corrupt("snapshot \(path) has no valid applied_index")
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

extension StateStore {
    /// Largest snapshot read back into memory (to send to followers).
    public static let maxSnapshotBytes = 1 << 30

    /// Writes a snapshot to `path` (as `snapshot(to:)`) and returns it with the file's bytes,
    /// which is what a leader sends a follower that needs compacted entries.
    public func snapshotData(to path: String) throws(StoreError) -> (info: SnapshotInfo, data: [UInt8]) {
        precondition(!connection.isInTransaction, "snapshot inside a transaction")
        return try Self.snapshotData(of: connection, to: path)
    }

    /// `snapshot(of:to:)` and the file's bytes.
    static func snapshotData(of connection: SQLiteConnection, to path: String) throws(StoreError) -> (info: SnapshotInfo, data: [UInt8]) {
        try snapshot(of: connection, to: path, keepingBytes: true)
    }

    /// The bytes of the snapshot file at `path`, checked against `expectedChecksum`.
    public static func readSnapshot(at path: String, expectedChecksum: UInt32) throws(StoreError) -> [UInt8] {
        guard let data = try FileSystem.readFile(path, maxBytes: maxSnapshotBytes) else {
            throw .corrupt("snapshot \(path) is missing")
        }
        var crc = CRC32C()
        crc.update(data)
        guard crc.value == expectedChecksum else {
            throw .corrupt("snapshot \(path): CRC-32C \(hex(crc.value)) is not the expected \(hex(expectedChecksum))")
        }
        return data
    }

    /// Writes a snapshot received from the leader to `path`, durably (under its own temporary
    /// name: a snapshot being taken on another thread may be writing `.tmp`), and returns its
    /// CRC-32C, which raft.db records. Written back a slice at a time, so the fsyncs of other
    /// files on the disk pass between slices instead of waiting behind some 200 MB.
    public static func writeSnapshot(_ data: [UInt8], to path: String) throws(StoreError) -> UInt32 {
        var crc = CRC32C()
        crc.update(data)
        // raft.db records it only once the install's batch is durable (see `snapshot(of:to:)`).
        try FileSystem.placeKeepingPrevious(path) { () throws(StoreError) in
            try FileSystem.writeFileAtomically(data, named: FileSystem.name(of: path), in: FileSystem.folder(of: path), mode: 0o600,
                                               temporarySuffix: ".install", syncSliceBytes: StoreLimits.snapshotSyncSliceBytes)
        }
        return crc.value
    }

}

/// Takes snapshots of `state.db` from a connection of its own, on a pool thread, so the loop
/// never waits for the copy (SQLite's backup reads one consistent state while the store keeps
/// committing: WAL readers do not block the writer).
///
/// `@unchecked Sendable`: its connection is used by one pool job at a time (the agent keeps at
/// most one snapshot in flight) and never by the loop thread.
public final class StateSnapshotter: @unchecked Sendable {
    private let connection: SQLiteConnection

    /// Opens another connection to the state database at `path` (which must exist).
    public init(path: String) throws(StoreError) {
        do throws(SQLiteError) { connection = try SQLiteConnection(path: path) } catch { throw StoreError(error) }
    }

    /// Copies the state to `path` (durably, as `StateStore.snapshot(to:)`) and returns it with
    /// the file's bytes.
    public func take(to path: String) throws(StoreError) -> (info: SnapshotInfo, data: [UInt8]) {
        try StateStore.snapshotData(of: connection, to: path)
    }

    public func close() { connection.close() }
}
