import Raft
import Registry
import Store

/// Decides when this agent's probed checks (HTTP, TCP, gRPC, H2PING) run and what their results mean
/// (DESIGN.md §9: the core decides, the shell does the I/O and reports back).
///
/// - Each check first runs at a random point within its interval (Consul's stagger, so a
///   restart does not fire every probe at once), then every interval after the previous start.
///   At most one run per check is in flight; a run that is still going when the next is due
///   delays it.
/// - Results are damped as Consul's `StatusHandler` does: passing (or warning) needs
///   `SuccessBeforePassing` consecutive successes; a failure turns the check critical after
///   `FailuresBeforeCritical` consecutive failures, and warning after `FailuresBeforeWarning`
///   (which defaults to the critical threshold) before that.
/// - A status change is proposed at once; an output-only change at most once per
///   `outputWriteMilliseconds` (Consul's `check_update_interval`), so a chatty endpoint does
///   not turn into a write per probe.
/// - `DeregisterCriticalServiceAfter`: a service whose check stayed critical that long is
///   deregistered (Consul's agent reaper), TTL checks included.
///
/// Timing is on the node's monotonic clock; nothing here is replicated: a new owner starts
/// its probes afresh, as a restarted Consul agent does.
struct ProbeScheduler {
    struct Key: Hashable, Comparable {
        let node: String
        let checkID: String
        static func < (a: Key, b: Key) -> Bool { (a.node, a.checkID) < (b.node, b.checkID) }
    }

    private struct Tracked {
        var check: Check
        /// nil for checks that are not probed here (TTL, alias...): tracked for the reaper only.
        var spec: ProbeSpec?
        var intervalMilliseconds: UInt64
        var nextDue: UInt64
        var inFlight: ProbeID?
        var successes = 0
        var failures = 0
        var lastOutputWrite: UInt64 = 0
        /// When this node saw the check turn critical (for the reaper).
        var criticalSince: UInt64?
        /// It came due while a run was still going: it starts as soon as that run ends.
        var overdue = false
    }

    /// A check's next run; stale items (the check was rescheduled or forgotten) are skipped.
    private struct Due: Comparable {
        let at: UInt64
        let key: Key
        static func < (a: Due, b: Due) -> Bool { (a.at, a.key) < (b.at, b.key) }
    }

    /// Consul's `MinInterval` for probed checks.
    static let minimumIntervalMilliseconds: UInt64 = 1000
    /// Consul's default HTTP, TCP, gRPC and H2PING timeout.
    static let defaultTimeoutMilliseconds: UInt64 = 10_000

    /// Consul's `check_update_interval` default (5 minutes).
    var outputWriteMilliseconds: UInt64 = 5 * 60 * 1000
    /// Which script checks may run here (`ScriptCheckGate`); none by default.
    var scripts = ScriptCheckGate()
    private var tracked: [Key: Tracked] = [:]
    private var running: [ProbeID: Key] = [:]
    /// Every tracked check's next due time, earliest first: a tick looks only at what is due.
    private var schedule = MinHeap<Due>()
    /// Checks that are critical and have a `DeregisterCriticalServiceAfter`: the reaper's set.
    private var reapable: Set<Key> = []
    private var nextProbeID: UInt64 = 1

    /// Tracks the checks of the `nodes` this server runs as the store now has them (leadership
    /// starts, or ownership moved); checks of other nodes are forgotten.
    mutating func resync(store: StateStore, nodes: Set<String>, now: UInt64, random: inout SplitMix64) {
        // A read failure leaves the schedule as it was; the next change revisits each check.
        guard let checks = try? store.checks(onNodes: nodes) else { return }
        let present = Set(checks.map { Key(node: $0.value.node, checkID: $0.value.checkID) })
        for key in tracked.keys where !present.contains(key) { forget(key) }
        for indexed in checks { track(indexed.value, now: now, random: &random) }
    }

    /// Looks again at the checks a batch wrote or deleted.
    mutating func update(_ changed: [ChangedCheck], now: UInt64, random: inout SplitMix64) {
        for change in changed {
            if let check = change.check { track(check, now: now, random: &random) } else { forget(Key(node: change.ref.node, checkID: change.ref.checkID)) }
        }
    }

