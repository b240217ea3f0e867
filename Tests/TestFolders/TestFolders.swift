import Foundation
import Synchronization

/// Fresh temporary folders for tests whose stores stay open until the test ends (handler tests,
/// node and cluster harnesses). Each folder is removed when the test process exits, so a test
/// run leaves nothing behind in the temporary directory; before, every `swift test` left some
/// 800 folders of SQLite files there.
public enum TestFolders {
    private static let made = Mutex<(cleanupRegistered: Bool, folders: [URL])>((false, []))

    /// A new empty folder `<prefix>-<UUID>` in the temporary directory.
    public static func make(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        made.withLock { state in
            if !state.cleanupRegistered {
                state.cleanupRegistered = true
                atexit { TestFolders.removeAll() }
            }
            state.folders.append(folder)
        }
        return folder
    }

    private static func removeAll() {
        for folder in made.withLock({ $0.folders }) {
            try? FileManager.default.removeItem(at: folder)
        }
    }
}
