import Raft
import Registry
import Server
import Store

// The checks: Raft's safety properties after every step, and at the end convergence, equal
// state and a linearizable history.
extension Simulation {
    mutating func check(_ index: Int) {
        guard let raft = nodes[index].node?.raft else { return }
        if raft.role == .leader, leaderTerms.insert(raft.term).inserted {
            report.leaderElections += 1
            traceLine("n\(index + 1) leads term \(raft.term)")
        }
        for problem in invariants.check(raft) { violation(problem) }
    }

    mutating func violation(_ problem: String) {
        let line = "VIOLATION at \(now) ms (step \(report.steps)): \(problem)"
        traceLine(line)
        report.violations.append(line)
    }

    mutating func traceLine(_ line: String) {
        let text = "\(now) \(line)"
        trace.add(text)
        trace.add(10)
        if options.verbose { log(text) }
    }

    /// After the settle phase: every node up and caught up, the same state everywhere, every
    /// invariant rescanned, and the history linearizable.
    mutating func finish() {
        defer { report.traceHash = trace.hex }
        report.operations = workload.history.count
        report.completedOperations = workload.history.filter { $0.outcome != .unknown }.count
        guard shouldContinue else { return }
        for index in nodes.indices {
            guard let raft = nodes[index].node?.raft else { continue }
            for problem in invariants.fullCheck(raft) { violation(problem) }
        }
        checkConvergence()
        let verdict = LinearizabilityChecker.check(workload.history)
        report.linearizability = verdict
        switch verdict {
        case .linearizable: break
        case .violation(let key, let reason):
            let operations = workload.history.filter { $0.key == key }.map { "  " + $0.summary }
            violation("history of \(key) is not linearizable: \(reason)\n" + operations.joined(separator: "\n"))
        case .undecided(let key):
            traceLine("linearizability of \(key) undecided (search budget spent)")
        }
    }

    /// Whether every node runs and has applied everything committed, the same everywhere.
    var converged: Bool {
        let applied = nodes.map { $0.node?.raft.log.applied ?? 0 }
        let committed = nodes.map { $0.node?.raft.log.committed ?? 0 }
        return nodes.allSatisfy(\.isUp) && Set(applied).count == 1 && applied == committed
            && workload.clients.allSatisfy { $0.outstanding == nil }
    }

    /// Runs on in steps of 100 ms until the cluster has converged, for at most `extraMilliseconds`
    /// (a node may be one heartbeat behind when the settle phase ends).
    mutating func awaitConvergence(extraMilliseconds: SimMilliseconds) {
        let deadline = now + extraMilliseconds
        while shouldContinue, !converged, now < deadline { runEvents(until: now + 100) }
    }

    mutating func checkConvergence() {
        let applied = nodes.map { $0.node?.raft.log.applied ?? 0 }
        let committed = nodes.map { $0.node?.raft.log.committed ?? 0 }
        report.finalAppliedIndex = applied.max() ?? 0
        guard converged else {
            violation("no convergence \(2 * options.settleMilliseconds) ms after healing: applied \(applied), committed \(committed), "
                + "roles \(nodes.map { $0.node.map { "\($0.raft.role)@\($0.raft.term)" } ?? "down" })")
            return
        }
        var hashes: [String] = []
        for index in nodes.indices {
            guard let store = nodes[index].store else { continue }
            do {
                hashes.append(try Self.stateHash(store))
            } catch {
                violation("n\(index + 1) could not read its state: \(error)")
                return
            }
        }
        traceLine("final applied \(applied[0]) state hashes \(hashes)")
        if Set(hashes).count != 1 { violation("state differs between nodes at applied index \(applied[0]): \(hashes)") }
    }

    /// Every table of the state (the store's canonical dump) and the applied index, hashed:
    /// replicas that applied the same commands hold byte-identical states.
    static func stateHash(_ store: StateStore) throws(StoreError) -> String {
        var hash = FNV1a()
        hash.add(store.appliedIndex)
        hash.add(try store.canonicalDump())
        return hash.hex
    }

    mutating func closeStores() {
        for index in nodes.indices {
            nodes[index].store?.close()
            nodes[index].store = nil
            nodes[index].node = nil
        }
    }

    /// A short, deterministic description of a peer message for the trace (never a dictionary:
    /// its order would change from process to process).
    func describe(_ message: PeerMessage) -> String {
        switch message {
        case .raft(let raft): return "raft t\(raft.term) \(describe(raft.body))"
        case .status(let status): return "status boot=\(status.bootstrapped) leader=\(status.leader.map(String.init) ?? "-") t\(status.term)"
        case .forward(let context, let payload): return "forward #\(context) \(payload.count) B"
        case .forwarded(let context, let index, let term): return "forwarded #\(context) -> \(index)/\(term)"
        case .join(let address): return "join \(address)"
        case .operate(let context, _): return "operate #\(context)"
        case .operated(let context, let failure): return "operated #\(context) \(failure ?? "ok")"
        }
    }

    func describe(_ body: RaftMessage.Body) -> String {
        switch body {
        case .preVote(let index, let term): return "preVote last \(index)/\(term)"
        case .preVoteResponse(let granted): return "preVoteResponse \(granted)"
        case .requestVote(let index, let term, let transfer): return "requestVote last \(index)/\(term)\(transfer ? " transfer" : "")"
        case .voteResponse(let granted): return "voteResponse \(granted)"
        case .append(let index, let term, let entries, let commit):
            return "append prev \(index)/\(term) +\(entries.count) commit \(commit)"
        case .appendResponse(let success, let match, let hint): return "appendResponse \(success) match \(match) hint \(hint)"
        case .heartbeat(let commit, let round): return "heartbeat commit \(commit) round \(round)"
        case .heartbeatResponse(let round): return "heartbeatResponse round \(round)"
        case .readIndex(let context): return "readIndex #\(context)"
        case .readIndexResponse(let context, let index): return "readIndexResponse #\(context) \(index)"
        case .timeoutNow: return "timeoutNow"
        case .snapshot(let snapshot): return "snapshot \(snapshot.index)/\(snapshot.term) \(snapshot.data.count) B"
        }
    }
}
