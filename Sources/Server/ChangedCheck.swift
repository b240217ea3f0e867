import Registry
import Store

/// A check of this agent that an applied batch wrote (`check` is its new value) or deleted
/// (`check` is nil), read once for the timers, the probe schedule and the alias checks.
struct ChangedCheck {
    let ref: CheckRef
    let check: Check?

    /// The checks of `nodes` among `refs`, each read once, in order; a check whose read fails
    /// is left out (what looks at it keeps its old view until the check's next change).
    static func read(_ refs: [CheckRef], nodes: Set<String>, store: StateStore) -> [ChangedCheck] {
        Set(refs).filter { nodes.contains($0.node) }.sorted().compactMap { ref in
            do { return ChangedCheck(ref: ref, check: try store.check(ref)?.value) } catch { return nil }
        }
    }
}
