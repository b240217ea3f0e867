import Glibc

/// Checkpoints `state.db`'s WAL from a connection of its own, so that copying the WAL into the
/// database and the fsyncs that go with it run on a pool thread instead of the loop thread.
/// (SQLite's automatic checkpoint runs inside a commit: on the loop, where it was the tail of
/// write latency, about 4 ms of syncs every thousand pages.)
///
/// Use it with a `StateStore` opened with `checkpointsElsewhere: true`, which turns the
/// automatic checkpoint off and shares the file. A PASSIVE checkpoint never blocks the store's
/// readers or writer.
///
/// But SQLite starts the WAL over only at a write that finds *every* frame checkpointed, and
/// under a steady write load the store commits while each checkpoint runs, so the WAL would grow
/// without end (measured: 340 MB in 7 s of registrations). The owner therefore watches the WAL
/// size this returns and, past `StoreLimits.stateWALRestartPages`, lets the store finish the
/// job itself (`StateStore.finishCheckpoint`): by then only the frames since this checkpoint
/// remain to copy.
///
/// `@unchecked Sendable`: its connection is used by one pool job at a time (the agent keeps at
/// most one checkpoint in flight) and never by the loop thread.
public final class StateCheckpointer: @unchecked Sendable {
    private let connection: SQLiteConnection
    /// state.db itself, opened read-only to start the writeback of what checkpoints copied
    /// into it (unsynced checkpoints only; -1 otherwise).
    private let descriptor: Int32
    private let writeBackEvery: Int
    private var checkpointsSinceWriteBack = 0
    /// How many times a writeback was started (tests).
    private(set) var writeBacksStarted = 0

    /// Opens a second connection to the state database at `path` (which must exist). With
    /// `syncs` false its checkpoints write pages without fsyncs (`StateDurability`), and every
    /// `writeBackEvery` checkpoints it asks the kernel to start writing back the pages they
    /// copied (`FileSystem.startWriteBack`).
    public init(path: String, syncs: Bool = true, writeBackEvery: Int = StoreLimits.stateWriteBackCheckpoints) throws(StoreError) {
        precondition(writeBackEvery > 0, "writeBackEvery must be positive")
        do throws(SQLiteError) {
            connection = try SQLiteConnection(path: path)
            let level: SQLiteConnection.Synchronous = syncs ? .normal : .off
            try connection.setPragma("synchronous", to: level.rawValue)
        } catch {
            throw StoreError(error)
        }
        if syncs {
            descriptor = -1
        } else {
            do throws(StoreError) {
                descriptor = try FileSystem.openForWriteBack(path)
            } catch {
                connection.close()
                throw error
            }
        }
        self.writeBackEvery = writeBackEvery
    }

    /// Copies what the WAL holds into the database, as far as no reader still needs it.
    /// Returns the WAL's size and how much of it was checkpointed, in pages.
    ///
    /// Unsynced, the copied pages would otherwise wait in the page cache until the kernel's
    /// periodic writeback took them all at once: every 5 s, some 100 MB for a 3-server cluster
    /// under load, and every raft.db fsync on the machine waited behind that burst (whole
    /// cluster stalls of 50-100 ms). Started a few checkpoints' worth at a time, the same
    /// bytes go out in small pieces.
    @discardableResult
    public func checkpoint() throws(StoreError) -> (walPages: Int, checkpointedPages: Int) {
        let result: (walPages: Int, checkpointedPages: Int)
        do throws(SQLiteError) {
            result = try connection.checkpointPassive()
        } catch {
            throw StoreError(error)
        }
        if descriptor >= 0 {
            checkpointsSinceWriteBack += 1
            if checkpointsSinceWriteBack >= writeBackEvery {
                checkpointsSinceWriteBack = 0
                FileSystem.startWriteBack(descriptor)
                writeBacksStarted += 1
            }
        }
        return result
    }

    public func close() {
        connection.close()
        if descriptor >= 0 { Glibc.close(descriptor) }
    }
}
