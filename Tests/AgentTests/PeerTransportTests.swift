// Proves the peer transport over real loopback sockets: handshakes both ways, ordered delivery both directions, a 5 MiB snapshot intact, snapshots over the output bound streamed in order with what follows them (and not queued twice), self-dials and foreign datacenters refused, bad frames closing the connection, reconnection to a restarted peer, unreachable peers reported at once (also when a dialer was waiting out its backoff), DNS names, and a clean loop after shutdown.
import CLibUV
import Foundation
import Loop
import Raft
import Server
import XCTest

@testable import Agent

final class PeerTransportTests: XCTestCase {
    /// One server: its transport and everything its callbacks saw.
    private final class Peer {
        let id: RaftNodeID
        let address: String
        var transport: PeerTransport!
        var connected: [PeerHandshake] = []
        var messages: [(from: RaftNodeID, message: PeerMessage)] = []
        var disconnected: [RaftNodeID] = []
        var unreachable: [RaftNodeID] = []

        init(id: RaftNodeID, address: String) {
            self.id = id
            self.address = address
        }

        func received(from id: RaftNodeID) -> [PeerMessage] { messages.filter { $0.from == id }.map(\.message) }
        func isConnected(to id: RaftNodeID) -> Bool { connected.contains { $0.id == id } }
    }

    private final class Harness {
        let loop: EventLoop
        var peers: [Peer] = []

        init() throws { loop = try EventLoop() }

        /// A transport listening on 127.0.0.1 (on `port`, or a free one).
        func start(id: RaftNodeID, datacenter: String = "dc1", port: Int? = nil,
                   limits: PeerTransportLimits = PeerTransportLimits()) throws -> Peer {
            let port = try port ?? freePort()
            let peer = Peer(id: id, address: "127.0.0.1:\(port)")
            let handshake = PeerHandshake(datacenter: datacenter, id: id, address: peer.address)
            peer.transport = PeerTransport(loop: loop, handshake: handshake, logger: Logger(level: .error), limits: limits,
                                           onConnected: { [unowned peer] in peer.connected.append($0) },
                                           onMessage: { [unowned peer] in peer.messages.append((from: $0, message: $1)) },
                                           onDisconnected: { [unowned peer] in peer.disconnected.append($0) },
                                           onUnreachable: { [unowned peer] in peer.unreachable.append($0) })
            try peer.transport.listen(on: SocketAddress(ip: "127.0.0.1", port: port))
            XCTAssertEqual(peer.transport.localAddress?.port, port)
            peers.append(peer)
            return peer
        }

        /// Servers 1 and 2 (1 with `limits`), 1 dialing 2, once connected both ways.
        func connectedPair(limits: PeerTransportLimits = PeerTransportLimits(), file: StaticString = #filePath, line: UInt = #line) throws -> (Peer, Peer) {
            let a = try start(id: 1, limits: limits), b = try start(id: 2)
            a.transport.dial([b.address])
            run(until: { a.isConnected(to: 2) && b.isConnected(to: 1) }, file: file, line: line)
            return (a, b)
        }

        /// A port nothing listens on: bound, then closed (libuv closes the socket at once).
        func freePort() throws -> Int {
            let listener = try TCPListener(loop: loop)
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { _ in }
            let port = listener.localAddress!.port
            listener.close()
            return port
        }

        /// Runs the loop until `done()` or a safety timeout, which fails the test.
        func run(timeoutMilliseconds: UInt64 = 5000, until done: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertTrue(loop.run(timeoutMilliseconds: timeoutMilliseconds, until: done), "peer transport test timed out", file: file, line: line)
        }

        /// Runs the loop for `milliseconds` more (to see that something does not happen).
        func linger(_ milliseconds: UInt64) { loop.linger(milliseconds) }

        /// Shuts `peer` down and waits until its handles have closed.
        func stop(_ peer: Peer, file: StaticString = #filePath, line: UInt = #line) {
            peer.transport.shutDown()
            peers.removeAll { $0 === peer }
            run(until: { peer.transport.connectionCount == 0 }, file: file, line: line)
        }

        /// Shuts every transport down; their own shutdown must leave no handle open.
        func close(file: StaticString = #filePath, line: UInt = #line) throws {
            for peer in peers { peer.transport.shutDown() }
            run(until: { loop.liveHandleCount == 0 }, file: file, line: line)
            loop.closeAllHandles()
            XCTAssertNoThrow(try loop.close(), "uv_loop_close", file: file, line: line)
        }
    }

