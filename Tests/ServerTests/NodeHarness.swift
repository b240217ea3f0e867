// Test support: one ServerNode over a temporary state store, driven like the shell drives it,
// with persistence done at once (each `.persist` is answered with `.persisted`).
import Foundation
import HTTP
import Registry
import Server
import Store
import TestFolders

struct NodeHarness {
    var node: ServerNode
    var now: UInt64 = 0
    var sequence: UInt64 = 0
    let store: StateStore
    /// Text messages the node pushed to WebSocket subscribers, in order.
    var pushes: [(RequestID, String)] = []
    /// Probes the node asked for, in order (a test answers them with `.probeFinished`).
    var probes: [(ProbeID, ProbeSpec)] = []
    /// When (`now`) the node asked for each snapshot (the harness answers each with nil).
    var snapshotsAsked: [UInt64] = []

    /// `configure` adjusts the node's configuration before it starts.
    init(seed: UInt64 = 7, configure: (inout ServerConfig) -> Void = { _ in }) throws {
        let folder = try TestFolders.make("gravity-servertests")
        store = try StateStore(path: folder.appendingPathComponent("state.db").path)
        var config = ServerConfig(
            identity: try AgentIdentity(nodeName: "n1", nodeID: "0b9c1b6e-2d6f-4a1e-9c3e-5f7a8b9c0d1e", datacenter: "dc1"),
            version: "0.1.0", consulCompatibleVersion: "1.20.0", serverAddress: "127.0.0.1:8300",
            ports: .init(http: 8500, dns: 8600, server: 8300, discovery: 8761))
        configure(&config)
        node = ServerNode(
            config: config,
            store: store,
            boot: .empty,
            seed: seed)
        _ = step(.tick(monotonicMilliseconds: 0, wallMilliseconds: 1_700_000_000_000))
    }

    /// Feeds one input, persists whatever it asks to persist, and returns the responses.
    mutating func step(_ input: NodeInput) -> [(RequestID, HTTPResponse)] {
        var pending = [input]
        var responses: [(RequestID, HTTPResponse)] = []
        while !pending.isEmpty {
            var outputs: [NodeOutput] = []
            node.step(pending.removeFirst(), into: &outputs)
            for output in outputs {
                switch output {
                case .respond(let id, let response), .upgrade(let id, let response): responses.append((id, response))
                case .push(let id, let message): pushes.append((id, String(decoding: message, as: UTF8.self)))
                case .persist: pending.append(.persisted)
                case .startProbe(let id, let spec): probes.append((id, spec))
                case .send, .dial, .note, .release: break
                case .restoreState: preconditionFailure("a lone server installs no snapshot")
                case .takeSnapshot:
                    snapshotsAsked.append(now)
                    pending.append(.snapshotTaken(nil))
                }
            }
        }
        return responses
    }

    mutating func advance(milliseconds: UInt64) -> [(RequestID, HTTPResponse)] {
        now += milliseconds
        return step(.tick(monotonicMilliseconds: now, wallMilliseconds: 1_700_000_000_000 + now))
    }

    /// Sends a request on the Consul listener and returns its response if it came at once.
    mutating func send(_ method: String, _ target: String, body: String = "", listener: Listener = .consul,
                       headers: [(name: String, value: String)] = []) throws -> (RequestID, HTTPResponse?) {
        sequence += 1
        let id = RequestID(connection: 1, sequence: sequence)
        let request = try HTTPRequest(method: method, target: target, version: .http1_1, headers: HTTPHeaders([("Host", "x")] + headers), body: Array(body.utf8))
        let responses = step(.request(id, listener, request))
        return (id, responses.first { $0.0 == id }?.1)
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}
