import Glibc
import HTTP
import Loop
import Registry
import Server

/// The bounds of the probe runner, in one place.
public struct ProbeLimits: Sendable {
    /// Probes running at once; one more finishes at once as critical ("too many probes in flight").
    public var maxInFlight = 1024
    /// Name lookups running at once. They run on libuv's pool of four threads, which raft.db
    /// appends and state.db checkpoints also need: a slow resolver must not take all four.
    /// Waiting lookups queue in start order; their probes' timeouts still run.
    public var maxConcurrentLookups = 2
    /// Resolved addresses tried one after another (Go's dialer tries each in turn).
    public var maxAddressesTried = 4
    /// The most body a probe keeps for its output, whatever the check's OutputMaxSize.
    public var maxOutputBytesCeiling = 1024 * 1024
    /// Bytes read from one response; past this the probe ends with what it has, as if the
    /// server had closed (bounds what a hostile service can make a probe read in its timeout).
    public var maxResponseBytes = 4 * 1024 * 1024
    /// The bounds of one response head, chunk line and trailer.
    public var response = HTTPResponseParserLimits()
    /// Idle HTTP connections kept for later probes (`ProbeConnectionPool`): one per target for
    /// 16,384 checks of distinct targets, and never more than half the open-file limit (the
    /// other half is for API clients, peers and probes in flight).
    public var maxIdleConnections = 16_384
    /// How long an idle connection is kept (Go's default transport keeps them 90 s).
    public var idleConnectionMilliseconds: UInt64 = 90_000

    public init() {}

    /// Stops the process when the limits cannot work together (a programming error).
    func check() {
        precondition(maxInFlight >= 1 && maxConcurrentLookups >= 1 && maxAddressesTried >= 1)
        precondition(maxIdleConnections >= 0 && idleConnectionMilliseconds >= 1)
        precondition(maxOutputBytesCeiling >= RegistryLimits.defaultCheckOutputMaxSize, "the ceiling must hold Consul's default output")
        precondition(maxResponseBytes >= maxOutputBytesCeiling + response.maxHeadBytes, "a response must be able to fill the output")
    }
}

/// Runs the health probes the node asks for (`NodeOutput.startProbe`) and reports each one's end
/// exactly once through `onFinished`, never from inside `start`, at the latest when its timeout
/// passes (plus a loop round). Confined to the loop thread, like every handle it opens.
///
/// Each probe owns a timer for its whole timeout, a name lookup when the host is a name, and a
/// TCP connection; a script check (`ScriptRun`) a timer, a pipe and a process. All are closed
/// when it ends, whatever the path (a killed script's process once it is reaped), except an HTTP
/// connection left reusable, which waits in `connections` for the next probe of its address.
/// `shutDown()` ends every probe without reporting and closes the idle connections, so that
/// `EventLoop.closeAllHandles()` leaves nothing open.
public final class ProbeRunner {
    /// The config file key (in the `security` section) that lifts the link-local guard.
    public static let allowLinkLocalConfigKey = "checks_allow_link_local_targets"

    let loop: EventLoop
    let limits: ProbeLimits
    /// Whether probes may reach link-local and cloud-metadata addresses (`ProbeAddressPolicy`).
    let allowLinkLocalTargets: Bool
    private let onFinished: (ProbeID, ProbeResult) -> Void
    private var runs: [ProbeID: ProbeRun] = [:]
    /// Script checks running (`ScriptRun`); they count against `maxInFlight` with `runs`.
    private var scripts: [ProbeID: ScriptRun] = [:]
    /// Probes whose host waits for a lookup slot, in start order.
    private var lookupQueue: [ProbeRun] = []
    private var lookupsRunning = 0
    /// The TLS contexts of `https://` probes, one per configuration, made on first use.
    private var verifyingTLSContext: TLSClientContext?
    private var skipVerifyTLSContext: TLSClientContext?
    /// True while `start` runs: a result found then is reported from a later loop round.
    private var starting = false
    private var isShutDown = false
    /// Idle HTTP/1.1 connections, for the next probe of the same address.
    let connections: ProbeConnectionPool

    /// A runner on `loop`. `onFinished` runs on the loop thread, once per started probe.
    public init(loop: EventLoop, limits: ProbeLimits = ProbeLimits(), allowLinkLocalTargets: Bool,
                onFinished: @escaping (ProbeID, ProbeResult) -> Void) {
        limits.check()
        self.loop = loop
        self.limits = limits
        self.allowLinkLocalTargets = allowLinkLocalTargets
        self.onFinished = onFinished
        connections = ProbeConnectionPool(loop: loop, maxIdle: min(limits.maxIdleConnections, Self.openFileLimit() / 2),
                                          idleMilliseconds: limits.idleConnectionMilliseconds)
    }

