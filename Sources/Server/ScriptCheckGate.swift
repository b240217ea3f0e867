import API
import Registry

/// Which stored script checks this node may run: the last guard before a process starts.
///
/// The agent API refuses `Args` unless `enable_script_checks` is set, but a check definition
/// reaches the store by other roads too (`/v1/catalog/register` with a `Definition`, a txn), and
/// a definition written through any of them lands on this node's checks. So the scheduler runs
/// a script only when `enable_script_checks` is set, or when the check is one of the
/// configuration file's with the very arguments the file gives (`enable_local_script_checks`):
/// a remote write cannot swap another program into a local check's ID.
struct ScriptCheckGate {
    var policy: ScriptCheckPolicy = .disabled
    /// The configuration file's script checks: check ID to arguments.
    var localArgs: [String: [String]] = [:]
    /// This server's own node. A script checks the host it runs on, so a server that took over
    /// another server's node (`ServerNode+Liveness`) runs that node's network probes, never
    /// its scripts: those keep their last status until their own server is back.
    var node = ""

    init() {}

    init(policy: ScriptCheckPolicy, localRegistrations: [Command], node: String) {
        self.policy = policy
        self.node = node
        for command in localRegistrations {
            switch command {
            case .serviceRegister(let registration):
                for check in registration.checks where !check.definition.args.isEmpty { localArgs[check.checkID] = check.definition.args }
            case .checkRegister(let check) where !check.definition.args.isEmpty:
                localArgs[check.checkID] = check.definition.args
            default:
                continue  // the file holds only service and check registrations
            }
        }
        assert(policy != .disabled || localArgs.isEmpty, "the agent refuses a file with scripts when they are disabled")
    }

    /// Whether `check`'s script may run here.
    func allows(_ check: Check) -> Bool {
        guard !check.definition.args.isEmpty, check.node == node else { return false }
        switch policy {
        case .enabled: return true
        case .localOnly: return localArgs[check.checkID] == check.definition.args
        case .disabled: return false
        }
    }

    /// The run of `check`'s script, or nil when it has none or may not run here. The timeout
    /// is the check's, else Consul's 30 s for scripts; the output cap is its `OutputMaxSize`.
    func spec(_ check: Check) -> ProbeSpec? {
        guard allows(check) else { return nil }
        let definition = check.definition
        let timeout = definition.timeoutNanoseconds.map { UInt64(max(0, $0) / 1_000_000) }.flatMap { $0 > 0 ? $0 : nil }
            ?? ScriptProbe.defaultTimeoutMilliseconds
        return .script(ScriptProbe(args: definition.args, timeoutMilliseconds: timeout, maxOutputBytes: definition.outputMaxSize))
    }
}