    private func withHarness(_ body: (Harness) throws -> Void) throws {
        let harness = try Harness()
        try body(harness)
        try harness.close()
    }

    private static func heartbeat(_ from: RaftNodeID, _ to: RaftNodeID, round: UInt64) -> PeerMessage {
        .raft(RaftMessage(from: from, to: to, term: 1, body: .heartbeat(commit: 0, round: round)))
    }

    // MARK: Tests

    func testHandshakesBothWaysAndMessagesInOrderBothDirections() throws {
        try withHarness { h in
            let a = try h.start(id: 1), b = try h.start(id: 2), c = try h.start(id: 3)
            a.transport.dial([b.address, c.address])
            b.transport.dial([c.address])
            h.run { a.connected.count == 2 && b.connected.count == 2 && c.connected.count == 2 }
            XCTAssertEqual(Set(a.connected.map(\.id)), [2, 3])
            XCTAssertEqual(b.connected.map(\.id).sorted(), [1, 3])
            XCTAssertEqual(c.connected.map(\.id).sorted(), [1, 2])
            XCTAssertEqual(b.connected.first { $0.id == 1 }, PeerHandshake(datacenter: "dc1", id: 1, address: a.address))
            XCTAssertEqual(a.connected.first { $0.id == 3 }?.address, c.address)

            let rounds = 0..<200 as Range<UInt64>
            for round in rounds {
                a.transport.send(Self.heartbeat(1, 2, round: round), to: 2)
                b.transport.send(Self.heartbeat(2, 1, round: round), to: 1)  // over the connection a opened
                c.transport.send(Self.heartbeat(3, 1, round: round), to: 1)
            }
            h.run { b.received(from: 1).count == rounds.count && a.received(from: 2).count == rounds.count && a.received(from: 3).count == rounds.count }
            XCTAssertEqual(b.received(from: 1), rounds.map { Self.heartbeat(1, 2, round: $0) })
            XCTAssertEqual(a.received(from: 2), rounds.map { Self.heartbeat(2, 1, round: $0) })
            XCTAssertEqual(a.received(from: 3), rounds.map { Self.heartbeat(3, 1, round: $0) })

            // No connection to node 9: dropped without a trace.
            a.transport.send(Self.heartbeat(1, 9, round: 0), to: 9)
            XCTAssertTrue(a.transport.isConnected(to: 2))
            XCTAssertFalse(a.transport.isConnected(to: 9))
            XCTAssertEqual(a.disconnected + b.disconnected + c.disconnected, [])
        }
    }

