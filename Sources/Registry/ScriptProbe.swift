/// A script check's run (Consul's `Args` / `ScriptArgs`, its `CheckMonitor`): start `args[0]`
/// with the rest as its arguments, without a shell, in the agent's environment, stdout and
/// stderr captured together. Exit 0 is passing, 1 warning, anything else (a signal, a failure
/// to start, the timeout) critical.
public struct ScriptProbe: Sendable, Hashable {
    /// Consul's timeout for a script check that names none (30 s, longer than HTTP's 10 s).
    public static let defaultTimeoutMilliseconds: UInt64 = 30_000

    /// The program and its arguments; a program without a '/' is looked up in `PATH`.
    public var args: [String]
    /// Past this the process group is killed and the check is critical.
    public var timeoutMilliseconds: UInt64
    /// The most output kept, in bytes (Consul's `OutputMaxSize`): the last bytes written.
    public var maxOutputBytes: Int

    public init(args: [String], timeoutMilliseconds: UInt64 = ScriptProbe.defaultTimeoutMilliseconds,
                maxOutputBytes: Int = RegistryLimits.defaultCheckOutputMaxSize) {
        self.args = args
        self.timeoutMilliseconds = timeoutMilliseconds
        self.maxOutputBytes = maxOutputBytes
    }
}
