/// A node's data folder: `raft.db`, `state.db` and the `node-id` file, opened together.
///
/// The folder is created with mode 0700 if missing (its parent must exist). The node ID is
/// chosen once, on the first start, and kept in `node-id` for every later start, because the
/// cluster knows the node by it (Raft votes, membership).
public struct DataDirectory {
    /// The Raft log database's file name.
    public static let raftLogFileName = "raft.db"
    /// The state machine database's file name.
    public static let stateFileName = "state.db"
    /// The node ID file's name.
    public static let nodeIDFileName = "node-id"
    /// The latest snapshot of the state (DESIGN.md §6), sent to followers that need it.
    public static let snapshotFileName = "snapshot.db"

    /// The folder, as given (without trailing slashes).
    public let path: String
    /// The Raft log in `raft.db`.
    public let raftLog: RaftLogStore
    /// The replicated state in `state.db`.
    public let state: StateStore

    /// Creates the folder if needed and opens (creating and migrating) both databases.
    /// `stateCheckpointsElsewhere`: see `StateStore.init(path:checkpointsElsewhere:)`.
    public init(path: String, stateCheckpointsElsewhere: Bool = false) throws(StoreError) {
        precondition(!path.isEmpty, "empty data directory path")
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.path = String(trimmed)
        try FileSystem.createDirectory(self.path, mode: 0o700)
        raftLog = try RaftLogStore(path: self.path + "/" + Self.raftLogFileName)
        state = try StateStore(path: self.path + "/" + Self.stateFileName, checkpointsElsewhere: stateCheckpointsElsewhere)
    }

    /// Closes both databases.
    public func close() {
        raftLog.close()
        state.close()
    }

    /// This node's ID: the content of `node-id` (whitespace trimmed) if the file exists,
    /// otherwise `proposed`, which is then written durably (temporary file, fsync, rename).
    ///
    /// A node ID is 1 to `StoreLimits.maxNodeIDBytes` bytes of visible ASCII (0x21-0x7E: no
    /// spaces or control characters, so trimming can never change it). A bad `proposed` ID
    /// throws `.invalidNodeID`; a `node-id` file that does not hold a valid ID throws `.corrupt`.
    public func loadOrCreateNodeID(proposed: String) throws(StoreError) -> String {
        let file = path + "/" + Self.nodeIDFileName
        if let content = try FileSystem.readFile(file, maxBytes: StoreLimits.maxNodeIDFileBytes) {
            let stored = String(decoding: Self.trimmingWhitespace(content), as: UTF8.self)
            if let problem = Self.nodeIDProblem(stored) {
                throw .corrupt("\(file) does not hold a valid node ID: \(problem)")
            }
            return stored
        }
        if let problem = Self.nodeIDProblem(proposed) {
            throw .invalidNodeID(problem)
        }
        try FileSystem.writeFileAtomically(
            Array(proposed.utf8) + [UInt8(ascii: "\n")], named: Self.nodeIDFileName, in: path,
            mode: 0o600)
        return proposed
    }

    /// Why `id` is not a valid node ID, or `nil` if it is.
    static func nodeIDProblem(_ id: String) -> String? {
        let bytes = Array(id.utf8)
        if bytes.isEmpty {
            return "it is empty"
        }
        if bytes.count > StoreLimits.maxNodeIDBytes {
            return "it is \(bytes.count) bytes long, more than \(StoreLimits.maxNodeIDBytes)"
        }
        if let offset = bytes.firstIndex(where: { $0 < 0x21 || $0 > 0x7E }) {
            return "byte \(offset) (0x\(String(bytes[offset], radix: 16))) is not visible ASCII"
        }
        return nil
    }

    private static func trimmingWhitespace(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        let isWhitespace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = bytes.firstIndex(where: { !isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !isWhitespace($0) })
        else { return [] }
        return bytes[first...last]
    }
}