    /// Schedules a new check (staggered by `random`), restarts a changed one, keeps one whose
    /// definition did not change; a check that is not probed or reaped is forgotten.
    private mutating func track(_ check: Check, now: UInt64, random: inout SplitMix64) {
        let key = Key(node: check.node, checkID: check.checkID)
        let spec = Self.spec(check) ?? scripts.spec(check)
        let deregisters = (check.definition.deregisterCriticalServiceAfterNanoseconds ?? 0) > 0 && !check.serviceID.isEmpty
        guard !check.isMaintenance, spec != nil || deregisters else { return forget(key) }
        if var existing = tracked[key], existing.spec == spec, existing.check.definition == check.definition {
            existing.check = check
            existing.criticalSince = check.status == .critical ? (existing.criticalSince ?? now) : nil
            tracked[key] = existing
            noteReapable(key, existing)
            return
        }
        forget(key)
        let interval = max(Self.minimumIntervalMilliseconds, UInt64(max(0, check.definition.intervalNanoseconds ?? 10_000_000_000) / 1_000_000))
        let entry = Tracked(
            check: check, spec: spec, intervalMilliseconds: interval,
            nextDue: now + UInt64.random(in: 0..<interval, using: &random),
            criticalSince: check.status == .critical ? now : nil)
        tracked[key] = entry
        if spec != nil { schedule.push(Due(at: entry.nextDue, key: key)) }
        noteReapable(key, entry)
    }

    private mutating func noteReapable(_ key: Key, _ entry: Tracked) {
        if entry.criticalSince != nil, (entry.check.definition.deregisterCriticalServiceAfterNanoseconds ?? 0) > 0 {
            reapable.insert(key)
        } else {
            reapable.remove(key)
        }
    }

    /// Stops tracking `key`; a run of it still in flight is ignored when it ends.
    private mutating func forget(_ key: Key) {
        guard let entry = tracked.removeValue(forKey: key) else { return }
        if let id = entry.inFlight { running[id] = nil }
        reapable.remove(key)
    }

