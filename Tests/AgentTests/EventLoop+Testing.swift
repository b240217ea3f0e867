// Runs a real loop from a test: until a condition holds (with a safety timeout), or for a while.
import Foundation
import Loop

extension EventLoop {
    /// Runs rounds until `done()` or `timeoutMilliseconds` pass; returns `done()`.
    func run(timeoutMilliseconds: UInt64, until done: () -> Bool) -> Bool {
        let started = nowMilliseconds
        while !done() && nowMilliseconds &- started < timeoutMilliseconds {
            runOnce()
            usleep(200)
        }
        return done()
    }

    /// Runs rounds for `milliseconds` (to see that something does not happen).
    func linger(_ milliseconds: UInt64) {
        _ = run(timeoutMilliseconds: milliseconds) { false }
    }
}
