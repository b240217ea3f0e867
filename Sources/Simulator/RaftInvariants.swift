import Raft

// Raft's safety properties (Raft paper, Figure 3), checked against every live node after every
// simulation step. Each check is incremental (it looks only at what changed since the node was
// last seen), so it can run after every step of a long run; `fullCheck` rescans everything.
//
// - Election safety: at most one leader per term.
// - Log matching: an entry at (index, term) has the same content and the same predecessor term
//   on every node; by induction, logs that share an (index, term) agree up to there.
// - Leader completeness: an entry committed while the cluster was at term T is in the log of
//   every leader of a term after T. (The term recorded is that of the node first seen with the
//   entry committed: never earlier than the term it really committed in, so no false alarms
//   from a stale leader of an intermediate term, Figure 8.)
// - State machine safety: every node applies the same entry at the same index.

/// What identifies an entry's content, cheaply.
struct EntryFingerprint: Equatable {
    var previousTerm: UInt64
    var kind: UInt8
    var dataHash: UInt64
}

public struct RaftInvariants {
    private struct Position: Hashable {
        var index: UInt64
        var term: UInt64
    }

    /// What the checker remembers of one node between checks.
    private struct Seen {
        /// Term of each index as last checked (index 0 unused).
        var terms: [UInt64] = [0]
        var commitChecked: UInt64 = 0
        var appliedChecked: UInt64 = 0
    }

    private var leaderOfTerm: [UInt64: RaftNodeID] = [:]
    private var entries: [Position: EntryFingerprint] = [:]
    /// Committed entries by index (0 unused): their term, and the term of the node first seen
    /// with it committed; term 0 where no node was seen committing that index yet.
    private var committed: [(term: UInt64, seenAtTerm: UInt64)] = [(0, 0)]
    private var applied: [UInt64: (term: UInt64, dataHash: UInt64)] = [:]
    private var seen: [RaftNodeID: Seen] = [:]
    /// Leaders already checked for completeness, by (id, term).
    private var checkedLeaders: Set<Position> = []

    public init() {}

    /// Forgets what was checked of a node that restarted: its log and marks start over.
    public mutating func restarted(_ id: RaftNodeID) {
        seen[id] = nil
    }

    /// Checks one live node; returns the violations found (empty when all hold).
    public mutating func check(_ node: RaftNode) -> [String] {
        var violations: [String] = []
        var state = seen[node.config.id] ?? Seen()
        electionSafety(node, &violations)
        logMatching(node, &state, &violations)
        commitment(node, &state, &violations)
        stateMachineSafety(node, &state, &violations)
        leaderCompleteness(node, &violations)
        seen[node.config.id] = state
        return violations
    }

    /// Rescans a node's whole log (the incremental walk stops at the first unchanged entry).
    public mutating func fullCheck(_ node: RaftNode) -> [String] {
        seen[node.config.id] = nil
        checkedLeaders = checkedLeaders.filter { $0.index != node.config.id }
        return check(node)
    }

    private mutating func electionSafety(_ node: RaftNode, _ violations: inout [String]) {
        guard node.role == .leader else { return }
        if let other = leaderOfTerm[node.term], other != node.config.id {
            violations.append("two leaders in term \(node.term): \(other) and \(node.config.id)")
        }
        leaderOfTerm[node.term] = node.config.id
    }

    private mutating func logMatching(_ node: RaftNode, _ state: inout Seen, _ violations: inout [String]) {
        let log = node.log
        var index = log.lastIndex
        while index >= log.firstIndex, index > 0 {
            let term = log.term(at: index)!
            if Int(index) < state.terms.count, state.terms[Int(index)] == term { break }
            let entry = log.entries[Int(index - log.snapshotIndex - 1)]
            precondition(entry.index == index, "RaftLog.entries are contiguous")
            let fingerprint = EntryFingerprint(
                previousTerm: log.term(at: index - 1) ?? 0, kind: entry.kind.rawValue, dataHash: FNV1a.hash(entry.data))
            let position = Position(index: index, term: term)
            if let known = entries[position] {
                if known != fingerprint {
                    violations.append("log matching: node \(node.config.id) holds a different entry at index \(index) term \(term)")
                }
            } else {
                entries[position] = fingerprint
            }
            if index <= log.committed, let known = committedEntry(index), known.term != term {
                violations.append("node \(node.config.id) replaced committed entry \(index) (term \(known.term)) with one of term \(term)")
            }
            index -= 1
        }
        let count = Int(log.lastIndex) + 1
        if state.terms.count > count { state.terms.removeLast(state.terms.count - count) }
        while state.terms.count < count { state.terms.append(0) }
        for changed in stride(from: index + 1, through: log.lastIndex, by: 1) {
            state.terms[Int(changed)] = log.term(at: changed)!
        }
    }

    private mutating func commitment(_ node: RaftNode, _ state: inout Seen, _ violations: inout [String]) {
        let log = node.log
        if log.committed < state.commitChecked { state.commitChecked = log.committed }
        guard log.committed > state.commitChecked else { return }
        for index in max(state.commitChecked + 1, log.firstIndex)...max(log.committed, log.firstIndex) where index <= log.committed {
            guard let term = log.term(at: index) else {
                violations.append("node \(node.config.id) commits index \(index), which its log does not hold")
                break
            }
            if let known = committedEntry(index) {
                if known.term != term { violations.append("committed index \(index) has term \(known.term) and term \(term) (node \(node.config.id))") }
            } else {
                while committed.count <= Int(index) { committed.append((0, 0)) }
                committed[Int(index)] = (term, node.term)
            }
        }
        state.commitChecked = log.committed
    }

    private func committedEntry(_ index: UInt64) -> (term: UInt64, seenAtTerm: UInt64)? {
        guard Int(index) < committed.count, committed[Int(index)].term != 0 else { return nil }
        return committed[Int(index)]
    }

    private mutating func stateMachineSafety(_ node: RaftNode, _ state: inout Seen, _ violations: inout [String]) {
        let log = node.log
        if log.applied < state.appliedChecked { state.appliedChecked = log.applied }
        guard log.applied > state.appliedChecked else { return }
        for entry in log.entries(from: state.appliedChecked + 1, through: log.applied) {
            let fingerprint = (term: entry.term, dataHash: FNV1a.hash(entry.data))
            if let known = applied[entry.index] {
                if known != fingerprint {
                    violations.append("state machine safety: node \(node.config.id) applied term \(entry.term) at index \(entry.index); another node applied term \(known.term)")
                }
            } else {
                applied[entry.index] = fingerprint
            }
        }
        state.appliedChecked = log.applied
    }

    /// A leader holds every entry committed while the cluster was at an earlier term.
    private mutating func leaderCompleteness(_ node: RaftNode, _ violations: inout [String]) {
        guard node.role == .leader else { return }
        let log = node.log
        let key = Position(index: node.config.id, term: node.term)
        // New leaders are checked against everything committed; known ones against what others
        // committed beyond their own commit index (up to it, `logMatching` checks).
        let first = checkedLeaders.insert(key).inserted
        let low = max(first ? 1 : log.committed + 1, log.snapshotIndex + 1)
        for index in stride(from: low, to: UInt64(committed.count), by: 1) {
            guard let entry = committedEntry(index), entry.seenAtTerm < node.term else { continue }
            if log.term(at: index) != entry.term {
                violations.append("leader completeness: leader \(node.config.id) of term \(node.term) lacks committed entry \(index) (term \(entry.term))")
            }
        }
    }
}
