import Glibc
import Registry
import Store

/// The node's data folder: `raft.db`, `state.db` and `node-id` (DESIGN.md §6, §10). In dev mode
/// without `-data-dir` it is a fresh temporary folder, removed again on a clean stop.
final class DataFolder {
    let path: String
    let nodeID: String
    private(set) var directory: DataDirectory?
    private let temporary: Bool

    private init(path: String, temporary: Bool, directory: DataDirectory, nodeID: String) {
        self.path = path
        self.temporary = temporary
        self.directory = directory
        self.nodeID = nodeID
    }

    static func open(config: AgentConfig) throws(AgentError) -> DataFolder {
        let (path, temporary) = try choosePath(config)
        do {
            // The agent checkpoints state.db from the thread pool (StateCheckpointer), and never
            // syncs it while running (README: "state.db is never synced while the agent runs").
            let directory = try DataDirectory(path: path, stateCheckpointsElsewhere: true,
                                              stateDurability: .unsyncedUntilCleanStop(bootID: bootID()))
            let nodeID = try directory.loadOrCreateNodeID(proposed: AgentIdentity.formatNodeID(randomBytes: randomBytes(16)))
            do { try AgentIdentity.validateNodeID(nodeID) } catch { throw AgentError.config("\(path)/node-id: \(error.message)") }
            return DataFolder(path: path, temporary: temporary, directory: directory, nodeID: nodeID)
        } catch let error as AgentError {
            throw error
        } catch {
            throw .storage("\(path): \(error)")
        }
    }

    private static func choosePath(_ config: AgentConfig) throws(AgentError) -> (String, Bool) {
        if let dataDir = config.dataDir { return (dataDir, false) }
        precondition(config.dev, "validate() requires a data dir outside dev mode")
        var template = Array("/tmp/gravity-dev-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .storage("cannot create a temporary data folder in /tmp: errno \(errno)")
        }
        return (String(cString: made), true)
    }

    /// The kernel's boot ID (a UUID that changes at every boot), nil when unreadable.
    static func bootID() -> String? {
        let descriptor = Glibc.open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { Glibc.close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count).filter { $0 > 0x20 && $0 < 0x7F }, as: UTF8.self)
        return text.isEmpty ? nil : text
    }

    /// Closes the databases; removes the folder if it was a dev-mode temporary one.
    func close() {
        directory?.close()
        directory = nil
        guard temporary else { return }
        for name in ["raft.db", "raft.db-wal", "raft.db-shm", "state.db", "state.db-wal", "state.db-shm", StateRecovery.markerFileName, "node-id",
                     "snapshot.db", "snapshot.db.tmp", "snapshot.db.prev", "snapshot.db.install"] {
            unlink(path + "/" + name)
        }
        rmdir(path)
    }

    /// The machine's host name, made into a valid node name ("node" if nothing usable is left).
    static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "node" }
        let raw = String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        let cleaned = String(raw.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) })
        return cleaned.isEmpty ? "node" : String(cleaned.prefix(AgentIdentity.maxNodeNameBytes))
    }

    /// Randomness belongs to the shell: the kernel's generator.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()  // the kernel's CSPRNG on Linux
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
