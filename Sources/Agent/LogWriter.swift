import Loop
import Server
import Store

/// Makes log batches durable off the loop thread: `raft.db` appends (one transaction, one fsync
/// per batch: group commit) run on libuv's thread pool, and their completion comes back to the
/// loop as an input for the node.
///
/// `@unchecked Sendable` is sound because the node keeps at most one persist batch in flight
/// (`DiskQueue`), so the SQLite connection inside is used by one thread at a time, and
/// libuv's work-queue mutex orders one job's writes before the next job's reads.
final class LogWriter: @unchecked Sendable {
    private let log: RaftLogStore
    /// Where a leader's snapshot that a batch installs is written first.
    private let snapshotPath: String

    init(log: RaftLogStore, snapshotPath: String) {
        self.log = log
        self.snapshotPath = snapshotPath
    }

    /// Writes the batch on the pool (the snapshot it installs, if any, first); `completion`
    /// runs on the loop with nil, or the error.
    func persist(_ batch: PersistBatch, on loop: EventLoop, completion: @escaping (StoreError?) -> Void) {
        loop.queueWork({ [self] () -> StoreError? in
            do throws(StoreError) {
                var batch = batch
                try batch.writeInstalledSnapshot(to: self.snapshotPath)
                try self.log.write(entries: batch.records, hardState: batch.hardStateRecord, compaction: batch.compaction?.meta,
                                   truncateFrom: batch.truncateFrom)
                return nil
            } catch {
                return error
            }
        }, completion: { result in
            completion(result ?? .io("log write cancelled"))
        })
    }
}
