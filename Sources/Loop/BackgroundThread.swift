import CLibUV
import Glibc

extension EventLoop {
    /// Runs `work` on a thread of its own at the lowest CPU priority (nice 19), then
    /// `completion` on the loop thread with its result; the thread ends after `work`.
    ///
    /// For long CPU-bound jobs that must not take a core from the loop threads: a snapshot copy
    /// of a large state on libuv's pool ran at the loops' priority and, on two cores, slowed
    /// every server while it lasted. A pool thread cannot be lowered for one job only: going
    /// back up from nice 19 needs a privilege the agent may not have.
    public func runInBackground<T: Sendable>(_ work: @escaping @Sendable () -> T,
                                            completion: @escaping (T) -> Void) throws(LoopError) {
        var mailbox: Mailbox<T>?
        mailbox = try Mailbox<T>(loop: self, capacity: 1) { result in
            mailbox?.close()
            mailbox = nil
            completion(result)
        }
        let poster = mailbox!.poster
        let job = BackgroundJob {
            // Failure leaves the thread at the loops' priority: slower for them, still correct.
            _ = gravity_set_thread_nice(19)
            poster.post(work())
        }
        var thread = pthread_t()
        let argument = Unmanaged.passRetained(job).toOpaque()
        let rc = pthread_create(&thread, nil, { argument in
            let job = Unmanaged<BackgroundJob>.fromOpaque(argument!).takeRetainedValue()
            job.body()
            return nil
        }, argument)
        guard rc == 0 else {
            Unmanaged<BackgroundJob>.fromOpaque(argument).release()
            mailbox?.close()
            mailbox = nil
            throw LoopError(code: -rc, operation: "pthread_create")
        }
        pthread_detach(thread)
    }
}

private final class BackgroundJob: Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}
