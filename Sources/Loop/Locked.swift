import CLibUV

/// A value guarded by a pthread mutex: the one lock type of the shell.
///
/// pthread rather than `Synchronization.Mutex`: on Linux that Mutex is a raw futex that
/// ThreadSanitizer cannot see, so it reports false races (shared/reference/swift-c-interop.md §5).
///
/// `@unchecked Sendable` is sound because every access to `value` happens between
/// `pthread_mutex_lock` and `pthread_mutex_unlock` on the same mutex.
public final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        let rc = pthread_mutex_init(mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
