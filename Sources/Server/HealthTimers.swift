import Registry
import Store

/// The leader's timers for TTL checks and session TTLs (DESIGN.md §7: deadlines are decided by
/// the leader, and what they cause is a command in the log, so every replica applies the same).
///
/// Deadlines are on the monotonic clock and live only in the leader's memory: a new leader
/// restarts every timer in full, as Consul does.
struct HealthTimers {
    struct CheckKey: Hashable, Comparable {
        let node: String
        let checkID: String
        static func < (a: CheckKey, b: CheckKey) -> Bool { (a.node, a.checkID) < (b.node, b.checkID) }
    }

    /// TTL checks of this agent: when each lapses, and its TTL.
    private(set) var checkDeadlines: [CheckKey: (deadline: UInt64, ttlMilliseconds: UInt64)] = [:]
    /// Sessions with a TTL: when each is invalidated.
    private(set) var sessionDeadlines: [String: (deadline: UInt64, ttlMilliseconds: UInt64)] = [:]

    /// Consul invalidates a session after twice its TTL without a renewal (consul-api.md §2.6).
    static let sessionTTLMultiplier: UInt64 = 2

    /// Arms every timer in full (leadership starts).
    mutating func restart(store: StateStore, nodes: Set<String>, now: UInt64) {
        checkDeadlines = [:]
        sessionDeadlines = [:]
        resync(store: store, nodes: nodes, now: now)
    }

    /// Adds timers for new TTL checks (of the `nodes` whose checks this server runs) and
    /// sessions, drops those that are gone, keeps the rest.
    mutating func resync(store: StateStore, nodes: Set<String>, now: UInt64) {
        var checks: [CheckKey: (deadline: UInt64, ttlMilliseconds: UInt64)] = [:]
        // A read failure here leaves the timers as they were; the next change resyncs them.
        guard let agentChecks = try? store.checks(onNodes: nodes), let sessions = try? store.sessionTimers() else { return }
        for indexed in agentChecks {
            guard let ttl = indexed.value.definition.ttlNanoseconds, ttl > 0 else { continue }
            let key = CheckKey(node: indexed.value.node, checkID: indexed.value.checkID)
            let ttlMilliseconds = UInt64(ttl / 1_000_000)
            checks[key] = checkDeadlines[key] ?? (now + ttlMilliseconds, ttlMilliseconds)
        }
        checkDeadlines = checks
        resyncSessions(sessions, now: now)
    }

    /// Arms timers for new sessions with a TTL, drops those of sessions that are gone.
    private mutating func resyncSessions(_ sessions: [SessionTimer], now: UInt64) {
        var deadlines: [String: (deadline: UInt64, ttlMilliseconds: UInt64)] = [:]
        for timer in sessions where timer.ttlNanoseconds > 0 {
            let ttl = UInt64(timer.ttlNanoseconds / 1_000_000)
            deadlines[timer.id] = sessionDeadlines[timer.id] ?? (now + Self.sessionTTLMultiplier * ttl, ttl)
        }
        sessionDeadlines = deadlines
    }

    /// Brings the TTL timers of `changed` checks up to date (armed for a new TTL check, kept for
    /// one that still is, dropped otherwise), reading only those checks; the session timers are
    /// resynced in full only when `sessions` says sessions changed.
    mutating func update(checks changed: [ChangedCheck], sessions: Bool, store: StateStore, now: UInt64) {
        for change in changed {
            let key = CheckKey(node: change.ref.node, checkID: change.ref.checkID)
            guard let check = change.check, let ttl = check.definition.ttlNanoseconds, ttl > 0 else {
                checkDeadlines[key] = nil
                continue
            }
            let ttlMilliseconds = UInt64(ttl / 1_000_000)
            if let armed = checkDeadlines[key], armed.ttlMilliseconds == ttlMilliseconds { continue }
            checkDeadlines[key] = (now + ttlMilliseconds, ttlMilliseconds)
        }
        // A read failure leaves the session timers as they were; the next change resyncs them.
        guard sessions, let timers = try? store.sessionTimers() else { return }
        resyncSessions(timers, now: now)
    }

    /// Re-arms the timers a just-applied command restarts: a TTL check's update, a session's
    /// creation or renewal.
    mutating func applied(_ command: Command, outcome: ApplyOutcome, now: UInt64) {
        guard !outcome.result.isRefusal else { return }
        switch command {
        case .checkUpdate(let update):
            let key = CheckKey(node: update.node, checkID: update.checkID)
            if let armed = checkDeadlines[key] { checkDeadlines[key] = (now + armed.ttlMilliseconds, armed.ttlMilliseconds) }
        case .sessionCreate(let session, _):
            if let ttl = session.ttlNanoseconds, ttl > 0 {
                let milliseconds = UInt64(ttl / 1_000_000)
                sessionDeadlines[session.id] = (now + Self.sessionTTLMultiplier * milliseconds, milliseconds)
            }
        case .sessionRenew(let id, _):
            if let armed = sessionDeadlines[id] {
                sessionDeadlines[id] = (now + Self.sessionTTLMultiplier * armed.ttlMilliseconds, armed.ttlMilliseconds)
            }
        case .ttlExpired(let expiry):
            checkDeadlines[CheckKey(node: expiry.node, checkID: expiry.checkID)] = nil
        case .sessionDestroy(let id):
            sessionDeadlines[id] = nil
        case .catalogRegister, .catalogDeregister, .serviceRegister, .serviceDeregister, .checkRegister,
             .checkDeregister, .kv, .txn, .eventFire, .configPut, .configDelete, .leaseGrant, .leaseRelease, .checkResult, .nodeLiveness:
            break
        }
    }

    /// The commands for timers that have run out, in a fixed order; their timers are disarmed
    /// (a TTL check re-arms on its next update). Session timers run out only on the leader
    /// (`sessions`); elsewhere they stay armed.
    mutating func due(now: UInt64, store: StateStore, sessions: Bool) -> [Command] {
        var commands: [Command] = []
        for key in checkDeadlines.keys.sorted() where checkDeadlines[key]!.deadline <= now {
            checkDeadlines[key] = nil
            // Unreadable output only loses the text; the check still turns critical.
            let last = (try? store.agentChecks(onNode: key.node).value.first { $0.value.checkID == key.checkID }?.value.output) ?? ""
            let output = last.isEmpty ? "TTL expired" : "TTL expired (last output before timeout follows): \(last)"
            commands.append(.ttlExpired(TTLExpiry(node: key.node, checkID: key.checkID, output: output)))
        }
        for id in sessionDeadlines.keys.sorted() where sessions && sessionDeadlines[id]!.deadline <= now {
            sessionDeadlines[id] = nil
            commands.append(.sessionDestroy(id: id))
        }
        return commands
    }
}
