import CLibUV
import Loop
import Registry

// A script check's output and result texts as Consul's CheckMonitor writes them
// (hashicorp/consul agent/checks/check.go): the last bytes the script wrote, with
// "Captured N of M bytes\n...\n" in front when it wrote more; "Timed out (30s) running check"
// on a timeout; Go's exec error when the program cannot start. Pure, so tested without a process.

/// The last bytes a script wrote (Consul keeps them in a ring buffer, `circbuf`) and how many
/// it wrote in all.
struct ScriptOutput {
    /// The stored output's limit: the text (note included) fits in it.
    let maxBytes: Int
    /// Bytes the script wrote, kept or not.
    private(set) var totalBytes = 0
    /// The newest bytes, at most `2 * maxBytes` between trims.
    private var tail: [UInt8] = []

    init(maxBytes: Int) {
        precondition(maxBytes > 0, "a script's output needs room")
        self.maxBytes = maxBytes
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        totalBytes += bytes.count
        tail.append(contentsOf: bytes.count > maxBytes ? UnsafeRawBufferPointer(rebasing: bytes.suffix(maxBytes)) : bytes)
        if tail.count > 2 * maxBytes { tail.removeFirst(tail.count - maxBytes) }
        assert(tail.count <= 2 * maxBytes)
    }

    /// All of it when it fits; else Consul's note and as many of the last bytes as fit with it
    /// in `maxBytes` (Consul keeps a whole buffer after its note; the store would then cut the
    /// end off, so the note counts here). The cut starts on a UTF-8 character boundary.
    var text: String {
        guard totalBytes > maxBytes else { return String(decoding: tail.suffix(maxBytes), as: UTF8.self) }
        let room = max(0, maxBytes - Self.note(kept: maxBytes, total: totalBytes).utf8.count)
        var kept = tail.suffix(room)
        while let first = kept.first, first & 0xC0 == 0x80 { kept.removeFirst() }  // a continuation byte
        return Self.note(kept: kept.count, total: totalBytes) + String(decoding: kept, as: UTF8.self)
    }

    private static func note(kept: Int, total: Int) -> String {
        "Captured \(kept) of \(total) bytes\n...\n"
    }

    /// Consul's status for an exit: 0 passing, 1 warning, anything else (a signal too) critical.
    static func status(_ exit: ChildProcess.Exit) -> HealthStatus {
        guard exit.signal == 0 else { return .critical }
        switch exit.code {
        case 0: return .passing
        case 1: return .warning
        default: return .critical
        }
    }

    /// `Timed out (30s) running check`, then a blank line and the output when there is some.
    static func timedOut(milliseconds: UInt64, output: String) -> String {
        let message = "Timed out (\(GoDuration.format(nanoseconds: Int64(clamping: milliseconds) * 1_000_000))) running check"
        return output.isEmpty ? message : message + "\n\n" + output
    }

    /// Go's error for a program that did not start: `exec: "x": executable file not found in
    /// $PATH` for a name looked up in PATH, `fork/exec /x: permission denied` for a path.
    static func startFailed(_ program: String, _ error: LoopError) -> String {
        if !program.contains("/") && (error.code == UV_ENOENT.rawValue || error.code == UV_EACCES.rawValue) {
            return "exec: \(GoText.quoted(program)): executable file not found in $PATH"
        }
        return "fork/exec \(program): \(GoText.errorText(error))"
    }
}
