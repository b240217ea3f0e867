import HTTP
import Server

// The workload's clients: each sends one request at a time to a random node and waits for its
// answer, or gives up after `Workload.timeoutMilliseconds`.
extension Simulation {
    mutating func invoke(_ client: Int) {
        guard phase == .faulty, shouldContinue else { return }
        let (node, id, request) = workload.invoke(client: client, nodeCount: options.nodes, now: now, order: nextOrder())
        guard nodes[node].isUp else {
            // Connection refused: the request never reached a server.
            traceLine("client \(client) -> n\(node + 1) refused (down)")
            abandon(client)
            return
        }
        schedule(.clientTimeout(client: client, id), after: workload.timeoutMilliseconds)
        handle(.request(node: node, incarnation: nodes[node].incarnation, id, request))
    }

    mutating func respond(_ id: RequestID, _ response: HTTPResponse, from index: Int) {
        guard let client = workload.client(waitingFor: id), workload.clients[client].outstanding?.node == index else { return }
        let historyIndex = workload.clients[client].outstanding!.historyIndex
        workload.complete(client: client, response: response, now: now, order: nextOrder())
        let entry = workload.history[historyIndex]
        let detail = response.status.code >= 300 ? " " + String(decoding: response.body.prefix(80), as: UTF8.self) : ""
        traceLine("client \(client) <- n\(index + 1) \(response.status.code) \(entry.key) \(entry.request) -> \(entry.outcome)\(detail)")
        schedule(.clientInvoke(client: client), after: workload.thinkTime())
    }

    mutating func timeOut(_ client: Int, _ id: RequestID) {
        guard let outstanding = workload.clients[client].outstanding, outstanding.requestID == id else { return }
        traceLine("client \(client) gives up on n\(outstanding.node + 1)")
        handle(.cancel(node: outstanding.node, incarnation: nodes[outstanding.node].incarnation, id))
        abandon(client)
    }

    /// The client stops waiting (timeout, or its node crashed); the outcome stays unknown.
    mutating func abandon(_ client: Int) {
        workload.abandon(client: client)
        schedule(.clientInvoke(client: client), after: workload.thinkTime())
    }
}
