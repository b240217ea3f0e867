import Loop
import Store

/// Makes log batches durable off the loop thread: `raft.db` appends (one transaction, one fsync
/// per batch: group commit) run on libuv's thread pool, and their completion comes back to the
/// loop as an input for the node.
///
/// `@unchecked Sendable` is sound because the node keeps at most one persist batch in flight
/// (`SingleServerLog`), so the SQLite connection inside is used by one thread at a time, and
/// libuv's work-queue mutex orders one job's writes before the next job's reads.
final class LogWriter: @unchecked Sendable {
    private let log: RaftLogStore

    init(log: RaftLogStore) { self.log = log }

    /// Appends on the pool; `completion` runs on the loop with the last index, or the error.
    func persist(_ entries: [LogEntryRecord], on loop: EventLoop, completion: @escaping (Result<UInt64, StoreError>) -> Void) {
        precondition(!entries.isEmpty)
        let last = entries.last!.index
        loop.queueWork({ [self] () -> Result<UInt64, StoreError> in
            do throws(StoreError) {
                try self.log.append(entries)
                return .success(last)
            } catch {
                return .failure(error)
            }
        }, completion: { result in
            completion(result ?? .failure(.io("log append cancelled")))
        })
    }
}