    func testFiveMiBSnapshotArrivesIntact() throws {
        try withHarness { h in
            let (a, b) = try h.connectedPair()
            var random = SplitMix64(seed: 5)
            let data = (0..<(5 << 20)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let membership = Membership(voters: [1, 2], learners: [3], addresses: [1: a.address, 2: b.address, 3: "c.svc:8300"])
            let snapshot = PeerMessage.raft(RaftMessage(from: 1, to: 2, term: 4, body: .snapshot(RaftSnapshot(index: 900, term: 4, membership: membership, data: data))))
            a.transport.send(snapshot, to: 2)
            a.transport.send(Self.heartbeat(1, 2, round: 1), to: 2)
            h.run(timeoutMilliseconds: 20_000) { b.messages.count == 2 }
            XCTAssertTrue(b.messages.first?.message == snapshot, "the snapshot arrives intact")
            XCTAssertEqual(b.messages.last?.message, Self.heartbeat(1, 2, round: 1))
        }
    }

    /// Snapshots far over the unsent bound stream a frame at a time, one behind another, with
    /// the messages sent meanwhile waiting behind them in order; the connection stays up (a
    /// snapshot that went onto a queue already holding a message used to drop it), and a
    /// snapshot sent again while it still streams or waits is not queued twice.
    func testSnapshotsOverTheBoundStreamInOrderWithWhatFollows() throws {
        try withHarness { h in
            var limits = PeerTransportLimits()
            limits.maxUnsentBytesPerConnection = 2 << 20
            let (a, b) = try h.connectedPair(limits: limits)
            var random = SplitMix64(seed: 12)
            let membership = Membership(voters: [1, 2], learners: [], addresses: [1: a.address, 2: b.address])
            func snapshot(_ index: UInt64, megabytes: Int) -> PeerMessage {
                let data = (0..<(megabytes << 20) + 3).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                return .raft(RaftMessage(from: 1, to: 2, term: 4, body: .snapshot(RaftSnapshot(index: index, term: 4, membership: membership, data: data))))
            }
            let first = snapshot(900, megabytes: 9), second = snapshot(950, megabytes: 5)
            var sent: [PeerMessage] = [.forward(context: 1, payload: [UInt8](repeating: 0xAB, count: 1 << 20)), first]
            for round in 1...10 { sent.append(Self.heartbeat(1, 2, round: UInt64(round))) }
            sent.append(second)
            for round in 11...20 { sent.append(Self.heartbeat(1, 2, round: UInt64(round))) }
            for message in sent { a.transport.send(message, to: 2) }
            // Sent again while the first still streams or waits: not queued twice. A last
            // heartbeat comes after whatever was queued.
            a.transport.send(first, to: 2)
            a.transport.send(second, to: 2)
            sent.append(Self.heartbeat(1, 2, round: 99))
            a.transport.send(sent.last!, to: 2)
            h.run(timeoutMilliseconds: 20_000) { b.messages.last?.message == sent.last || !a.disconnected.isEmpty }
            XCTAssertEqual(a.disconnected, [], "a streamed snapshot dropped the connection")
            XCTAssertEqual(b.received(from: 1).count, sent.count)
            XCTAssertTrue(b.received(from: 1) == sent, "every message arrives intact and in order")
        }
    }

    func testDialingOurOwnAddressIsDroppedForGood() throws {
        try withHarness { h in
            let a = try h.start(id: 1), b = try h.start(id: 2)
            a.transport.dial([a.address, b.address])
            h.run { a.isConnected(to: 2) && a.transport.dialedAddresses == [b.address] }
            a.transport.dial([b.address, a.address])
            XCTAssertEqual(a.transport.dialedAddresses, [b.address], "our own address stays undialed")
            h.linger(200)
            XCTAssertEqual(a.connected.map(\.id), [2])
            XCTAssertEqual(a.disconnected, [], "a refused self-connection was never connected")
        }
    }

    func testOtherDatacenterIsRefused() throws {
        try withHarness { h in
            let a = try h.start(id: 1)
            let c = try h.start(id: 3, datacenter: "dc2")
            c.transport.dial([a.address])
            h.linger(600)
            XCTAssertEqual(a.connected, [])
            XCTAssertEqual(c.connected, [])
            XCTAssertEqual(c.transport.dialedAddresses, [a.address], "still dialed: the configuration may change")
        }
    }

    /// A hand-made peer: accepts, sends a valid handshake and then `after`, and reads (and
    /// drops) what arrives only when `reading`.
    private final class FakePeer {
        let listener: TCPListener
        private(set) var accepted: [TCPStream] = []

        init(loop: EventLoop, id: RaftNodeID, after: [UInt8], reading: Bool) throws {
            listener = try TCPListener(loop: loop)
            try listener.listen(on: try SocketAddress(ip: "127.0.0.1", port: 0)) { [unowned self] stream in
                self.accepted.append(stream)
                stream.onRead = { _ in }
                if reading { try? stream.startReading() }  // a failure shows as the test's timeout
                stream.write(PeerFrame.encode(PeerCodec.encode(PeerHandshake(datacenter: "dc1", id: id, address: "fake"))) + after)
            }
        }

        var address: String { "127.0.0.1:\(listener.localAddress!.port)" }

        func close() {
            listener.close()
            for stream in accepted { stream.close() }
        }
    }

    func testBadFrameClosesTheConnectionAndTheDialerReconnects() throws {
        try withHarness { h in
            let a = try h.start(id: 1)
            var bad = PeerFrame.encode(PeerCodec.encode(.join(address: "x")))
            bad[bad.count - 1] ^= 1
            let fake = try FakePeer(loop: h.loop, id: 7, after: bad, reading: true)
            a.transport.dial([fake.address])
            h.run { a.disconnected.count >= 2 }
            XCTAssertEqual(Array(a.connected.prefix(2).map(\.id)), [7, 7], "handshake accepted, frame refused, redialed")
            XCTAssertEqual(a.messages.count, 0)
            fake.close()
        }
    }

    func testUnsentOutputOverTheBoundDropsTheConnection() throws {
        try withHarness { h in
            var limits = PeerTransportLimits()
            limits.maxUnsentBytesPerConnection = 2 << 20
            let a = try h.start(id: 1, limits: limits)
            let fake = try FakePeer(loop: h.loop, id: 7, after: [], reading: false)
            a.transport.dial([fake.address])
            h.run { a.isConnected(to: 7) }
            let message = PeerMessage.forward(context: 1, payload: [UInt8](repeating: 0xAB, count: 1 << 20))
            // Far more than the kernel buffers hold for a peer that never reads.
            for _ in 0..<64 where a.transport.isConnected(to: 7) { a.transport.send(message, to: 7) }
            h.run { a.disconnected == [7] }
            fake.close()
        }
    }

    /// A message over the bound (a snapshot) goes onto an empty queue, and the heartbeats that
    /// follow it queue behind it instead of dropping the connection.
    func testMessagesBehindAnOversizedOneKeepTheConnection() throws {
        try withHarness { h in
            var limits = PeerTransportLimits()
            limits.maxUnsentBytesPerConnection = 2 << 20
            let (a, b) = try h.connectedPair(limits: limits)
            let snapshot = PeerMessage.forward(context: 1, payload: [UInt8](repeating: 0xCD, count: 12 << 20))
            a.transport.send(snapshot, to: 2)
            for round in 1...20 { a.transport.send(Self.heartbeat(1, 2, round: UInt64(round)), to: 2) }
            h.run { b.messages.count == 21 || !a.disconnected.isEmpty }
            XCTAssertEqual(a.disconnected, [], "the heartbeats behind the snapshot dropped the connection")
            XCTAssertEqual(b.received(from: 1).first, snapshot)
            XCTAssertEqual(b.received(from: 1).count, 21)
        }
    }

    func testRestartedPeerIsReconnected() throws {
        try withHarness { h in
            let a = try h.start(id: 1)
            var b = try h.start(id: 2)
            let port = try XCTUnwrap(b.transport.localAddress?.port)
            a.transport.dial([b.address])
            h.run { a.isConnected(to: 2) && b.isConnected(to: 1) }
            h.stop(b)
            h.run { a.disconnected == [2] }
            XCTAssertFalse(a.transport.isConnected(to: 2))

            b = try h.start(id: 2, port: port)
            h.run { a.connected.count == 2 && b.isConnected(to: 1) }
            a.transport.send(Self.heartbeat(1, 2, round: 5), to: 2)
            b.transport.send(Self.heartbeat(2, 1, round: 6), to: 1)
            h.run { b.messages.count == 1 && a.messages.count == 1 }
            XCTAssertEqual(b.received(from: 1), [Self.heartbeat(1, 2, round: 5)])
            XCTAssertEqual(a.received(from: 2), [Self.heartbeat(2, 1, round: 6)])
        }
    }

    /// Server 1 (with these dial timings) connected to server 2.
    private static func connectedPair(_ h: Harness, backoffMilliseconds: UInt64, lastingMilliseconds: UInt64) throws -> (Peer, Peer) {
        var limits = PeerTransportLimits()
        limits.minBackoffMilliseconds = backoffMilliseconds
        limits.maxBackoffMilliseconds = max(backoffMilliseconds, limits.maxBackoffMilliseconds)
        limits.lastingConnectionMilliseconds = lastingMilliseconds
        let a = try h.start(id: 1, limits: limits), b = try h.start(id: 2)
        a.transport.dial([b.address])
        h.run { a.isConnected(to: 2) && b.isConnected(to: 1) }
        return (a, b)
    }

    func testAPeerThatStopsListeningIsReportedUnreachableAtOnce() throws {
        try withHarness { h in
            // A backoff of 5 s: only the immediate redial of a lasting connection can report
            // the refusal within the run's 2 s.
            let (a, b) = try Self.connectedPair(h, backoffMilliseconds: 5000, lastingMilliseconds: 100)
            h.linger(150)
            XCTAssertEqual(a.unreachable, [])
            h.stop(b)
            h.run(timeoutMilliseconds: 2000) { a.unreachable == [2] }
            h.linger(100)
            XCTAssertEqual(a.unreachable, [2], "one report: the next attempt waits its backoff")
        }
    }

    func testAShortLivedConnectionIsProbedOnceThenWaitsItsBackoff() throws {
        try withHarness { h in
            let (a, b) = try Self.connectedPair(h, backoffMilliseconds: 5000, lastingMilliseconds: 10_000)
            h.stop(b)
            // Not a lasting connection, so no redial at once; but it was a's last connection to
            // server 2, so a dials once (probeNow) and hears the refusal.
            h.run(timeoutMilliseconds: 2000) { a.unreachable == [2] }
            h.linger(300)
            XCTAssertEqual(a.unreachable, [2], "after the probe, the next attempt waits its backoff")
        }
    }

    func testTheLastConnectionClosingCutsADialersBackoffShort() throws {
        try withHarness { h in
            // a's dialer to server 2 waits out a 5 s backoff while 2's own connection to a is
            // up. When 2 stops, that inbound connection was a's last one to it, and a dials at
            // once: the refusal is reported well within the backoff (the run allows 2 s).
            let (a, b) = try Self.connectedPair(h, backoffMilliseconds: 5000, lastingMilliseconds: 200)
            let port = try XCTUnwrap(b.transport.localAddress?.port)
            h.stop(b)
            h.run(timeoutMilliseconds: 2000) { a.unreachable == [2] }
            let restarted = try h.start(id: 2, port: port)
            restarted.transport.dial([a.address])
            h.run { a.connected.count == 2 && restarted.isConnected(to: 1) }
            h.linger(250)  // past the once-per-200 ms bound on probes
            h.stop(restarted)
            h.run(timeoutMilliseconds: 2000) { a.unreachable == [2, 2] }
        }
    }

    func testOnlyTheServerThatStoppedIsReported() throws {
        try withHarness { h in
            var limits = PeerTransportLimits()
            limits.lastingConnectionMilliseconds = 100
            let a = try h.start(id: 1, limits: limits), b = try h.start(id: 2)
            let c = try h.start(id: 3)
            a.transport.dial([b.address, c.address])
            h.run { a.isConnected(to: 2) && a.isConnected(to: 3) }
            h.linger(150)
            // c stops; b (a different server) stays, so only c is reported.
            h.stop(c)
            h.run(timeoutMilliseconds: 2000) { a.unreachable == [3] }
            XCTAssertTrue(a.transport.isConnected(to: 2))
        }
    }

    func testDialsANameAndStopsDialingRemovedAddresses() throws {
        try withHarness { h in
            let a = try h.start(id: 1), b = try h.start(id: 2)
            let port = try XCTUnwrap(b.transport.localAddress?.port)
            a.transport.dial(["localhost:\(port)"])
            h.run { a.isConnected(to: 2) && b.isConnected(to: 1) }
            a.transport.dial(["localhost:\(port)"])
            XCTAssertEqual(a.connected.count, 1, "dial is idempotent")

            a.transport.dial([])
            h.run { a.disconnected == [2] && b.disconnected == [1] }
            XCTAssertEqual(a.transport.dialedAddresses, [])
            h.linger(300)
            XCTAssertEqual(a.connected.count, 1, "a removed address is not redialed")
        }
    }

    func testUnparsableAddressesAreIgnored() throws {
        try withHarness { h in
            let a = try h.start(id: 1)
            a.transport.dial(["no-port", "::1", "host:0", "host:99999"])
            XCTAssertEqual(a.transport.dialedAddresses, [])
        }
    }

    func testHandshakeRules() {
        let local = PeerHandshake(datacenter: "dc1", id: 1, address: "a:8300")
        XCTAssertNil(PeerHandshakeCheck.refusal(of: PeerHandshake(datacenter: "dc1", id: 2, address: "b:8300"), by: local))
        XCTAssertEqual(PeerHandshakeCheck.refusal(of: PeerHandshake(version: 2, datacenter: "dc1", id: 2, address: ""), by: local), .versionMismatch)
        XCTAssertEqual(PeerHandshakeCheck.refusal(of: PeerHandshake(datacenter: "dc2", id: 2, address: ""), by: local), .otherDatacenter)
        XCTAssertEqual(PeerHandshakeCheck.refusal(of: PeerHandshake(datacenter: "dc1", id: 1, address: "elsewhere"), by: local), .ourselves)
    }
}