    /// The process's open-file limit (soft), which every kept connection counts against.
    private static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return Int(clamping: min(limit.rlim_cur, rlim_t(Int32.max)))
    }

    /// Each spec's plan (URL parsed, request bytes built), made once: a check's spec is the same
    /// run after run, and remaking the plan every time was a twentieth of the probing CPU.
    private var plans: [ProbeSpec: ProbePlanOutcome] = [:]
    /// Past this many specs the cache starts over (checks come and go; it must not grow without end).
    static let maxCachedPlans = 65_536

    private func plan(for spec: ProbeSpec) -> ProbePlanOutcome {
        if let cached = plans[spec] { return cached }
        if plans.count >= Self.maxCachedPlans { plans.removeAll(keepingCapacity: true) }
        let made = ProbePlan.make(spec, limits: limits)
        plans[spec] = made
        return made
    }

    /// Probes started and not yet finished.
    public var inFlightCount: Int { runs.count + scripts.count }

    /// Starts probe `id`; its result comes later through `onFinished`. An `id` must not be
    /// reused while its probe runs (the node numbers its probes). Ignored after `shutDown()`.
    public func start(_ id: ProbeID, _ spec: ProbeSpec) {
        guard !isShutDown else { return }
        precondition(runs[id] == nil && scripts[id] == nil, "probe \(id.value) started twice")
        starting = true
        defer { starting = false }
        let startedAt = loop.nowMilliseconds
        guard inFlightCount < limits.maxInFlight else {
            return deliver(id, ProbeResult(status: .critical, output: ProbeOutput.tooManyInFlight, durationMilliseconds: 0))
        }
        if case .script(let probe) = spec {
            let run = ScriptRun(id: id, probe: probe, runner: self, startedAt: startedAt)
            scripts[id] = run
            return run.begin()
        }
        switch plan(for: spec) {
        case .finish(let status, let output):
            deliver(id, ProbeResult(status: status, output: output, durationMilliseconds: 0))
        case .run(let plan):
            let run = ProbeRun(id: id, plan: plan, runner: self, startedAt: startedAt)
            runs[id] = run
            run.begin()
        }
        assert(inFlightCount <= limits.maxInFlight)
    }

    /// Ends every probe without reporting it (the node is stopping) and refuses new ones.
    /// Lookups already on a pool thread cannot be stopped; the loop waits for them in
    /// `closeAllHandles`, and their results are dropped.
    public func shutDown() {
        guard !isShutDown else { return }
        isShutDown = true
        lookupQueue.removeAll()
        for id in runs.keys.sorted() { runs[id]?.finish(.critical, ProbeOutput.shuttingDown) }
        for id in scripts.keys.sorted() { scripts[id]?.finish(.critical, ProbeOutput.shuttingDown) }
        assert(runs.isEmpty && scripts.isEmpty)
        connections.shutDown()
    }

    /// Called by a run as it ends (once).
    func runFinished(_ run: ProbeRun, _ result: ProbeResult) {
        precondition(runs[run.id] === run, "a probe finished twice or was never started")
        runs[run.id] = nil
        lookupQueue.removeAll { $0 === run }
        deliver(run.id, result)
    }

    /// Called by a script run as it ends (once).
    func scriptFinished(_ run: ScriptRun, _ result: ProbeResult) {
        precondition(scripts[run.id] === run, "a script run finished twice or was never started")
        scripts[run.id] = nil
        deliver(run.id, result)
    }

    private func deliver(_ id: ProbeID, _ result: ProbeResult) {
        guard !isShutDown else { return }
        if starting {
            // Never call back from inside the call that started the probe.
            loop.defer { [weak self] in self?.deliverNow(id, result) }
        } else {
            deliverNow(id, result)
        }
    }

    private func deliverNow(_ id: ProbeID, _ result: ProbeResult) {
        guard !isShutDown else { return }
        onFinished(id, result)
    }

    /// The shared context for sessions that verify their peer (or, for `TLSSkipVerify`, do not).
    func tlsContext(verifiesPeer: Bool) throws(TLSClientError) -> TLSClientContext {
        if let context = verifiesPeer ? verifyingTLSContext : skipVerifyTLSContext { return context }
        let context = try TLSClientContext(verifiesPeer: verifiesPeer)
        if verifiesPeer { verifyingTLSContext = context } else { skipVerifyTLSContext = context }
        assert(context.verifiesPeer == verifiesPeer)
        return context
    }

    /// Queues a name lookup for `run`; it starts when one of `maxConcurrentLookups` is free.
    func requestLookup(for run: ProbeRun) {
        assert(!lookupQueue.contains { $0 === run })
        lookupQueue.append(run)
        startQueuedLookups()
    }

    private func startQueuedLookups() {
        while !isShutDown && lookupsRunning < limits.maxConcurrentLookups && !lookupQueue.isEmpty {
            let run = lookupQueue.removeFirst()
            lookupsRunning += 1
            // The slot is held until libuv calls back, even when the probe ended long before:
            // only then is the pool thread free again.
            let lookup = NameResolution.start(loop: loop, host: run.plan.endpoint.host, port: run.plan.endpoint.port) {
                [weak self, weak run] result in
                guard let self else { return }
                self.lookupsRunning -= 1
                assert(self.lookupsRunning >= 0)
                run?.resolved(result)
                self.startQueuedLookups()
            }
            run.lookupStarted(lookup)
        }
    }
}
