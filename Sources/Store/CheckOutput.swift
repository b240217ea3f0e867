import Registry

/// Check output texts as Consul writes them (hashicorp/consul agent/checks/check.go), in one
/// place: apply caps TTL updates with `capped`, and the leader words a TTL expiry with
/// `ttlExpired` before it proposes `Command.ttlExpired`.
public enum CheckOutput {
    /// `output` if it fits `maxBytes` (0 means `RegistryLimits.defaultCheckOutputMaxSize`),
    /// else its first bytes and Consul's note: `<first> ... (captured N of M bytes)`. The cut
    /// falls on a Unicode scalar boundary, so N may be a few bytes under the limit.
    public static func capped(_ output: String, maxBytes: Int) -> String {
        let limit = maxBytes > 0 ? maxBytes : RegistryLimits.defaultCheckOutputMaxSize
        let total = output.utf8.count
        guard total > limit else { return output }
        var kept = ""
        var keptBytes = 0
        for scalar in output.unicodeScalars {
            let width = UTF8.width(scalar)
            guard keptBytes + width <= limit else { break }
            kept.unicodeScalars.append(scalar)
            keptBytes += width
        }
        assert(keptBytes <= limit && keptBytes < total, "the cut keeps less than the whole")
        return "\(kept) ... (captured \(keptBytes) of \(total) bytes)"
    }

    /// The output of a TTL check that lapsed: `TTL expired`, followed by the last output the
    /// check had, if any (consul-api.md §1.10).
    public static func ttlExpired(lastOutput: String) -> String {
        lastOutput.isEmpty ? "TTL expired" : "TTL expired (last output before timeout follows): " + lastOutput
    }
}
