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
    public let stateDurability: StateDurability
    /// `state.db` was deleted at open because the machine stopped while it held unsynced
    /// writes: the owner restores the snapshot and replays the log into the empty one.
    public let stateRebuilt: Bool

    /// Creates the folder if needed and opens (creating and migrating) both databases.
    /// `stateCheckpointsElsewhere`: see `StateStore.init(path:checkpointsElsewhere:)`;
    /// `stateDurability`: see `StateDurability`.
    public init(path: String, stateCheckpointsElsewhere: Bool = false, stateDurability: StateDurability = .synced) throws(StoreError) {
        precondition(!path.isEmpty, "empty data directory path")
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.path = String(trimmed)
        self.stateDurability = stateDurability
        try FileSystem.createDirectory(self.path, mode: 0o700)
        raftLog = try RaftLogStore(path: self.path + "/" + Self.raftLogFileName)
        let statePath = self.path + "/" + Self.stateFileName
        var rebuilt = false
        if case .unsyncedUntilCleanStop(let bootID) = stateDurability {
            let marker = try FileSystem.readFile(self.path + "/" + StateRecovery.markerFileName, maxBytes: 256)
                .map { String(decoding: Self.trimmingWhitespace($0), as: UTF8.self) }
            if StateRecovery.decide(marker: marker, bootID: bootID) == .rebuild {
                for suffix in ["-wal", "-shm", ""] { try FileSystem.removeFile(statePath + suffix) }
                rebuilt = true
            }
            // Durable before the first unsynced write: from here on the file may be torn by a
            // machine stop until `close` syncs it.
            try Self.writeMarker(bootID ?? StateRecovery.unknownBoot, in: self.path)
        }
        stateRebuilt = rebuilt
        state = try StateStore(path: statePath, checkpointsElsewhere: stateCheckpointsElsewhere, syncs: stateDurability == .synced)
    }

    /// Closes both databases. Under `.unsyncedUntilCleanStop` this is where `state.db` becomes
    /// durable: the store's close checkpoints the WAL into the file (the other connections to it
    /// must be closed already), the files are fsynced, and only then does the marker say so.
    public func close() {
        raftLog.close()
        state.close()
        guard stateDurability != .synced else { return }
        let statePath = path + "/" + Self.stateFileName
        do throws(StoreError) {
            for file in [statePath, statePath + "-wal"] where FileSystem.exists(file) { try FileSystem.syncFile(file) }
            try FileSystem.syncDirectory(path)
            try Self.writeMarker(StateRecovery.cleanMarker, in: path)
        } catch {
            // The marker still names this boot: a process restart keeps the file, a machine
            // restart rebuilds it. Nothing is lost either way.
        }
    }

    /// Replaces the `StateRecovery` marker's content, durably.
    private static func writeMarker(_ text: String, in folder: String) throws(StoreError) {
        try FileSystem.writeFileAtomically(Array(text.utf8) + [UInt8(ascii: "\n")], named: StateRecovery.markerFileName, in: folder, mode: 0o600)
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