    /// What to probe for `check`, or nil when it is not probed by this node.
    static func spec(_ check: Check) -> ProbeSpec? {
        let definition = check.definition
        let timeout = definition.timeoutNanoseconds.map { UInt64(max(0, $0) / 1_000_000) }.flatMap { $0 > 0 ? $0 : nil }
            ?? defaultTimeoutMilliseconds
        if !definition.http.isEmpty {
            var headers: [(name: String, value: String)] = []
            for name in definition.header.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                for value in definition.header[name] ?? [] { headers.append((name, value)) }
            }
            return .http(HTTPProbe(
                url: definition.http, method: definition.method.isEmpty ? "GET" : definition.method, headers: headers,
                body: Array(definition.body.utf8), tlsServerName: definition.tlsServerName, tlsSkipVerify: definition.tlsSkipVerify,
                timeoutMilliseconds: timeout, maxOutputBytes: definition.outputMaxSize))
        }
        if !definition.tcp.isEmpty {
            return .tcp(TCPProbe(address: definition.tcp, timeoutMilliseconds: timeout, useTLS: definition.tcpUseTLS,
                                 tlsServerName: definition.tlsServerName, tlsSkipVerify: definition.tlsSkipVerify))
        }
        if !definition.grpc.isEmpty {
            return .grpc(GRPCProbe(target: definition.grpc, useTLS: definition.grpcUseTLS, tlsServerName: definition.tlsServerName,
                                   tlsSkipVerify: definition.tlsSkipVerify, timeoutMilliseconds: timeout))
        }
        if !definition.h2ping.isEmpty {
            return .h2ping(H2PingProbe(address: definition.h2ping, useTLS: definition.h2pingUseTLS, tlsServerName: definition.tlsServerName,
                                       tlsSkipVerify: definition.tlsSkipVerify, timeoutMilliseconds: timeout))
        }
        return nil
    }

    /// Appends a `.startProbe` to `outputs` for each probe to start now; each due check gets
    /// one run and its next due time. (Straight into the node's outputs: a list of specs built
    /// and copied every tick was a tenth of the probing CPU in malloc.)
    mutating func due(now: UInt64, into outputs: inout [NodeOutput]) {
        while let next = schedule.first, next.at <= now {
            _ = schedule.pop()
            let key = next.key
            guard var entry = tracked[key], let spec = entry.spec, entry.nextDue == next.at else { continue }  // stale
            if entry.inFlight != nil {
                entry.overdue = true
                tracked[key] = entry
                continue
            }
            let id = ProbeID(nextProbeID)
            nextProbeID += 1
            entry.inFlight = id
            // The next run is an interval after this one was due, not after it finished, so a
            // late tick does not drift the schedule; a run far behind starts from now.
            entry.nextDue = max(entry.nextDue + entry.intervalMilliseconds, now + entry.intervalMilliseconds / 2)
            entry.overdue = false
            tracked[key] = entry
            schedule.push(Due(at: entry.nextDue, key: key))
            running[id] = key
            outputs.append(.startProbe(id, spec))
        }
    }

    /// A run of `key` now, for an on-demand probe: the run already in flight if there is one,
    /// else a new one (the next scheduled run then follows an interval after it). Nil when the
    /// check is not probed here. `spec` is set when the shell must start the run.
    mutating func startNow(_ key: Key, now: UInt64) -> (id: ProbeID, spec: ProbeSpec?)? {
        guard var entry = tracked[key], let spec = entry.spec else { return nil }
        if let running = entry.inFlight { return (running, nil) }
        let id = ProbeID(nextProbeID)
        nextProbeID += 1
        entry.inFlight = id
        entry.nextDue = now + entry.intervalMilliseconds
        entry.overdue = false
        tracked[key] = entry
        schedule.push(Due(at: entry.nextDue, key: key))
        running[id] = key
        return (id, spec)
    }

    /// A probe ended: applies the damping and returns the write to propose, if any, and the
    /// probed check's service name ("" for a node check); nil for a probe no longer tracked.
    mutating func finished(_ id: ProbeID, _ result: ProbeResult, now: UInt64) -> (command: Command?, service: String)? {
        guard let key = running.removeValue(forKey: id), var entry = tracked[key], entry.inFlight == id else { return nil }
        entry.inFlight = nil
        if entry.overdue {
            // Its next run came due meanwhile: start it on the next tick.
            entry.overdue = false
            entry.nextDue = now
            schedule.push(Due(at: now, key: key))
        }
        let definition = entry.check.definition
        var decided: HealthStatus?
        if result.status == .passing || result.status == .warning {
            entry.successes += 1
            entry.failures = 0
            if entry.successes >= definition.successBeforePassing { decided = result.status }
        } else {
            entry.successes = 0
            entry.failures += 1
            let beforeWarning = definition.failuresBeforeWarning > 0 ? definition.failuresBeforeWarning : definition.failuresBeforeCritical
            if entry.failures >= definition.failuresBeforeCritical {
                decided = .critical
            } else if entry.failures >= beforeWarning {
                decided = .warning
            }
        }
        defer { tracked[key] = entry }
        let service = entry.check.serviceName
        guard let status = decided else { return (nil, service) }
        let output = CheckOutput.capped(result.output, maxBytes: definition.outputMaxSize)
        let statusChanged = status != entry.check.status
        guard statusChanged || (output != entry.check.output && now >= entry.lastOutputWrite + outputWriteMilliseconds) else {
            return (nil, service)
        }
        entry.lastOutputWrite = now
        // The store's copy is updated by the resync this write causes; until then the tracked
        // copy says what was proposed, so the same result is not proposed twice.
        entry.check.status = status
        entry.check.output = output
        return (.checkResult(CheckUpdate(node: key.node, checkID: key.checkID, status: status, output: output)), service)
    }

    /// Services whose check has been critical for longer than its
    /// `DeregisterCriticalServiceAfter`, to deregister (each once: the resync after the write
    /// forgets them).
    mutating func reap(now: UInt64) -> [Command] {
        var commands: [Command] = []
        var reaped = Set<String>()
        for key in reapable.sorted() {
            guard var entry = tracked[key], let since = entry.criticalSince,
                  let after = entry.check.definition.deregisterCriticalServiceAfterNanoseconds, after > 0,
                  now >= since + UInt64(after / 1_000_000),
                  !reaped.contains(entry.check.serviceID) else { continue }
            reaped.insert(entry.check.serviceID)
            entry.criticalSince = nil
            tracked[key] = entry
            reapable.remove(key)
            commands.append(.serviceDeregister(node: key.node, serviceID: entry.check.serviceID))
        }
        return commands
    }
}
