/// The texts of the refusals apply returns, in Consul's words (consul-api.md §1.2, §2.5, §2.6;
/// hashicorp/consul `agent/consul/state/{catalog,session,kvs,txn}.go`), in one place because
/// clients match on them.
enum ConsulText {
    static let missingNode = "Missing node registration"
    static let missingService = "Missing service registration"
    static let missingSession = "missing session"

    static func unknownServiceID(_ id: String) -> String {
        "Unknown service ID \(goQuoted(id)). Ensure that the service ID is passed, not the service name."
    }

    static func unknownCheckID(_ id: String) -> String {
        "Unknown check ID \(goQuoted(id)). Ensure that the check ID is passed, not the check name."
    }

    static func serviceIDDoesNotExist(_ id: String) -> String {
        "ServiceID \(goQuoted(id)) does not exist"
    }

    static func noAssociatedTTL(_ id: String) -> String {
        "CheckID \(goQuoted(id)) does not have associated TTL"
    }

    static func invalidSession(_ id: String) -> String {
        "invalid session \(goQuoted(id))"
    }

    static func sessionNotFound(_ id: String) -> String {
        "Session id '\(id)' not found"
    }

    static func sessionExists(_ id: String) -> String {
        "Session ID \(goQuoted(id)) already exists"
    }

    static func missingCheck(_ id: String) -> String {
        "Missing check '\(id)' registration"
    }

    static func checkInState(_ id: String, _ status: String) -> String {
        "Check '\(id)' is in \(status) state"
    }

    /// `ensureRegistrationTxn` prefixes what failed: "failed inserting check: ...".
    static func failedInserting(_ what: String, _ reason: String) -> String {
        "failed inserting \(what): \(reason)"
    }

    /// Go's `%q` of a string (`strconv.Quote`): double quotes, with quotes, backslashes and
    /// control characters escaped.
    static func goQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            quoted += escaped(scalar)
        }
        return quoted + "\""
    }

    private static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\"": return "\\\""
        case "\\": return "\\\\"
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: break
        }
        guard scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0) else { return String(scalar) }
        let hex = String(scalar.value, radix: 16)
        let padded = String(repeating: "0", count: max(0, 2 - hex.count)) + hex
        return scalar.value < 0x80 ? "\\x" + padded : "\\u00" + padded
    }
}

/// The transaction error texts (hashicorp/consul `agent/consul/state/txn.go`, `kvs.go`).
enum TxnText {
    static func staleSet(key: String) -> String { "failed to set key \(ConsulText.goQuoted(key)), index is stale" }
    static func staleDelete(key: String) -> String { "failed to delete key \(ConsulText.goQuoted(key)), index is stale" }
    static func lockHeld(key: String) -> String { "failed to lock key \(ConsulText.goQuoted(key)), lock is already held" }
    static func lockDelay(key: String) -> String { "failed to lock key \(ConsulText.goQuoted(key)), key is in lock-delay" }
    static func notUnlocked(key: String) -> String {
        "failed to unlock key \(ConsulText.goQuoted(key)), lock isn't held, or is held by another session"
    }
    static func keyMissing(_ key: String) -> String { "key \(ConsulText.goQuoted(key)) doesn't exist" }
    static func keyExists(_ key: String) -> String { "key \(ConsulText.goQuoted(key)) exists" }
    static func checkIndexMissing(_ key: String) -> String {
        "failed to check index, key \(ConsulText.goQuoted(key)) doesn't exist"
    }
    static func checkIndexMismatch(_ key: String, current: UInt64, expected: UInt64) -> String {
        "failed index check for key \(ConsulText.goQuoted(key)), current modify index \(current) != \(expected)"
    }
    static func checkSessionMissing(_ key: String) -> String {
        "failed to check session, key \(ConsulText.goQuoted(key)) doesn't exist"
    }
    static func checkSessionMismatch(_ key: String, current: String, expected: String) -> String {
        "failed session check for key \(ConsulText.goQuoted(key)), current session \(ConsulText.goQuoted(current)) != \(ConsulText.goQuoted(expected))"
    }
    static func nodeMissing(_ node: String) -> String { "node \(ConsulText.goQuoted(node)) doesn't exist" }
    static func staleNode(_ verb: String, _ node: String) -> String {
        "failed to \(verb) node \(ConsulText.goQuoted(node)), index is stale"
    }
    static func serviceMissing(_ id: String, node: String) -> String {
        "service \(ConsulText.goQuoted(id)) on node \(ConsulText.goQuoted(node)) doesn't exist"
    }
    static func staleService(_ verb: String, _ id: String, node: String) -> String {
        "failed to \(verb) service \(ConsulText.goQuoted(id)) on node \(ConsulText.goQuoted(node)), index is stale"
    }
    static func checkMissing(_ id: String, node: String) -> String {
        "check \(ConsulText.goQuoted(id)) on node \(ConsulText.goQuoted(node)) doesn't exist"
    }
    static func staleCheck(_ verb: String, _ id: String, node: String) -> String {
        "failed to \(verb) check \(ConsulText.goQuoted(id)) on node \(ConsulText.goQuoted(node)), index is stale"
    }
}
