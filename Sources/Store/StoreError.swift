/// What the stores (`RaftLogStore`, `StateStore`, `DataDirectory`) throw.
///
/// Two error types, on purpose: the SQLite layer (`SQLiteConnection`, `SQLiteStatement`) knows
/// only SQLite and throws `SQLiteError`; the stores add failures SQLite cannot know about
/// (a checksum mismatch, a schema from a newer build, file I/O) and wrap SQLite's in `.sqlite`.
/// Folding both into one type would make every low-level call advertise cases it never throws.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A SQLite call failed.
    case sqlite(SQLiteError)
    /// Data read back from disk is not what was written (checksum mismatch, impossible value).
    /// The message names the file or row, for example the Raft index.
    case corrupt(String)
    /// The database was written by a newer build: its `user_version` is `found`, and this build
    /// knows migrations only up to `supported`. Nothing was changed.
    case schemaTooNew(found: Int, supported: Int)
    /// A file-system call failed (the message names the call, the path and `strerror`).
    case io(String)
    /// A proposed node ID was refused (empty, too long, or not visible ASCII).
    case invalidNodeID(String)

    public var description: String {
        switch self {
        case .sqlite(let error):
            return error.description
        case .corrupt(let message):
            return "corrupt data: \(message)"
        case .schemaTooNew(let found, let supported):
            return "database schema version \(found) is newer than this build supports (\(supported))"
        case .io(let message):
            return "I/O error: \(message)"
        case .invalidNodeID(let reason):
            return "invalid node ID: \(reason)"
        }
    }
}

extension StoreError: SQLiteErrorConvertible {
    public init(_ sqliteError: SQLiteError) {
        self = .sqlite(sqliteError)
    }
}
