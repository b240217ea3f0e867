// A linearizability checker for the KV workload (Wing & Gong, with Lowe's memoisation, as
// Porcupine and Knossos do): each key is an independent register (P-compositionality), and a
// history of one key is linearizable if some order of its operations, consistent with real
// time (an operation that completed before another was invoked comes first), explains every
// result. Operations that never completed may take effect at any point after their invocation,
// or never.
//
// ModifyIndex and CAS. A CAS names the ModifyIndex it expects, not a value. Every write carries
// a value no other write uses, and a value is written at exactly one Raft index, so the index a
// read reported for a value *is* that value's identity: CAS(expectedIndex: i) is a
// compare-and-set against the value some read saw at index i (0: the key is absent). A value
// seen at two different ModifyIndexes is itself a violation (one write applied twice, or two
// replicas that disagree), reported before the search.
//
// Unknown writes nobody saw. A write (or CAS) without an answer whose value no read ever
// returned can only matter by putting the key in a state no later read sees: all it can explain
// is a refused CAS. Each such write would double the search space, so they leave the search,
// and a refused CAS may instead find the key in an unobserved state when one of them was
// invoked before the CAS completed. That admits every history the full search admits (it never
// invents a violation) and a few more (the unobserved state may be used more than once).

/// What the checker found.
public enum LinearizabilityVerdict: Sendable, Equatable {
    case linearizable
    /// The key whose history cannot be linearized, and why.
    case violation(key: String, reason: String)
    /// The search gave up (the budget was spent): neither proved nor refuted.
    case undecided(key: String)
}

public enum LinearizabilityChecker {
    /// Most search steps per key before giving up.
    public static let defaultStepBudget = 2_000_000

    /// Checks every key's history; the first key that fails decides.
    public static func check(_ history: [HistoryEntry], stepBudget: Int = defaultStepBudget) -> LinearizabilityVerdict {
        let keys = Set(history.map(\.key)).sorted()
        var undecided: String?
        for key in keys {
            let verdict = checkKey(key, history.filter { $0.key == key }, stepBudget: stepBudget)
            switch verdict {
            case .linearizable: continue
            case .violation: return verdict
            case .undecided: undecided = undecided ?? key
            }
        }
        return undecided.map { .undecided(key: $0) } ?? .linearizable
    }

    static func checkKey(_ key: String, _ history: [HistoryEntry], stepBudget: Int) -> LinearizabilityVerdict {
        var valueAtIndex: [UInt64: String] = [:]
        for entry in history {
            guard case .found(let value, let index) = entry.outcome else { continue }
            if let other = valueAtIndex[index], other != value {
                return .violation(key: key, reason: "ModifyIndex \(index) read as both \(other) and \(value)")
            }
            valueAtIndex[index] = value
        }
        var indexOfValue: [String: UInt64] = [:]
        for (index, value) in valueAtIndex.sorted(by: { $0.key < $1.key }) {
            if let other = indexOfValue[value] {
                return .violation(key: key, reason: "value \(value) read at ModifyIndex \(other) and \(index) (applied twice?)")
            }
            indexOfValue[value] = index
        }
        let observed = Set(valueAtIndex.values)
        let unseen = history.filter { entry in
            guard entry.outcome == .unknown else { return false }
            switch entry.request {
            case .read: return false
            case .write(let value), .cas(_, let value): return !observed.contains(value)
            }
        }
        let firstUnseen = unseen.map(\.invokeOrder).min()
        let operations = history.compactMap { entry -> RegisterOperation? in
            if unseen.contains(entry) { return nil }
            return RegisterOperation(entry, valueAtIndex: valueAtIndex, unseenWriteBefore: firstUnseen)
        }
        var search = WGLSearch(operations: operations, stepBudget: stepBudget)
        switch search.run() {
        case .some(true): return .linearizable
        case .some(false):
            return .violation(key: key, reason: "no linearization of \(operations.count) operations; longest prefix: \(search.bestPrefix)")
        case .none: return .undecided(key: key)
        }
    }
}

/// One operation on a register whose values are strings (nil: absent).
struct RegisterOperation: Equatable {
    enum Kind: Equatable {
        case read(String?)
        case write(String)
        /// Set `new` if the value is `expected`; `succeeded` nil when the answer is unknown.
        case cas(expected: String?, new: String, succeeded: Bool?)
    }

    var kind: Kind
    var invoke: UInt64
    /// `UInt64.max` for an operation that never completed.
    var complete: UInt64
    var summary: String
    /// A refused CAS that may find the key in a state no read saw (an unanswered, unseen write
    /// was invoked before it completed).
    var mayMeetUnseenWrite = false

    /// The state an unseen write leaves: no read returns it, no CAS expects it.
    static let unseenValue = "\u{0}unseen"

    /// nil for what constrains nothing: a read without an answer, a refused plain write.
    init?(_ entry: HistoryEntry, valueAtIndex: [UInt64: String], unseenWriteBefore firstUnseen: UInt64? = nil) {
        invoke = entry.invokeOrder
        complete = entry.outcome == .unknown ? UInt64.max : (entry.completeOrder ?? UInt64.max)
        summary = entry.summary
        switch (entry.request, entry.outcome) {
        case (.read, .found(let value, _)): kind = .read(value)
        case (.read, .notFound): kind = .read(nil)
        case (.read, _): return nil
        case (.write, .refused): return nil
        case (.write(let value), _): kind = .write(value)
        case (.cas(let index, let value), let outcome):
            // An index no read reported names a value no operation can match.
            let expected = index == 0 ? nil : (valueAtIndex[index] ?? "<unseen index \(index)>")
            let succeeded: Bool? = outcome == .applied ? true : (outcome == .refused ? false : nil)
            kind = .cas(expected: expected, new: value, succeeded: succeeded)
            mayMeetUnseenWrite = succeeded == false && firstUnseen.map { $0 < complete } == true
        }
    }

    /// The register after this operation, or nil when it cannot happen in `state`.
    func step(_ state: String?) -> String?? {
        switch kind {
        case .read(let seen): return seen == state ? .some(state) : nil
        case .write(let value): return .some(value)
        case .cas(let expected, let new, let succeeded):
            if state == expected {
                if succeeded == false { return mayMeetUnseenWrite ? .some(Self.unseenValue) : nil }
                return .some(new)
            }
            return succeeded == true ? nil : .some(state)
        }
    }
}
