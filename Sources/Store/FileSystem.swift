import CSQLite
import Glibc

/// The few file-system calls the Store makes outside SQLite (the data folder, its `node-id`
/// file, snapshot files), with `errno` turned into `StoreError.io` in one place (`failure`).
enum FileSystem {
    /// Creates the folder `path` with `mode` (less the umask), or accepts it if it is already
    /// a folder. Parent folders must exist.
    static func createDirectory(_ path: String, mode: mode_t) throws(StoreError) {
        if mkdir(path, mode) == 0 { return }
        let code = errno
        guard code == EEXIST else { throw failure("mkdir", path, code) }
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure("stat", path, errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .io("\(path) exists and is not a directory")
        }
    }

    /// The whole content of the file at `path`, or `nil` if there is none. A file longer than
    /// `maxBytes` is not one we wrote: it is reported as corrupt instead of read whole.
    static func readFile(_ path: String, maxBytes: Int) throws(StoreError) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw failure("open", path, code)
        }
        // Nothing was written through this descriptor, so close cannot lose data.
        defer { Glibc.close(descriptor) }
        var content: [UInt8] = []
        // Sized once: a snapshot is read whole (some 100 MB for a large catalog), and growing
        // the array by doubling copied it over and over.
        var status = stat()
        if fstat(descriptor, &status) == 0 { content.reserveCapacity(min(Int(status.st_size), maxBytes)) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            // errno is read inside the closure, right after the call that set it.
            let (count, code) = chunk.withUnsafeMutableBytes { buffer in
                (read(descriptor, buffer.baseAddress, buffer.count), errno)
            }
            if count < 0 && code == EINTR { continue }
            guard count >= 0 else { throw failure("read", path, code) }
            guard count > 0 else { return content }
            content += chunk.prefix(count)
            guard content.count <= maxBytes else {
                throw .corrupt("\(path) is longer than \(maxBytes) bytes")
            }
        }
    }

    /// Replaces the file `name` in `directory` with `content`, so that after a crash it holds
    /// either the old content or all of the new: write a temporary file, fsync it, rename it
    /// over `name`, then fsync the folder so the rename itself is durable.
    static func writeFileAtomically(
        _ content: [UInt8], named name: String, in directory: String, mode: mode_t, temporarySuffix: String = ".tmp",
        syncSliceBytes: Int? = nil
    ) throws(StoreError) {
        let path = directory + "/" + name
        let temporary = path + temporarySuffix
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw failure("open", temporary, errno) }
        do throws(StoreError) {
            try writeAll(content, to: descriptor, path: temporary)
            if let syncSliceBytes { writeBack(descriptor, size: content.count, sliceBytes: syncSliceBytes, pauseMicroseconds: 0) }
            guard fsync(descriptor) == 0 else { throw failure("fsync", temporary, errno) }
            guard Glibc.close(descriptor) == 0 else { throw failure("close", temporary, errno) }
        } catch {
            // After a failed close the descriptor is released anyway (Linux close(2)); the
            // second close then fails with EBADF, which says nothing new.
            Glibc.close(descriptor)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure("rename", path, code)
        }
        try syncDirectory(directory)
    }

    private static func writeAll(_ content: [UInt8], to descriptor: Int32, path: String) throws(StoreError) {
        var offset = 0
        while offset < content.count {
            let (count, code) = content.withUnsafeBytes { bytes in
                (write(descriptor, bytes.baseAddress! + offset, bytes.count - offset), errno)
            }
            if count < 0 && code == EINTR { continue }
            guard count > 0 else { throw failure("write", path, code) }
            offset += count
        }
    }

    /// Flushes the file at `path` to disk (fsync).
    static func syncFile(_ path: String) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path, errno) }
        // Nothing is written through this descriptor; fsync flushes what others wrote.
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", path, errno) }
    }

    /// Like `syncFile`, but writes the file back a slice at a time with a pause between
    /// slices, so that syncing a large file (a snapshot of the whole state) does not fill the
    /// disk's queue: one fsync of 100 MB held every raft.db commit behind it for a fraction of
    /// a second. Each slice waits for its own writeback (`sync_file_range`); the final fsync
    /// then has little left to do.
    static func syncFileGradually(_ path: String, sliceBytes: Int, pauseMicroseconds: UInt32) throws(StoreError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path, errno) }
        defer { Glibc.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure("fstat", path, errno) }
        writeBack(descriptor, size: Int(status.st_size), sliceBytes: sliceBytes, pauseMicroseconds: pauseMicroseconds)
        guard fsync(descriptor) == 0 else { throw failure("fsync", path, errno) }
    }

    /// Writes the first `size` bytes of a file back a slice at a time, each waited for, with
    /// `pauseMicroseconds` between slices. With no pause, the disk's queue still holds one
    /// slice at a time, so other files' fsyncs pass between slices instead of waiting behind
    /// the whole file.
    private static func writeBack(_ descriptor: Int32, size: Int, sliceBytes: Int, pauseMicroseconds: UInt32) {
        // SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER (<fcntl.h>;
        // the macros need _GNU_SOURCE, which the Glibc module does not import).
        let flags: UInt32 = 1 | 2 | 4
        var offset = 0
        while offset < size {
            // An error here only means the final fsync does all the work.
            _ = gravity_sync_file_range(descriptor, Int64(offset), Int64(sliceBytes), flags)
            offset += sliceBytes
            if offset < size, pauseMicroseconds > 0 { usleep(pauseMicroseconds) }
        }
    }

    /// Opens `path` read-only for `startWriteBack`.
    static func openForWriteBack(_ path: String) throws(StoreError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path, errno) }
        return descriptor
    }

    /// Asks the kernel to start writing back the file's dirty pages now, without waiting for
    /// them (`sync_file_range` with SYNC_FILE_RANGE_WRITE only): no durability, only smaller
    /// and earlier writeback. A failure changes nothing but the timing, so it is ignored.
    static func startWriteBack(_ descriptor: Int32) {
        _ = gravity_sync_file_range(descriptor, 0, 0, 2)
    }

    /// Renames `source` over `target` (atomic on one file system), then syncs the folder of
    /// `target` so the rename itself survives a crash.
    static func renameDurably(_ source: String, over target: String) throws(StoreError) {
        guard rename(source, target) == 0 else { throw failure("rename", source + " to " + target, errno) }
        try syncDirectory(folder(of: target))
    }

    /// Removes the file at `path`; a missing file is fine.
    static func removeFile(_ path: String) throws(StoreError) {
        guard unlink(path) != 0 else { return }
        let code = errno
        guard code == ENOENT else { throw failure("unlink", path, code) }
    }

    /// The CRC-32C and the length of the file at `path`, read in chunks.
    static func checksum(of path: String) throws(StoreError) -> (checksum: UInt32, bytes: Int) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", path, errno) }
        // Read-only: close cannot lose data.
        defer { Glibc.close(descriptor) }
        var crc = CRC32C()
        var total = 0
        var chunk = [UInt8](repeating: 0, count: StoreLimits.snapshotReadChunkBytes)
        while true {
            let (count, code) = chunk.withUnsafeMutableBytes { buffer in
                (read(descriptor, buffer.baseAddress, buffer.count), errno)
            }
            if count < 0 && code == EINTR { continue }
            guard count >= 0 else { throw failure("read", path, code) }
            guard count > 0 else { return (crc.value, total) }
            chunk.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            total += count
        }
    }

    /// The last component of `path`.
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// The folder part of `path` ("." for a bare file name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Puts a new snapshot file in place: the one at `path` (if any) moves to `path + ".prev"`,
    /// then `place` puts the new one at `path`. One placement at a time in the process: a
    /// snapshot of this server's own state and one installed from the leader are placed from
    /// different threads, and two interleaved (both moves, then both renames) would leave
    /// neither the installed file nor the one before it.
    static func placeKeepingPrevious(_ path: String, place: () throws(StoreError) -> Void) throws(StoreError) {
        snapshotPlacement.lock()
        defer { snapshotPlacement.unlock() }
        try keepAsPrevious(path)
        try place()
    }

    /// Moves the file at `path`, if there is one, to `path + ".prev"` (replacing the one
    /// there). Made durable by the caller's next directory sync.
    static func keepAsPrevious(_ path: String) throws(StoreError) {
        guard rename(path, path + ".prev") == 0 || errno == ENOENT else { throw failure("rename", path + " to " + path + ".prev", errno) }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    static func syncDirectory(_ directory: String) throws(StoreError) {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure("open", directory, errno) }
        // A folder opened read-only has nothing to flush on close.
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", directory, errno) }
    }

    /// The one place an `errno` becomes a `StoreError`.
    private static func failure(_ call: String, _ path: String, _ code: Int32) -> StoreError {
        .io("\(call) \(path): \(String(cString: strerror(code))) (errno \(code))")
    }
}

/// The mutex behind `FileSystem.placeKeepingPrevious`. `@unchecked Sendable`: the pthread
/// mutex is the synchronization.
private final class PlacementLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = {
        let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        return mutex
    }()

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
}

private let snapshotPlacement = PlacementLock()
