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

    init(log: RaftLogStore) { self.log = log }

    /// Writes the batch on the pool; `completion` runs on the loop with nil, or the error.
    func persist(_ batch: PersistBatch, on loop: EventLoop, completion: @escaping (StoreError?) -> Void) {
        let records = batch.records
        let hardState = batch.hardStateRecord
        let compaction = batch.compaction?.meta
        let truncateFrom = batch.truncateFrom
        loop.queueWork({ [self] () -> StoreError? in
            do throws(StoreError) {
                try self.log.write(entries: records, hardState: hardState, compaction: compaction, truncateFrom: truncateFrom)
                return nil
            } catch {
                return error
            }
        }, completion: { result in
            completion(result ?? .io("log write cancelled"))
        })
    }
}
