import CLibUV

/// Work for libuv's thread pool. The non-generic base is what the C callbacks see.
class WorkItem {
    let request: UnsafeMutablePointer<uv_work_t>
    init() { request = .allocate(capacity: 1) }
    deinit { request.deallocate() }
    /// Pool thread.
    func runOnPool() {}
    /// Loop thread, after `runOnPool` returned (libuv's queue mutex orders the two).
    func completeOnLoop(cancelled: Bool) {}
}

/// Carries a `@Sendable` job to the pool and its `Sendable` result back to the loop.
///
/// The object itself crosses threads only as a raw pointer inside `uv_work_t`: the pool thread
/// touches `job` and `result` only, the loop thread reads `result` only after libuv has ordered
/// the pool's write before the completion callback.
final class TypedWorkItem<Result: Sendable>: WorkItem {
    let job: @Sendable () -> Result
    var result: Result?
    var completion: ((Result?) -> Void)?

    init(job: @escaping @Sendable () -> Result, completion: @escaping (Result?) -> Void) {
        self.job = job
        self.completion = completion
    }

    override func runOnPool() { result = job() }

    override func completeOnLoop(cancelled: Bool) {
        let completion = self.completion
        self.completion = nil
        completion?(cancelled ? nil : result)
    }
}

extension EventLoop {
    /// Runs `job` on libuv's thread pool, then `completion` on the loop thread with its result
    /// (nil only if the work was cancelled before it started). Blocking work (fsync, file copies)
    /// goes here so the loop never waits on the disk.
    public func queueWork<Result: Sendable>(_ job: @escaping @Sendable () -> Result, completion: @escaping (Result?) -> Void) {
        let item = TypedWorkItem(job: job, completion: completion)
        item.request.pointee.data = Unmanaged.passRetained(item as WorkItem).toOpaque()
        let rc = uv_queue_work(uv, item.request, workRunCallback, workDoneCallback)
        // uv_queue_work fails only for a nil work callback, which is excluded here.
        precondition(rc == 0, "uv_queue_work failed: \(rc)")
    }
}

// File scope: these must not inherit any isolation (one of them runs on a pool thread).
private let workRunCallback: uv_work_cb = { request in
    Unmanaged<WorkItem>.fromOpaque(request!.pointee.data).takeUnretainedValue().runOnPool()
}

private let workDoneCallback: uv_after_work_cb = { request, status in
    let item = Unmanaged<WorkItem>.fromOpaque(request!.pointee.data).takeRetainedValue()
    item.completeOnLoop(cancelled: status == UV_ECANCELED.rawValue)
}
